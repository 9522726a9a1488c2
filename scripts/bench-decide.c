/*
 * bench-decide.c — times libvigil decisions from C, as a host would make them (used by scripts/bench-ratios.py).
 *   gcc -O2 bench-decide.c $(pkg-config --cflags --libs vigil) -o bench-decide
 *   ./bench-decide INDEX_DIR REQUESTS.tsv EFFECTS_OUT [PASSES]
 * Decides every request once (warm-up; the effects go to EFFECTS_OUT, one digit a line: 0 deny, 1 allow, 2 step-up),
 * then PASSES times (default 3) timing each decision with clock_gettime, then once more as a plain loop for the mean
 * without per-call clocks. Prints one JSON line of percentiles.
 */
#include "bench-common.h"

#include <vigil.h>

#include "bench-requests.h"

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s INDEX_DIR REQUESTS.tsv EFFECTS_OUT [PASSES]\n", argv[0]); return 2; }
    int passes = argc > 4 ? atoi(argv[4]) : 3;
    size_t n;
    bench_line *lines = bench_read(argv[2], &n);
    vigil_request *reqs = bench_requests(lines, n);
    vigil_index *ix = bench_open(argv[1], 0);

    vigil_result res;
    FILE *effects = fopen(argv[3], "w");
    if (!effects) { perror(argv[3]); return 2; }
    for (size_t i = 0; i < n; i++) {
        int rc = vigil_decide(ix, &reqs[i], &res);
        if (rc != VIGIL_OK) { fprintf(stderr, "request %zu: %s\n", i + 1, vigil_strerror(rc)); return 1; }
        fprintf(effects, "%d\n", res.effect);
    }
    fclose(effects);

    uint64_t *samples = malloc((size_t)passes * n * sizeof *samples);
    size_t k = 0;
    for (int p = 0; p < passes; p++) {
        for (size_t i = 0; i < n; i++) {
            uint64_t t0 = bench_now_ns();
            vigil_decide(ix, &reqs[i], &res);
            samples[k++] = bench_now_ns() - t0;
        }
    }
    uint64_t t0 = bench_now_ns();
    uint64_t sink = 0;
    for (size_t i = 0; i < n; i++) { vigil_decide(ix, &reqs[i], &res); sink += (uint64_t)res.effect; }
    double loop_mean = (double)(bench_now_ns() - t0) / (double)n;
    bench_report("vigil_decide", samples, k, loop_mean);
    fprintf(stderr, "bench-decide: %llu allowed or stepped up in the last loop\n", (unsigned long long)sink);
    vigil_index_close(ix);
    return 0;
}
