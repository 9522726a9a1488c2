/*
 * soak-host.c — a host deciding at full speed for a while, for scripts/soak-decision-log.sh: decides the requests
 * of a TSV file round-robin until the deadline, then prints what its decision ring says it did.
 *   gcc -O2 soak-host.c $(pkg-config --cflags --libs vigil) -o soak-host
 *   ./soak-host INDEX_DIR REQUESTS.tsv SECONDS
 * Prints one JSON line: {"pid", "decisions", "appended", "dropped", "ring"}.
 */
#include "bench-common.h"

#include <unistd.h>

#include <vigil.h>

#include "bench-requests.h"

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s INDEX_DIR REQUESTS.tsv SECONDS\n", argv[0]); return 2; }
    size_t n;
    bench_line *lines = bench_read(argv[2], &n);
    vigil_request *reqs = bench_requests(lines, n);
    vigil_index *ix = bench_open(argv[1], 0);
    uint64_t deadline = bench_now_ns() + (uint64_t)(atof(argv[3]) * 1e9), decisions = 0;
    vigil_result res;
    while (bench_now_ns() < deadline) {
        /* The clock is read once per 256 decisions: the loop is the decisions, not the clock. */
        for (int k = 0; k < 256; k++) {
            vigil_decide(ix, &reqs[decisions % n], &res);
            decisions++;
        }
    }
    uint64_t appended = 0, dropped = 0;
    char ring[4096] = "";
    int rc = vigil_log_stats(ix, &appended, &dropped);
    if (rc != VIGIL_OK) { fprintf(stderr, "soak-host: logging is off: %s\n", vigil_strerror(rc)); return 1; }
    vigil_log_path(ix, ring, sizeof ring);
    const char *name = strrchr(ring, '/');
    printf("{\"pid\": %d, \"decisions\": %llu, \"appended\": %llu, \"dropped\": %llu, \"ring\": \"%s\"}\n",
           (int)getpid(), (unsigned long long)decisions, (unsigned long long)appended,
           (unsigned long long)dropped, name ? name + 1 : ring);
    vigil_index_close(ix);
    return 0;
}
