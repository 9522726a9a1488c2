/* test_cache.c — the reader's entity and uid caches (index.c): sets of VIGIL__WAYS entries, least recently used
 * out. More entities than a set holds, whose eids all fall in one set, are read round after round: every read
 * must give the entity's own record, and the entity that waited longest is the one that leaves. Then more uids
 * than the uid cache holds resolve to their own eids twice over. Last, policies past the thread's policy cache
 * (read and verified anew by every decision) decide as the ones it keeps do. */
#include "testing.h"

/* The ecache set that eid falls in, and whether it holds eid for the current snapshot. */
static int cached(vigil__reader *rd, uint32_t eid) {
    vigil__ecache_entry *set = vigil__ecache_set(rd, eid);
    for (int w = 0; w < VIGIL__WAYS; w++)
        if (set[w].ec_eid == eid && set[w].ec_epoch == rd->rd_epoch) return 1;
    return 0;
}

/* Reads eid's attributes: its record's `n` attribute must be `want`. */
static void read_one(vigil__reader *rd, uint32_t eid, uint32_t n_id, int64_t want) {
    vigil__entity en;
    CHECK_EQ(vigil__entity_get(rd, eid, &en, VIGIL__WANT_ATTRS), 1);
    vigil_val v;
    CHECK(en.en_attrs.n && vigil__record_get(en.en_attrs, n_id, &v));
    if (en.en_attrs.n && vigil__record_get(en.en_attrs, n_id, &v)) CHECK_EQ(vigil__rdi64(v.p + 1), want);
}

static void test_policies_past_cache(void);

void test_cache(void) {
    enum { SETS = VIGIL__ECACHE / VIGIL__WAYS, SAME = VIGIL__WAYS + 2, TOTAL = SETS * SAME };
    tix t;
    tix_create(&t);
    uint32_t n_id = tix_name(&t, "n");
    for (int i = 0; i < TOTAL; i++) {
        vb attrs = { .n = 0 };
        size_t at = vb_begin(&attrs, VIGIL_V_RECORD, 1);
        vb_u32(&attrs, n_id);
        vb_long(&attrs, i);
        vb_end(&attrs, at);
        char id[16];
        snprintf(id, sizeof id, "u%d", i);
        CHECK_EQ(tix_entity(&t, "User", id, VIGIL_ENT_PRESENT, NULL, 0, &attrs, NULL), (uint32_t)i);
    }
    tix_header(&t, 1);
    tix_commit(&t);
    vigil_index *ix;
    CHECK_EQ(vigil_index_open(t.dir, VIGIL_OPEN_NO_LOG, &ix), VIGIL_OK);
    vigil__reader *rd = t_reader(ix);

    /* Entities 7, 7 + SETS, 7 + 2 SETS, ...: one set, SAME of them. */
    uint32_t e[SAME];
    for (int k = 0; k < SAME; k++) e[k] = 7 + (uint32_t)k * SETS;
    for (int round = 0; round < 3; round++) {
        for (int k = 0; k < SAME; k++) {
            read_one(rd, e[k], n_id, e[k]);
            vigil__reader_end(rd);            /* one decision each: use is counted per transaction */
            CHECK_EQ(vigil__reader_begin(rd), VIGIL_OK);
        }
    }
    /* The last VIGIL__WAYS read are held; the ones before them were put out, oldest first. */
    for (int k = 0; k < SAME; k++) CHECK_EQ(cached(rd, e[k]), k >= SAME - VIGIL__WAYS);
    /* A hot entity stays while others come and go through its set. */
    for (int k = 0; k < SAME; k++) {
        read_one(rd, e[0], n_id, e[0]);
        vigil__reader_end(rd);
        CHECK_EQ(vigil__reader_begin(rd), VIGIL_OK);
        read_one(rd, e[k], n_id, e[k]);
        vigil__reader_end(rd);
        CHECK_EQ(vigil__reader_begin(rd), VIGIL_OK);
    }
    CHECK(cached(rd, e[0]));

    /* Uids: more than the uid cache holds, in two passes, each to its own eid. */
    uint32_t user;
    CHECK_EQ(vigil__name_find(rd, (const uint8_t *)"User", 4, &user), 1);
    int wrong = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < TOTAL; i += 1 + pass) {
            char id[16];
            int n = snprintf(id, sizeof id, "u%d", i);
            uint32_t eid = VIGIL_NONE;
            CHECK_EQ(vigil__entity_id(rd, user, (const uint8_t *)id, (size_t)n, &eid), VIGIL_OK);
            if (eid != (uint32_t)i) wrong++;
            if (i % 97 == 0) {
                vigil__reader_end(rd);
                CHECK_EQ(vigil__reader_begin(rd), VIGIL_OK);
            }
        }
    }
    CHECK_EQ(wrong, 0);
    vigil__reader_end(rd);
    vigil_index_close(ix);
    tix_remove(t.dir);
    test_policies_past_cache();
}

/* VIGIL__PCACHE_MAX + 3 policies, all with unconstrained scopes: the even ones permit, and the last three, past
 * the policy cache, are `forbid when { principal == User::"bob" }`, a permit that errors (a missing attribute),
 * and a permit that holds. */
static void test_policies_past_cache(void) {
    enum { N = VIGIL__PCACHE_MAX + 3 };
    tix t;
    tix_create(&t);
    uint32_t n_missing = tix_name(&t, "missing");
    tix_entity(&t, "User", "alice", VIGIL_ENT_PRESENT, NULL, 0, NULL, NULL);
    uint32_t bob = tix_entity(&t, "User", "bob", VIGIL_ENT_PRESENT, NULL, 0, NULL, NULL);
    tix_entity(&t, "Action", "read", VIGIL_ENT_PRESENT | VIGIL_ENT_ACTION, NULL, 0, NULL, NULL);
    tix_entity(&t, "Doc", "d", VIGIL_ENT_PRESENT, NULL, 0, NULL, NULL);
    prog yes = { .n = 0 }, no = { .n = 0 }, is_bob = { .n = 0 }, errs = { .n = 0 };
    asm0(&yes, OP_TRUE); asm0(&yes, OP_RET);
    asm0(&no, OP_FALSE); asm0(&no, OP_RET);
    asm1(&is_bob, OP_VAR, 0); asm1(&is_bob, OP_CONST, 0); asm0(&is_bob, OP_EQ); asm0(&is_bob, OP_RET);
    asm1(&errs, OP_VAR, 0); asm1(&errs, OP_GET_ATTR, n_missing); asm0(&errs, OP_RET);
    vb bob_const = { .n = 0 };
    vb_entity(&bob_const, bob);
    static uint32_t nums[N];
    for (uint32_t i = 0; i < N; i++) {
        tpolicy p = { .principal = { VIGIL_SCOPE_ANY, 0, 0 }, .resource = { VIGIL_SCOPE_ANY, 0, 0 }, .id = "p",
                      .max_age = VIGIL_NONE, .code = i % 2 == 0 ? &yes : &no };
        if (i == N - 3) p = (tpolicy){ .principal = p.principal, .resource = p.resource, .id = "p",
                                       .max_age = VIGIL_NONE, .flags = VIGIL_POL_FORBID, .code = &is_bob,
                                       .consts = &bob_const, .const_count = 1 };
        if (i == N - 2) p.code = &errs;
        if (i == N - 1) p.code = &yes;
        nums[i] = tix_policy(&t, &p);
    }
    tix_by_action(&t, VIGIL_ANY_ACTION, nums, N);
    tix_header(&t, 1);
    tix_commit(&t);
    vigil_index *ix;
    CHECK_EQ(vigil_index_open(t.dir, VIGIL_OPEN_NO_LOG, &ix), VIGIL_OK);
    uint32_t permits = (N - 3 + 1) / 2 + 1;   /* the even ones below N - 3, and N - 1 */
    for (int round = 0; round < 3; round++) {
        const char *who = round == 1 ? "bob" : "alice";
        vigil_request q;
        memset(&q, 0, sizeof q);
        q.principal_type = "User"; q.principal_type_len = 4; q.principal_id = who; q.principal_id_len = strlen(who);
        q.action_type = "Action"; q.action_type_len = 6; q.action_id = "read"; q.action_id_len = 4;
        q.resource_type = "Doc"; q.resource_type_len = 3; q.resource_id = "d"; q.resource_id_len = 1;
        q.now_ms = 1;
        vigil_result r;
        CHECK_EQ(vigil_decide(ix, &q, &r), VIGIL_OK);
        CHECK_EQ(r.error_count, 1);
        CHECK_EQ(r.errored[0], N - 2);
        CHECK_EQ(r.error_kind[0], VIGIL_ERR_MISSING_ATTR);
        if (round == 1) {
            CHECK_EQ(r.effect, VIGIL_DENY);
            CHECK_EQ(r.determining_count, 1);
            CHECK_EQ(r.determining[0], N - 3);
        } else {
            CHECK_EQ(r.effect, VIGIL_ALLOW);
            CHECK_EQ(r.determining_count, permits);
            CHECK_EQ(r.determining[1], 2);
        }
    }
    vigil_index_close(ix);
    tix_remove(t.dir);
}
