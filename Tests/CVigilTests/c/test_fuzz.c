/* test_fuzz.c — random contexts and corrupted index records: every answer is a status, never a crash.
 * Fixed seeds and short runs, so the test is repeatable and fast; VIGIL_FUZZ_SCALE=N in the environment runs N
 * times as many (with a seed that depends on N) for a long local run. */
#include "testing.h"

#include <stdlib.h>

void build_scenario(tix *t);
vigil_request make_req(const char *principal, const char *action, const char *resource, const char *ctx,
        const char *session);

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static int scale(void) {
    const char *s = getenv("VIGIL_FUZZ_SCALE");
    int n = s ? atoi(s) : 1;
    return n > 0 ? n : 1;
}

static int valid_status(int rc) {
    return rc == VIGIL_OK || rc == VIGIL_E_CONTEXT || rc == VIGIL_E_CORRUPT || rc == VIGIL_E_LIMIT;
}

static const char *const seeds[] = {
    "{\"risk\": 0, \"a\": [1, 2, {\"b\": \"x\"}], \"e\": {\"__entity\": {\"type\": \"User\", \"id\": \"alice\"}}}",
    "{\"x\": {\"__extn\": {\"fn\": \"offset\", \"args\": "
    "[{\"__extn\": {\"fn\": \"datetime\", \"arg\": \"2024-01-01\"}}, "
    "{\"__extn\": {\"fn\": \"duration\", \"arg\": \"1h\"}}]}}, \"s\": \"\\u00e9\\ud83d\\ude00\"}",
    "{\"risk\": -9223372036854775808, \"session\": {\"aal\": 3}, \"deep\": [[[[[[[[]]]]]]]]}",
};

static void fuzz_contexts(vigil_index *ix) {
    static char buf[600];
    int bad = 0;
    for (int i = 0; i < 20000 * scale(); i++) {
        size_t n;
        if (i % 4 == 0) {
            n = rnd() % 200;
            for (size_t k = 0; k < n; k++) buf[k] = (char)rnd();
        } else {
            /* Mutations of valid contexts: flip, insert or delete a few bytes, mostly JSON punctuation. */
            const char *s = seeds[rnd() % 3];
            n = strlen(s);
            memcpy(buf, s, n);
            static const char alphabet[] = "{}[]\":,\\ 0123456789-.eEtrufalsn_xu";
            for (int m = 1 + (int)(rnd() % 4); m > 0; m--) {
                size_t at = rnd() % (n + 1);
                uint32_t kind = rnd() % 3;
                char ch = rnd() % 4 ? alphabet[rnd() % (sizeof alphabet - 1)] : (char)rnd();
                if (kind == 0 && at < n) buf[at] = ch;
                else if (kind == 1 && n < sizeof buf - 1) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = ch;
                    n++;
                }
                else if (at < n) { memmove(buf + at, buf + at + 1, n - at - 1); n--; }
            }
        }
        vigil_request q = make_req("alice", "view", "d1", NULL, i % 2 ? "s2" : NULL);
        q.context_json = buf;
        q.context_json_len = n;
        vigil_result r;
        int rc = vigil_decide(ix, &q, &r);
        if (!valid_status(rc) || (rc != 0 && r.effect != VIGIL_DENY)) bad++;
    }
    CHECK_EQ(bad, 0);
}

/* Flips bytes of one record (a policy, an entity record or its uid key, a by_action list, a session, a context type)
 * and decides a few requests. */
static void fuzz_records(void) {
    tix t;
    build_scenario(&t);
    MDB_env *env;
    mdb_env_create(&env);
    mdb_env_set_maxdbs(env, 16);
    mdb_env_set_mapsize(env, 64u << 20);
    if (mdb_env_open(env, t.dir, 0, 0644)) { CHECK(0); return; }
    static const char *const dbnames[] = { VIGIL_DB_POLICIES, VIGIL_DB_UIDS, VIGIL_DB_ENTITIES, VIGIL_DB_BY_ACTION,
                                           VIGIL_DB_SESSIONS, VIGIL_DB_CTX_TYPES };
    int bad = 0, corrupt = 0, decided = 0;
    for (int iter = 0; iter < 500 * scale(); iter++) {
        MDB_txn *txn;
        MDB_dbi dbi;
        mdb_txn_begin(env, NULL, 0, &txn);
        mdb_dbi_open(txn, dbnames[iter % 6], 0, &dbi);
        /* Pick a record: the n-th key of the database. */
        MDB_cursor *cur;
        mdb_cursor_open(txn, dbi, &cur);
        MDB_val k, v;
        uint32_t skip = rnd() % 8;
        int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
        while (rc == 0 && skip--) {
            rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            if (rc) rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
        }
        static uint8_t key[512], orig[16384], mut[16384];
        size_t klen = k.mv_size, vlen = v.mv_size, mlen = vlen;
        memcpy(key, k.mv_data, klen);
        memcpy(orig, v.mv_data, vlen);
        memcpy(mut, orig, vlen);
        mdb_cursor_close(cur);
        int how = (int)(rnd() % 4);
        if (how == 0 && vlen) mlen = rnd() % vlen;                       /* truncated */
        else for (int f = 1 + (int)(rnd() % 4); f > 0 && vlen; f--) {
            size_t at = rnd() % vlen;
            mut[at] = how == 1 ? (uint8_t)rnd() : how == 2 ? (uint8_t)(mut[at] ^ (1u << (rnd() % 8))) : 0xFF;
        }
        MDB_val mk = { klen, key }, mv = { mlen, mut };
        mdb_put(txn, dbi, &mk, &mv, 0);
        mdb_txn_commit(txn);

        vigil_index *ix;
        if (vigil_index_open(t.dir, 0, &ix) == 0) {
            static const char *const who[] = { "alice", "bob", "zed" }, *const act[] = { "view", "edit" },
                *const res[] = { "d1", "ghost" }, *const ses[] = { NULL, "s1", "s2", "s3", "s4" };
            for (int d = 0; d < 12; d++) {
                vigil_request q = make_req(who[rnd() % 3], act[rnd() % 2], res[rnd() % 2],
                        d % 2 ? "{\"risk\": 3}" : NULL,
                                           ses[rnd() % 5]);
                vigil_result r;
                static char trace[2048];
                int st = d % 3 == 0 ? vigil_explain(ix, &q, &r, trace, sizeof trace) : vigil_decide(ix, &q, &r);
                if (st == VIGIL_E_BUFFER) st = VIGIL_OK;
                if (!valid_status(st)) { bad++; fprintf(stderr, "fuzz: status %d\n", st); }
                if (st == VIGIL_E_CORRUPT) corrupt++;
                decided++;
                char msg[256], id[64], ann[64];
                for (uint32_t e = 0; e < r.error_count && e < 4; e++) (void)vigil_error_message(ix, &r, e, msg,
                        sizeof msg);
                for (uint32_t e = 0; e < r.determining_count && e < 4; e++) (void)vigil_policy_id(ix, r.determining[e],
                        id, sizeof id, ann, sizeof ann);
            }
            vigil_index_close(ix);
        }
        /* Restore the record for the next round. */
        mdb_txn_begin(env, NULL, 0, &txn);
        MDB_val ov = { vlen, orig };
        mdb_put(txn, dbi, &mk, &ov, 0);
        mdb_txn_commit(txn);
    }
    mdb_env_close(env);
    tix_remove(t.dir);
    CHECK_EQ(bad, 0);
    CHECK(corrupt > 0);        /* the checks did fire */
    CHECK(decided > 1000);
    printf("fuzz: %d decisions on corrupted records, %d answered VIGIL_E_CORRUPT\n", decided, corrupt);
}

void test_fuzz(void) {
    rng ^= (uint64_t)scale() * 0x2545F4914F6CDD1Dull;
    tix t;
    build_scenario(&t);
    vigil_index *ix;
    CHECK_EQ(vigil_index_open(t.dir, 0, &ix), VIGIL_OK);
    fuzz_contexts(ix);
    vigil_index_close(ix);
    tix_remove(t.dir);
    fuzz_records();
}
