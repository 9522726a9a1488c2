/*
 * bench-lmdb-commit.c — the floor for a durable single-entity update: one 200-byte put per write transaction,
 * committed with LMDB's default (durable) sync, into an environment holding 100,000 keys.
 *   gcc -O2 scripts/bench-lmdb-commit.c -llmdb -o /tmp/bench-lmdb-commit && /tmp/bench-lmdb-commit DIR
 * DIR must not exist (it is created and left behind). Prints p50/p90/p99 of 500 commits.
 */
#define _POSIX_C_SOURCE 200809L
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void check(int rc, const char *what) {
    if (rc) { fprintf(stderr, "%s: %s\n", what, mdb_strerror(rc)); exit(1); }
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s DIR\n", argv[0]); return 2; }
    if (mkdir(argv[1], 0755)) { perror(argv[1]); return 2; }
    MDB_env *env;
    check(mdb_env_create(&env), "mdb_env_create");
    check(mdb_env_set_mapsize(env, 1UL << 30), "mdb_env_set_mapsize");
    check(mdb_env_open(env, argv[1], 0, 0644), "mdb_env_open");
    MDB_txn *txn;
    MDB_dbi dbi;
    char value[200] = {0}, key[16];
    check(mdb_txn_begin(env, NULL, 0, &txn), "mdb_txn_begin");
    check(mdb_dbi_open(txn, NULL, 0, &dbi), "mdb_dbi_open");
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(key, sizeof key, "k%07d", i);
        MDB_val k = { (size_t)n, key }, v = { sizeof value, value };
        check(mdb_put(txn, dbi, &k, &v, 0), "mdb_put");
    }
    check(mdb_txn_commit(txn), "mdb_txn_commit");

    enum { N = 500 };
    double samples[N];
    for (int i = 0; i < N; i++) {
        double t0 = now_ms();
        check(mdb_txn_begin(env, NULL, 0, &txn), "mdb_txn_begin");
        int n = snprintf(key, sizeof key, "k%07d", (i * 7919) % 100000);
        value[0] = (char)i;
        MDB_val k = { (size_t)n, key }, v = { sizeof value, value };
        check(mdb_put(txn, dbi, &k, &v, 0), "mdb_put");
        check(mdb_txn_commit(txn), "mdb_txn_commit");
        samples[i] = now_ms() - t0;
    }
    qsort(samples, N, sizeof samples[0], cmp);
    printf("lmdb durable one-put commit: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms\n", samples[N / 2],
           samples[N * 9 / 10], samples[N * 99 / 100]);
    mdb_env_close(env);
    return 0;
}
