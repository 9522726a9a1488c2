/*
 * bench-lmdb-floor.c — issue 3's floor for a decision: four raw LMDB reads of the keys a decision reads, timed the
 * way bench-decide.c times vigil_decide (used by scripts/bench-ratios.py). Per request: renew the read transaction,
 * look up the principal's and the resource's uid in `uids` (key: u32 type name id, then the id bytes), read both
 * eids' entries in `entities`, touch their first bytes, reset the transaction — 4 gets. Format 1 needed all four
 * to reach the two records; format 2 keeps each record beside its eid in `uids`, so the evaluator needs the first
 * two, and the last two stay only to keep the floor the issue defined.
 *   gcc -O2 bench-lmdb-floor.c -llmdb -o bench-lmdb-floor
 *   ./bench-lmdb-floor INDEX_DIR REQUESTS.tsv [PASSES]
 */
#include "bench-common.h"

#include <lmdb.h>

static void check(int rc, const char *what) {
    if (rc != MDB_SUCCESS) { fprintf(stderr, "%s: %s\n", what, mdb_strerror(rc)); exit(1); }
}

typedef struct { unsigned char *p; size_t len; } key_buf;

static uint32_t name_id(MDB_txn *txn, MDB_dbi names, const char *name, size_t len) {
    MDB_val k = { len, (void *)name }, v;
    check(mdb_get(txn, names, &k, &v), name);
    uint32_t id;
    memcpy(&id, v.mv_data, 4);
    return id;
}

static key_buf uid_key(MDB_txn *txn, MDB_dbi names, const char *type, size_t tlen, const char *id, size_t ilen) {
    key_buf k = { malloc(4 + ilen), 4 + ilen };
    uint32_t nid = name_id(txn, names, type, tlen);
    memcpy(k.p, &nid, 4);
    memcpy(k.p + 4, id, ilen);
    return k;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s INDEX_DIR REQUESTS.tsv [PASSES]\n", argv[0]); return 2; }
    int passes = argc > 3 ? atoi(argv[3]) : 3;
    size_t n;
    bench_line *lines = bench_read(argv[2], &n);

    MDB_env *env;
    check(mdb_env_create(&env), "mdb_env_create");
    check(mdb_env_set_maxdbs(env, 32), "mdb_env_set_maxdbs");
    check(mdb_env_set_maxreaders(env, 126), "mdb_env_set_maxreaders");
    check(mdb_env_open(env, argv[1], MDB_RDONLY | MDB_NOTLS, 0), "mdb_env_open");
    MDB_txn *txn;
    check(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "mdb_txn_begin");
    MDB_dbi names, uids, entities;
    check(mdb_dbi_open(txn, "names", 0, &names), "names");
    check(mdb_dbi_open(txn, "uids", 0, &uids), "uids");
    check(mdb_dbi_open(txn, "entities", MDB_INTEGERKEY, &entities), "entities");
    /* A read transaction that ends any other way than commit closes the handles it opened. */
    check(mdb_txn_commit(txn), "mdb_txn_commit");
    check(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "mdb_txn_begin");
    key_buf *pk = malloc(n * sizeof *pk), *rk = malloc(n * sizeof *rk);
    for (size_t i = 0; i < n; i++) {
        bench_line *l = &lines[i];
        pk[i] = uid_key(txn, names, l->field[0], l->len[0], l->field[1], l->len[1]);
        rk[i] = uid_key(txn, names, l->field[4], l->len[4], l->field[5], l->len[5]);
    }
    mdb_txn_reset(txn);

    uint64_t sink = 0;
    size_t missing = 0;
    /* One request's reads; the first pass also counts uids the index lacks (there should be none). */
    #define READS() do { \
        check(mdb_txn_renew(txn), "mdb_txn_renew"); \
        MDB_val k1 = { pk[i].len, pk[i].p }, k2 = { rk[i].len, rk[i].p }, v1, v2, e1, e2; \
        if (mdb_get(txn, uids, &k1, &v1) == 0 && mdb_get(txn, uids, &k2, &v2) == 0) { \
            unsigned int a, b; memcpy(&a, v1.mv_data, 4); memcpy(&b, v2.mv_data, 4); \
            MDB_val ka = { sizeof a, &a }, kb = { sizeof b, &b }; \
            if (mdb_get(txn, entities, &ka, &e1) == 0 && mdb_get(txn, entities, &kb, &e2) == 0) \
                sink += ((unsigned char *)e1.mv_data)[0] + ((unsigned char *)e2.mv_data)[0]; \
            else missing++; \
        } else missing++; \
        mdb_txn_reset(txn); \
    } while (0)

    for (size_t i = 0; i < n; i++) READS();
    if (missing) fprintf(stderr, "bench-lmdb-floor: %zu requests name an entity the index lacks\n", missing);
    uint64_t *samples = malloc((size_t)passes * n * sizeof *samples);
    size_t k = 0;
    for (int p = 0; p < passes; p++) {
        for (size_t i = 0; i < n; i++) {
            uint64_t t0 = bench_now_ns();
            READS();
            samples[k++] = bench_now_ns() - t0;
        }
    }
    uint64_t t0 = bench_now_ns();
    for (size_t i = 0; i < n; i++) READS();
    double loop_mean = (double)(bench_now_ns() - t0) / (double)n;
    bench_report("lmdb_4_gets", samples, k, loop_mean);
    fprintf(stderr, "bench-lmdb-floor: checksum %llu\n", (unsigned long long)sink);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return 0;
}
