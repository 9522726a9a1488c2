# Sourced by scripts/soak-decision-log.sh and scripts/bench-drain.sh: installs the libvigil that BIN holds into
# WORK/prefix, builds the host program (scripts/soak-host.c) against it as WORK/soak-host, and writes the example's
# requests as WORK/requests.tsv (the TSV that scripts/bench-requests.h reads).
#   soak_host_setup WORK BIN
soak_host_setup() {
    local work=$1 bin=$2
    bash scripts/install-libvigil.sh "$work/prefix" "$bin" >/dev/null
    PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" gcc -std=c11 -O2 -Iscripts scripts/soak-host.c \
        $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs vigil) \
        -Wl,-rpath,"$work/prefix/lib" -o "$work/soak-host"
    python3 - "$work/requests.tsv" <<'EOF'
import json, sys
with open("examples/saas/requests.jsonl") as f, open(sys.argv[1], "w") as out:
    for line in f:
        r = json.loads(line)
        out.write("\t".join([r["principal"]["type"], r["principal"]["id"], r["action"]["type"], r["action"]["id"],
                             r["resource"]["type"], r["resource"]["id"], json.dumps(r["context"])]) + "\n")
EOF
}
