/*
 * bench-batch.c — times vigil_decide_batch from C on the batch shapes of the package-benchmark
 * (Benchmarks/Benchmarks/Decisions/Workload.swift, BatchBuffer), for profiling the batch path with callgrind or perf:
 *   gcc -O2 -std=c11 -Iscripts -ISources/CVigil -ISources/CVigil/include scripts/bench-batch.c Sources/CVigil/[a-z]*.c \
 *       -llmdb -lpthread -o bench-batch
 *   ./bench-batch INDEX_DIR REQUESTS.tsv PASSES [page|unrelated]
 * Batch b takes request (b * 37) mod n as its principal and context, and 32 pairs from the requests after it:
 * `page` (the default) is 8 documents x view, edit, share, delete; `unrelated` is the next 32 requests' actions and
 * resources. 1,024 batches are decided once as a warm-up, then PASSES times, each call timed. Prints one JSON line.
 */
#include "bench-common.h"

#include <vigil.h>

#include "bench-requests.h"

enum { BATCHES = 1024, PAIRS = 32 };

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s INDEX_DIR REQUESTS.tsv PASSES [page|unrelated]\n", argv[0]); return 2; }
    int unrelated = argc > 4 && strcmp(argv[4], "unrelated") == 0;
    int passes = atoi(argv[3]);
    size_t n;
    bench_line *lines = bench_read(argv[2], &n);
    vigil_request *reqs = bench_requests(lines, n);
    vigil_index *ix = bench_open(argv[1], 0);

    static const char *const page_actions[4] = { "view", "edit", "share", "delete" };
    vigil_request *base = malloc(BATCHES * sizeof *base), *pairs = malloc(BATCHES * PAIRS * sizeof *pairs);
    vigil_result *results = malloc(PAIRS * sizeof *results);
    uint64_t *samples = malloc((size_t)passes * BATCHES * sizeof *samples);
    if (!base || !pairs || !results || !samples) { fprintf(stderr, "out of memory\n"); return 1; }
    for (size_t b = 0; b < BATCHES; b++) {
        base[b] = reqs[b * 37 % n];
        for (size_t k = 0; k < PAIRS; k++) {
            vigil_request pair = base[b];
            const vigil_request *other = &reqs[(b * 37 + 1 + (unrelated ? k : k / 4)) % n];
            if (unrelated) {
                pair.action_id = other->action_id;
                pair.action_id_len = other->action_id_len;
            } else {
                pair.action_id = page_actions[k % 4];
                pair.action_id_len = strlen(page_actions[k % 4]);
            }
            pair.resource_type = other->resource_type;
            pair.resource_type_len = other->resource_type_len;
            pair.resource_id = other->resource_id;
            pair.resource_id_len = other->resource_id_len;
            pairs[b * PAIRS + k] = pair;
        }
    }
    uint64_t allowed = 0;
    for (size_t b = 0; b < BATCHES; b++) {
        int rc = vigil_decide_batch(ix, &base[b], PAIRS, &pairs[b * PAIRS], &pairs[b * PAIRS], results);
        if (rc != VIGIL_OK) { fprintf(stderr, "batch %zu: %s\n", b, vigil_strerror(rc)); return 1; }
        for (size_t k = 0; k < PAIRS; k++) allowed += results[k].effect != VIGIL_DENY;
    }
    size_t s = 0;
    for (int p = 0; p < passes; p++) {
        for (size_t b = 0; b < BATCHES; b++) {
            uint64_t t0 = bench_now_ns();
            vigil_decide_batch(ix, &base[b], PAIRS, &pairs[b * PAIRS], &pairs[b * PAIRS], results);
            samples[s++] = bench_now_ns() - t0;
        }
    }
    bench_report(unrelated ? "vigil_decide_batch (32 unrelated)" : "vigil_decide_batch (page of 8 x 4)", samples, s, 0);
    fprintf(stderr, "bench-batch: %llu of %d pairs allowed or stepped up\n", (unsigned long long)allowed,
            BATCHES * PAIRS);
    vigil_index_close(ix);
    return 0;
}
