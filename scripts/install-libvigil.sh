#!/usr/bin/env bash
# Installs libvigil for host programs: the header, the shared library and a pkg-config file.
#   scripts/install-libvigil.sh PREFIX [BUILD_DIR]
# PREFIX gets include/vigil.h (and vigil_ring.h, for ring consumers), lib/libvigil.so.0 (+ libvigil.so) and
# lib/pkgconfig/vigil.pc, so a host builds with
#   gcc host.c $(PKG_CONFIG_PATH=PREFIX/lib/pkgconfig pkg-config --cflags --libs vigil)
# BUILD_DIR is a SwiftPM build folder holding libVigilC.so (default: `swift build -c release` is run first).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:?usage: install-libvigil.sh PREFIX [BUILD_DIR]}
build=${2:-}
if [ -z "$build" ]; then
    swift build -c release --product VigilC >&2
    build=$(swift build -c release --show-bin-path)
fi
[ -f "$build/libVigilC.so" ] || { echo "install-libvigil: no libVigilC.so in $build" >&2; exit 1; }
version=$(sed -n 's/^#define VIGIL_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' Sources/CVigil/include/vigil.h | paste -sd.)

mkdir -p "$prefix/include" "$prefix/lib/pkgconfig"
install -m 0644 Sources/CVigil/include/vigil.h "$prefix/include/vigil.h"
install -m 0644 Sources/CVigil/include/vigil_ring.h "$prefix/include/vigil_ring.h"
install -m 0755 "$build/libVigilC.so" "$prefix/lib/libvigil.so.$version"
ln -sfn "libvigil.so.$version" "$prefix/lib/libvigil.so.0"
ln -sfn "libvigil.so.0" "$prefix/lib/libvigil.so"
prefix_abs=$(cd "$prefix" && pwd)
cat > "$prefix/lib/pkgconfig/vigil.pc" <<PC
prefix=$prefix_abs
includedir=\${prefix}/include
libdir=\${prefix}/lib

Name: vigil
Description: Vigil's C evaluator: Cedar authorization decisions from a memory-mapped index
Version: $version
Requires.private: lmdb
Cflags: -I\${includedir}
Libs: -L\${libdir} -lvigil
PC
echo "installed libvigil $version into $prefix_abs"
