/*
 * bench-ring.c — what the decision log costs a decision: the same requests decided on two handles of one index in
 * one process, one opened with VIGIL_OPEN_NO_LOG and one logging to a ring that a consumer thread drains as vigild
 * would (copy the records, release them; every millisecond once caught up). Blocks of decisions
 * alternate between the handles so both see the same machine state; each decision is timed with clock_gettime.
 *   gcc -O2 -std=c11 -ISources/CVigil -ISources/CVigil/include scripts/bench-ring.c Sources/CVigil/[a-z]*.c \
 *       -llmdb -lpthread -o /tmp/bench-ring
 *   /tmp/bench-ring INDEX_DIR REQUESTS.tsv [ROUNDS] [PER_ROUND]
 * Prints one JSON line per handle (bench-common.h's percentiles) and the ring's appended, drained and dropped.
 */
#define _GNU_SOURCE
#include "bench-common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vigil.h>
#include <vigil_ring.h>

#include "bench-requests.h"

static _Atomic int stop;
static uint64_t drained;

/* vigild's drain loop without the trail: copy complete records out, release them. */
static void *consumer(void *arg) {
    const char *path = arg;
    int fd = open(path, O_RDWR);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) { perror(path); exit(2); }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) { perror("mmap"); exit(2); }
    static vigil_ring_record buf[4096];
    vigil_ring_info info;
    while (!atomic_load(&stop)) {
        vigil_ring_check(map, (size_t)st.st_size, &info);
        size_t n = vigil_ring_peek(map, (size_t)st.st_size, info.drained, buf, NULL, 4096);
        if (n > 0) vigil_ring_release(map, (size_t)st.st_size, n);
        drained += n;
        if (n < 4096) usleep(1000);   /* a drain interval, as vigild's: caught up, wait a millisecond */
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s INDEX_DIR REQUESTS.tsv [ROUNDS] [PER_ROUND]\n", argv[0]); return 2; }
    int rounds = argc > 3 ? atoi(argv[3]) : 20;
    size_t per_round = argc > 4 ? (size_t)atol(argv[4]) : 50000;
    size_t n;
    bench_line *lines = bench_read(argv[2], &n);
    vigil_request *reqs = bench_requests(lines, n);

    /* The ring on tmpfs, as deployments should put it (docs/DECISION_LOG.md); /tmp where there is no /dev/shm. */
    char dir[64] = "/dev/shm/vigil-bench-ring-XXXXXX";
    if (!mkdtemp(dir)) {
        snprintf(dir, sizeof dir, "/tmp/vigil-bench-ring-XXXXXX");
        if (!mkdtemp(dir)) { perror("mkdtemp"); return 2; }
    }
    setenv("VIGIL_RING_DIR", dir, 1);
    vigil_index *off = bench_open(argv[1], VIGIL_OPEN_NO_LOG), *on = bench_open(argv[1], 0);
    char ring[4096];
    if (vigil_log_path(on, ring, sizeof ring) != VIGIL_OK) { fprintf(stderr, "no ring\n"); return 1; }
    pthread_t th;
    pthread_create(&th, NULL, consumer, ring);

    vigil_result res;
    for (size_t i = 0; i < n; i++) { vigil_decide(off, &reqs[i], &res); vigil_decide(on, &reqs[i], &res); }
    uint64_t *s_off = malloc(rounds * per_round * sizeof *s_off), *s_on = malloc(rounds * per_round * sizeof *s_on);
    size_t k_off = 0, k_on = 0, cursor = 0;
    for (int r = 0; r < 2 * rounds; r++) {
        vigil_index *ix = r % 2 ? on : off;
        uint64_t *s = r % 2 ? s_on : s_off;
        size_t *k = r % 2 ? &k_on : &k_off;
        size_t start = cursor;
        for (size_t i = 0; i < per_round; i++) {
            const vigil_request *q = &reqs[(start + i) % n];
            uint64_t t0 = bench_now_ns();
            vigil_decide(ix, q, &res);
            s[(*k)++] = bench_now_ns() - t0;
        }
        if (r % 2) cursor = (cursor + per_round) % n;   /* both handles decide the same block */
    }
    atomic_store(&stop, 1);
    pthread_join(th, NULL);
    uint64_t appended = 0, dropped = 0;
    vigil_log_stats(on, &appended, &dropped);
    bench_report("ring off (VIGIL_OPEN_NO_LOG)", s_off, k_off, 0);
    bench_report("ring on, drained", s_on, k_on, 0);
    printf("{\"ring_appended\":%llu,\"ring_drained\":%llu,\"ring_dropped\":%llu}\n", (unsigned long long)appended,
           (unsigned long long)drained, (unsigned long long)dropped);
    vigil_index_close(on);
    vigil_index_close(off);
    unlink(ring);
    rmdir(dir);
    return 0;
}
