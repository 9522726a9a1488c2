#!/usr/bin/env bash
# Installs what Vigil's build and tests need, only where it is missing:
#   - liblmdb-dev (the LMDB library and headers; found through pkg-config `lmdb`), with pkg-config itself;
#   - cedarpy, the reference Cedar engine for Python, used by the tests as an oracle;
#   - nginx, which the forward-auth integration test puts in front of vigild (auth_request).
# Debian/Ubuntu (apt). Uses sudo only when not already root. Safe to run repeatedly.
set -euo pipefail

# The cedarpy release the oracle tests were written against (Cedar 4.12).
CEDARPY_VERSION="4.12.2"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        as_root apt-get update -qq
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

if ! pkg-config --exists lmdb 2>/dev/null; then
    echo "install-prereqs: installing liblmdb-dev"
    apt_install liblmdb-dev pkg-config
fi

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    echo "install-prereqs: installing nginx"
    # Only the binary is needed: the tests run their own nginx on loopback ports; none is started here.
    apt_install nginx
fi

if ! python3 -c "import cedarpy" 2>/dev/null; then
    echo "install-prereqs: installing cedarpy $CEDARPY_VERSION"
    if ! python3 -m pip --version >/dev/null 2>&1; then
        apt_install python3-pip
    fi
    # A distribution's Python may refuse system-wide pip installs (PEP 668); fall back to the user site.
    python3 -m pip install --quiet "cedarpy==$CEDARPY_VERSION" \
        || python3 -m pip install --quiet --user --break-system-packages "cedarpy==$CEDARPY_VERSION"
    python3 -c "import cedarpy"
fi
