/* test_decide.c — whole decisions against a hand-built index: combining, sessions, links, fail modes, threads. */
#include "testing.h"

#include <pthread.h>
#include <stdlib.h>

/* The scenario's names, entities and policies (see build_scenario). */
enum { G_ADMINS, U_ALICE, U_BOB, A_VIEW, A_EDIT, D_D1, S_S1, S_S2, D_GHOST };

static vigil_scope any(void) { return (vigil_scope){ VIGIL_SCOPE_ANY, 0, 0 }; }

void build_scenario(tix *t);
void build_scenario(tix *t) {
    tix_create(t);
    uint32_t n_owner = tix_name(t, "owner"), n_risk = tix_name(t, "risk"), n_session = tix_name(t, "session"),
             n_aal = tix_name(t, "aal"), n_doc = tix_name(t, "Doc");
    vb empty = { .n = 0 }, d1 = { .n = 0 }, s1 = { .n = 0 }, s2 = { .n = 0 };
    vb_end(&empty, vb_begin(&empty, VIGIL_V_RECORD, 0));
    size_t r = vb_begin(&d1, VIGIL_V_RECORD, 1);
    vb_u32(&d1, n_owner); vb_entity(&d1, U_ALICE); vb_end(&d1, r);
    r = vb_begin(&s1, VIGIL_V_RECORD, 1); vb_u32(&s1, n_aal); vb_long(&s1, 2); vb_end(&s1, r);
    r = vb_begin(&s2, VIGIL_V_RECORD, 1); vb_u32(&s2, n_aal); vb_long(&s2, 1); vb_end(&s2, r);
    uint32_t admins = G_ADMINS;
    tix_entity(t, "Group", "admins", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    tix_entity(t, "User", "alice", VIGIL_ENT_PRESENT, &admins, 1, &empty, NULL);
    tix_entity(t, "User", "bob", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    tix_entity(t, "Action", "view", VIGIL_ENT_PRESENT | VIGIL_ENT_ACTION, NULL, 0, &empty, NULL);
    tix_entity(t, "Action", "edit", VIGIL_ENT_PRESENT | VIGIL_ENT_ACTION, NULL, 0, &empty, NULL);
    tix_entity(t, "Doc", "d1", VIGIL_ENT_PRESENT, NULL, 0, &d1, NULL);
    tix_entity(t, "Vigil::Session", "s1", VIGIL_ENT_PRESENT, NULL, 0, &s1, NULL);
    tix_entity(t, "Vigil::Session", "s2", VIGIL_ENT_PRESENT, NULL, 0, &s2, NULL);
    tix_entity(t, "Doc", "ghost", 0, NULL, 0, NULL, NULL);

    prog yes = { .n = 0 };
    asm0(&yes, OP_TRUE); asm0(&yes, OP_RET);
    /* p0: permit(principal in Group::"admins", action == view, resource); */
    tpolicy p = { .code = &yes, .principal = { VIGIL_SCOPE_IN, G_ADMINS, 0 }, .resource = any(), .id = "policy0",
                  .max_age = VIGIL_NONE };
    tix_policy(t, &p);
    /* p1: permit(principal, action == view, resource is Doc) when { resource.owner == principal }; */
    prog owner = { .n = 0 };
    asm1(&owner, OP_VAR, 2); asm1(&owner, OP_GET_ATTR, n_owner);
    asm1(&owner, OP_VAR, 0); asm0(&owner, OP_EQ); asm0(&owner, OP_RET);
    static const uint32_t spans1[] = { 0, 2, 1, 5, 2, 30 };
    p = (tpolicy){ .code = &owner, .principal = any(), .resource = { VIGIL_SCOPE_IS, 0, n_doc }, .id = "policy1",
                   .file = "p.cedar", .spans = spans1, .span_count = 2, .max_age = VIGIL_NONE };
    tix_policy(t, &p);
    /* p2: @id("no-risk") forbid(principal, action, resource) when { context.risk > 50 }; */
    prog risk = { .n = 0 };
    vb fifty = { .n = 0 };
    vb_long(&fifty, 50);
    asm1(&risk, OP_VAR, 3); asm1(&risk, OP_GET_ATTR, n_risk);
    asm1(&risk, OP_CONST, 0); asm0(&risk, OP_GT); asm0(&risk, OP_RET);
    static const uint32_t spans2[] = { 0, 3, 1, 5, 3, 20 };
    p = (tpolicy){ .code = &risk, .consts = &fifty, .const_count = 1, .principal = any(), .resource = any(),
                   .flags = VIGIL_POL_FORBID | VIGIL_POL_HAS_ANNOT_ID, .id = "policy2", .annot = "no-risk",
                   .file = "p.cedar", .spans = spans2, .span_count = 2, .max_age = VIGIL_NONE };
    tix_policy(t, &p);
    /* p3: @step_up("2") @max_age("300") forbid(principal, action == edit, resource)
     *     unless { context.session.aal >= 2 }; */
    prog aal = { .n = 0 };
    vb two = { .n = 0 };
    vb_long(&two, 2);
    asm1(&aal, OP_VAR, 3); asm1(&aal, OP_GET_ATTR, n_session); asm1(&aal, OP_GET_ATTR, n_aal); asm1(&aal, OP_CONST, 0);
    asm0(&aal, OP_GE); asm0(&aal, OP_NOT); asm0(&aal, OP_RET);
    p = (tpolicy){ .code = &aal, .consts = &two, .const_count = 1, .principal = any(), .resource = any(),
                   .flags = VIGIL_POL_FORBID | VIGIL_POL_STEP_UP, .step_up = 2, .max_age = 300, .id = "policy3" };
    tix_policy(t, &p);
    /* p4: permit(principal == User::"alice", action == edit, resource); */
    p = (tpolicy){ .code = &yes, .principal = { VIGIL_SCOPE_EQ, U_ALICE, 0 }, .resource = any(), .id = "policy4",
            .max_age = VIGIL_NONE };
    tix_policy(t, &p);
    /* p5: a template link forbid(principal == User::"bob", action == edit, resource) expiring at 1000 ms. */
    p = (tpolicy){ .code = &yes, .principal = { VIGIL_SCOPE_EQ, U_BOB, 0 }, .resource = any(), .id = "link-bob",
                   .flags = VIGIL_POL_FORBID | VIGIL_POL_LINKED, .expires_ms = 1000, .max_age = VIGIL_NONE };
    tix_policy(t, &p);
    /* p6: permit(principal == User::"bob", action == edit, resource); */
    p = (tpolicy){ .code = &yes, .principal = { VIGIL_SCOPE_EQ, U_BOB, 0 }, .resource = any(), .id = "policy6",
            .max_age = VIGIL_NONE };
    tix_policy(t, &p);
    static const uint32_t view[] = { 0, 1 }, edit[] = { 3, 4, 5, 6 }, all[] = { 2 };
    tix_by_action(t, A_VIEW, view, 2);
    tix_by_action(t, A_EDIT, edit, 4);
    tix_by_action(t, VIGIL_ANY_ACTION, all, 1);
    /* view's context type {risk: Long, session?: Record}: Longs read the same either way; fuzzing corrupts it. */
    vb ctx = { .n = 0 };
    vb_u8(&ctx, VIGIL_T_RECORD); vb_u32(&ctx, 2);
    vb_u32(&ctx, n_risk); vb_u8(&ctx, 1); vb_u8(&ctx, VIGIL_T_LONG);
    vb_u32(&ctx, n_session); vb_u8(&ctx, 0); vb_u8(&ctx, VIGIL_T_RECORD); vb_u32(&ctx, 0);
    tix_ctx_type(t, A_VIEW, &ctx);
    tix_session(t, "s1", S_S1, 0, INT64_MAX);
    tix_session(t, "s2", S_S2, 0, INT64_MAX);
    tix_session(t, "s3", S_S1, VIGIL_SESSION_REVOKED, INT64_MAX);
    tix_session(t, "s4", S_S1, 0, 1000);
    tix_header(t, 7);
    tix_commit(t);
}

vigil_request make_req(const char *principal, const char *action, const char *resource, const char *ctx,
        const char *session);
vigil_request make_req(const char *principal, const char *action, const char *resource, const char *ctx,
        const char *session) {
    vigil_request q;
    memset(&q, 0, sizeof q);
    q.principal_type = "User"; q.principal_type_len = 4;
    q.principal_id = principal; q.principal_id_len = strlen(principal);
    q.action_type = "Action"; q.action_type_len = 6;
    q.action_id = action; q.action_id_len = strlen(action);
    const char *colon = strchr(resource, ':');
    q.resource_type = "Doc"; q.resource_type_len = 3;
    if (colon) { q.resource_type = resource; q.resource_type_len = (size_t)(colon - resource); resource = colon + 1; }
    q.resource_id = resource; q.resource_id_len = strlen(resource);
    q.context_json = ctx; q.context_json_len = ctx ? strlen(ctx) : 0;
    q.session_id = session; q.session_id_len = session ? strlen(session) : 0;
    q.now_ms = 500;
    return q;
}

static void expect(vigil_index *ix, vigil_request q, int status, int effect, int reason, const uint32_t *det,
        uint32_t ndet,
                   const uint32_t *errs, uint32_t nerr, int line) {
    vigil_result r;
    int rc = vigil_decide(ix, &q, &r);
    int ok = rc == status && r.effect == effect && r.reason == reason && r.determining_count == ndet
            && r.error_count == nerr;
    for (uint32_t i = 0; ok && i < ndet; i++) ok = r.determining[i] == det[i];
    for (uint32_t i = 0; ok && i < nerr; i++) ok = r.errored[i] == errs[i];
    if (!ok) {
        fprintf(stderr, "test_decide.c:%d: status %d effect %d reason %d determining %u [", line, rc, r.effect,
                r.reason, r.determining_count);
        for (uint32_t i = 0; i < r.determining_count && i < 64; i++) fprintf(stderr, " %u", r.determining[i]);
        fprintf(stderr, " ] errors %u [", r.error_count);
        for (uint32_t i = 0; i < r.error_count && i < 64; i++) fprintf(stderr, " %u/%u", r.errored[i], r.error_kind[i]);
        fprintf(stderr, " ]\n");
    }
    CHECK(ok);
}

#define L(...) (const uint32_t[]){ __VA_ARGS__ }
#define EXPECT(q, st, eff, rsn, ...) expect(ix, (q), (st), (eff), (rsn), __VA_ARGS__, __LINE__)
#define NONE NULL, 0

static void decisions(vigil_index *ix) {
    const char *calm = "{\"risk\": 0}";
    EXPECT(make_req("alice", "view", "d1", NULL, NULL), 0, VIGIL_ALLOW, 0, L(0, 1), 2, L(2), 1);
    EXPECT(make_req("alice", "view", "d1", "{\"risk\": 80}", NULL), 0, VIGIL_DENY, 0, L(2), 1, NONE);
    EXPECT(make_req("bob", "view", "d1", calm, NULL), 0, VIGIL_DENY, 0, NONE, NONE);
    EXPECT(make_req("zed", "view", "d1", calm, NULL), 0, VIGIL_DENY, 0, NONE, NONE);
    EXPECT(make_req("alice", "view", "ghost", calm, NULL), 0, VIGIL_ALLOW, 0, L(0), 1, L(1), 1);
    EXPECT(make_req("alice", "view", "Team:x", calm, NULL), 0, VIGIL_ALLOW, 0, L(0), 1, NONE);
    /* Step-up: the forbid holds and carries @step_up, and a permit holds. */
    EXPECT(make_req("alice", "edit", "d1", calm, "s1"), 0, VIGIL_ALLOW, 0, L(4), 1, NONE);
    EXPECT(make_req("alice", "edit", "d1", calm, "s2"), 0, VIGIL_STEP_UP, 0, L(3), 1, NONE);
    EXPECT(make_req("zed", "edit", "d1", calm, "s2"), 0, VIGIL_DENY, 0, L(3), 1, NONE);   /* no permit: deny */
    EXPECT(make_req("alice", "edit", "d1", "{\"risk\": 99}", "s2"), 0, VIGIL_DENY, 0, L(2, 3), 2, NONE);
    vigil_result r;
    vigil_request q = make_req("alice", "edit", "d1", calm, "s2");
    CHECK_EQ(vigil_decide(ix, &q, &r), 0);
    CHECK_EQ(r.step_up_level, 2);
    CHECK_EQ(r.max_age, 300);
    CHECK_EQ(r.generation, 7);
    /* The session overrides any `session` the caller puts in the context. */
    EXPECT(make_req("alice", "edit", "d1", "{\"risk\": 0, \"session\": {\"aal\": 3}}", "s2"), 0, VIGIL_STEP_UP, 0,
            L(3), 1, NONE);
    EXPECT(make_req("alice", "edit", "d1", "{\"risk\": 0, \"session\": {\"aal\": 3}}", NULL), 0, VIGIL_ALLOW, 0, L(4),
            1, NONE);
    EXPECT(make_req("alice", "edit", "d1", calm, NULL), 0, VIGIL_ALLOW, 0, L(4), 1, L(3), 1);
    /* Sessions deny before any policy. */
    EXPECT(make_req("alice", "edit", "d1", calm, "s3"), 0, VIGIL_DENY, VIGIL_REASON_SESSION_REVOKED, NONE, NONE);
    EXPECT(make_req("alice", "edit", "d1", calm, "s9"), 0, VIGIL_DENY, VIGIL_REASON_SESSION_UNKNOWN, NONE, NONE);
    EXPECT(make_req("alice", "edit", "d1", calm, "s4"), 0, VIGIL_ALLOW, 0, L(4), 1, NONE);
    q = make_req("alice", "edit", "d1", calm, "s4");
    q.now_ms = 1000;
    EXPECT(q, 0, VIGIL_DENY, VIGIL_REASON_SESSION_EXPIRED, NONE, NONE);
    /* IDX-P004: an expired link is skipped. */
    /* (p3 errors here: no session, so no context.session.) */
    EXPECT(make_req("bob", "edit", "d1", calm, NULL), 0, VIGIL_DENY, 0, L(5), 1, L(3), 1);
    q = make_req("bob", "edit", "d1", calm, NULL);
    q.now_ms = 2000;
    EXPECT(q, 0, VIGIL_ALLOW, 0, L(6), 1, L(3), 1);
    q.now_ms = 0;                                                 /* the clock: long after 1970 */
    EXPECT(q, 0, VIGIL_ALLOW, 0, L(6), 1, L(3), 1);
    /* An action the index does not know: only the unconstrained policies. */
    EXPECT(make_req("alice", "delete", "d1", "{\"risk\": 80}", NULL), 0, VIGIL_DENY, 0, L(2), 1, NONE);
    /* A bad context denies with VIGIL_E_CONTEXT. */
    EXPECT(make_req("alice", "view", "d1", "{\"risk\": }", NULL), VIGIL_E_CONTEXT, VIGIL_DENY, VIGIL_REASON_ERROR,
            NONE, NONE);
    q = make_req("alice", "view", "d1", NULL, NULL);
    q.principal_id = NULL;
    EXPECT(q, VIGIL_E_INVALID_ARG, VIGIL_DENY, VIGIL_REASON_ERROR, NONE, NONE);
    CHECK_EQ(vigil_decide(ix, NULL, &r), VIGIL_E_INVALID_ARG);
    CHECK_EQ(r.effect, VIGIL_DENY);
    CHECK_EQ(vigil_decide(NULL, &q, &r), VIGIL_E_INVALID_ARG);

    /* Messages, ids, explanations, generation. */
    q = make_req("alice", "view", "ghost", NULL, NULL);
    CHECK_EQ(vigil_decide(ix, &q, &r), 0);
    CHECK_EQ(r.error_count, 2);
    CHECK_EQ(r.error_kind[0], VIGIL_ERR_MISSING_ENTITY);
    CHECK_EQ(r.error_kind[1], VIGIL_ERR_MISSING_ATTR);
    char buf[256], ann[64];
    CHECK_EQ(vigil_error_message(ix, &r, 0, buf, sizeof buf), 0);
    CHECK(strcmp(buf, "p.cedar:2:30: attribute `owner` read on an entity that does not exist") == 0);
    CHECK_EQ(vigil_error_message(ix, &r, 1, buf, sizeof buf), 0);
    CHECK(strcmp(buf, "p.cedar:3:20: attribute `risk` not found") == 0);
    CHECK_EQ(vigil_error_message(ix, &r, 1, buf, 10), VIGIL_E_BUFFER);
    CHECK_EQ(strlen(buf), 9);
    CHECK_EQ(vigil_error_message(ix, &r, 2, buf, sizeof buf), VIGIL_E_INVALID_ARG);
    CHECK_EQ(vigil_policy_id(ix, 2, buf, sizeof buf, ann, sizeof ann), 0);
    CHECK(strcmp(buf, "policy2") == 0 && strcmp(ann, "no-risk") == 0);
    CHECK_EQ(vigil_policy_id(ix, 5, buf, sizeof buf, ann, sizeof ann), 0);
    CHECK(strcmp(buf, "link-bob") == 0 && ann[0] == 0);
    CHECK_EQ(vigil_policy_id(ix, 2, buf, 4, ann, sizeof ann), VIGIL_E_BUFFER);
    CHECK(strcmp(buf, "pol") == 0);
    CHECK_EQ(vigil_policy_id(ix, 7, buf, sizeof buf, ann, sizeof ann), VIGIL_E_INVALID_ARG);
    uint64_t gen = 0;
    CHECK_EQ(vigil_index_generation(ix, &gen), 0);
    CHECK_EQ(gen, 7);
    static char trace[4096];
    q = make_req("alice", "view", "d1", NULL, NULL);
    CHECK_EQ(vigil_explain(ix, &q, &r, trace, sizeof trace), 0);
    CHECK_EQ(r.effect, VIGIL_ALLOW);
    CHECK(strstr(trace, "policy 0 `policy0` permit: scope matches; condition true") != NULL);
    CHECK(strstr(trace,
            "policy 2 `policy2` (@id \"no-risk\") forbid: scope matches; error at 3:20: attribute not found") != NULL);
    CHECK(strstr(trace, "decision: ALLOW (policies), generation 7") != NULL);
    q = make_req("bob", "view", "d1", NULL, NULL);
    CHECK_EQ(vigil_explain(ix, &q, &r, trace, sizeof trace), 0);
    CHECK(strstr(trace, "policy 0 `policy0` permit: scope does not match") != NULL);
    CHECK_EQ(vigil_explain(ix, &q, &r, trace, 20), VIGIL_E_BUFFER);
    CHECK_EQ(strlen(trace), 19);

    /* Batch: one principal, context and session; several pairs. */
    vigil_request base = make_req("alice", "", "", calm, "s2"), pairs[3];
    pairs[0] = make_req("", "view", "d1", NULL, NULL);
    pairs[1] = make_req("", "edit", "d1", NULL, NULL);
    pairs[2] = make_req("", "view", "ghost", NULL, NULL);
    vigil_result rs[3];
    CHECK_EQ(vigil_decide_batch(ix, &base, 3, pairs, pairs, rs), 0);
    CHECK_EQ(rs[0].effect, VIGIL_ALLOW);
    CHECK_EQ(rs[1].effect, VIGIL_STEP_UP);
    CHECK_EQ(rs[2].effect, VIGIL_ALLOW);
    CHECK_EQ(rs[2].error_count, 1);
    base.session_id = "s3";
    CHECK_EQ(vigil_decide_batch(ix, &base, 3, pairs, pairs, rs), 0);
    CHECK(rs[0].reason == VIGIL_REASON_SESSION_REVOKED && rs[2].reason == VIGIL_REASON_SESSION_REVOKED);
    base.session_id = NULL;
    base.session_id_len = 0;
    base.context_json = "[";
    base.context_json_len = 1;
    CHECK_EQ(vigil_decide_batch(ix, &base, 3, pairs, pairs, rs), VIGIL_E_CONTEXT);
    CHECK(rs[1].effect == VIGIL_DENY && rs[1].reason == VIGIL_REASON_ERROR);
}

/* After the thread's first decision, deciding allocates nothing: not for contexts, sessions, batches, errors. */
static void no_allocation(vigil_index *ix) {
    vigil_result r, rs[2];
    vigil_request q1 = make_req("alice", "view", "d1", "{\"risk\": 1, \"tags\": [\"a\", {\"b\": [1, 2]}]}", NULL);
    vigil_request q2 = make_req("alice", "edit", "d1", "{\"risk\": 0}", "s2");
    vigil_request q3 = make_req("zed", "view", "ghost", "{\"e\": {\"__entity\": {\"type\": \"X\", \"id\": \"y\"}}}",
            "s3");
    vigil_request pairs[2] = { make_req("", "view", "d1", NULL, NULL), make_req("", "edit", "ghost", NULL, NULL) };
    CHECK_EQ(vigil_decide(ix, &q1, &r), 0);          /* warm: this thread already decided, but be sure */
    if (t_allocations < 0) return;
    long before = t_allocations;
    CHECK(before > 0);                                /* the counter counts: opening the index allocated */
    for (int i = 0; i < 200; i++) {
        CHECK_EQ(vigil_decide(ix, &q1, &r), 0);
        CHECK_EQ(vigil_decide(ix, &q2, &r), 0);
        CHECK_EQ(vigil_decide(ix, &q3, &r), 0);
        CHECK_EQ(vigil_decide_batch(ix, &q2, 2, pairs, pairs, rs), 0);
    }
    CHECK_EQ(t_allocations - before, 0);
}

/* Threads deciding on one handle at once: each gets its own reader, and every answer is right. */
static vigil_index *shared_ix;
static void *worker(void *arg) {
    long bad = 0, seed = (long)(intptr_t)arg;
    for (int i = 0; i < 2000; i++) {
        int k = (int)((seed + i) % 3);
        vigil_request q = k == 0 ? make_req("alice", "view", "d1", "{\"risk\": 0}", NULL)
                        : k == 1 ? make_req("alice", "edit", "d1", "{\"risk\": 0}", "s2")
                        : make_req("bob", "view", "d1", "{}", NULL);
        vigil_result r;
        int want = k == 0 ? VIGIL_ALLOW : k == 1 ? VIGIL_STEP_UP : VIGIL_DENY;
        if (vigil_decide(shared_ix, &q, &r) != 0 || r.effect != want) bad++;
    }
    return (void *)(intptr_t)bad;
}

static void threads(vigil_index *ix) {
    shared_ix = ix;
    pthread_t th[4];
    for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
    long bad = 0;
    for (int i = 0; i < 4; i++) { void *r; pthread_join(th[i], &r); bad += (long)(intptr_t)r; }
    CHECK_EQ(bad, 0);
}

/* An index with a broken part: open or decide refuses it with the right status and the fail mode applies. */
static void fail_modes(void) {
    vigil_index *ix = (vigil_index *)1;
    CHECK_EQ(vigil_index_open("/nonexistent/vigil", 0, &ix), VIGIL_E_NOT_FOUND);
    CHECK(ix == NULL);
    CHECK_EQ(vigil_index_open("/tmp", 0, &ix), VIGIL_E_NOT_FOUND);      /* a directory without data.mdb */
    CHECK_EQ(vigil_index_open(NULL, 0, &ix), VIGIL_E_INVALID_ARG);
    CHECK_EQ(vigil_index_open("/tmp", 8, &ix), VIGIL_E_INVALID_ARG);

    /* Header checks, in the order magic, version, layout (IDX-H001..H003). */
    struct { const char *what; int status; } cases[] = {
        { "no meta", VIGIL_E_NOT_INDEX }, { "no header", VIGIL_E_NOT_INDEX }, { "magic", VIGIL_E_NOT_INDEX },
        { "version", VIGIL_E_VERSION }, { "magic+version", VIGIL_E_NOT_INDEX }, { "short", VIGIL_E_CORRUPT },
        { "endian", VIGIL_E_CORRUPT }, { "no policies db", VIGIL_E_CORRUPT },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        tix t;
        memset(&t, 0, sizeof t);
        snprintf(t.dir, sizeof t.dir, "/tmp/vigil-ctest-XXXXXX");
        if (!mkdtemp(t.dir)) { CHECK(0); return; }
        mdb_env_create(&t.env);
        mdb_env_set_maxdbs(t.env, 16);
        mdb_env_open(t.env, t.dir, 0, 0644);
        mdb_txn_begin(t.env, NULL, 0, &t.txn);
        if (c > 0) {
            mdb_dbi_open(t.txn, VIGIL_DB_META, MDB_CREATE, &t.meta);
            const char *dbs[] = { VIGIL_DB_NAMES, VIGIL_DB_NAME_TEXT, VIGIL_DB_UIDS, VIGIL_DB_ENTITIES,
                    VIGIL_DB_POLICIES,
                                  VIGIL_DB_BY_ACTION, VIGIL_DB_SESSIONS };
            for (int d = 0; d < 7; d++) {
                MDB_dbi dbi;
                if (c == 7 && d == 4) continue;
                mdb_dbi_open(t.txn, dbs[d], MDB_CREATE, &dbi);
            }
        }
        if (c > 1) {
            vigil_header h = { 0 };
            memcpy(h.vh_magic, VIGIL_MAGIC, 8);
            h.vh_version = VIGIL_FORMAT_VERSION;
            h.vh_endian = 0x01020304u;
            if (c == 2 || c == 4) h.vh_magic[7] = 2;
            if (c == 3) h.vh_version = VIGIL_FORMAT_VERSION - 1;    /* an index written before the last change */
            if (c == 4) h.vh_version = VIGIL_FORMAT_VERSION + 1;
            if (c == 6) h.vh_endian = 0x04030201u;
            tix_put_raw(&t, t.meta, "header", 6, &h, c == 5 ? 60 : sizeof h);
        }
        tix_commit(&t);
        int rc = vigil_index_open(t.dir, 0, &ix);
        if (rc != cases[c].status) fprintf(stderr, "header case %s: %d\n", cases[c].what, rc);
        CHECK_EQ(rc, cases[c].status);
        if (rc == 0) vigil_index_close(ix);
        tix_remove(t.dir);
    }

    /* A corrupt program: CORRUPT, DENY, or ALLOW when the handle fails open; a bad context still denies. */
    tix t;
    tix_create(&t);
    tix_entity(&t, "User", "alice", VIGIL_ENT_PRESENT, NULL, 0, NULL, NULL);
    prog bad = { .n = 0 };
    asm0(&bad, OP_TRUE);                         /* no RET: runs off the end */
    tpolicy p = { .code = &bad, .principal = any(), .resource = any(), .max_age = VIGIL_NONE };
    tix_policy(&t, &p);
    uint32_t zero = 0;
    tix_by_action(&t, VIGIL_ANY_ACTION, &zero, 1);
    tix_header(&t, 1);
    tix_commit(&t);
    vigil_index *closed, *open_ix;
    CHECK_EQ(vigil_index_open(t.dir, 0, &closed), 0);
    CHECK_EQ(vigil_index_open(t.dir, VIGIL_OPEN_FAIL_OPEN, &open_ix), 0);
    vigil_request q = make_req("alice", "view", "d1", NULL, NULL);
    vigil_result r;
    CHECK_EQ(vigil_decide(closed, &q, &r), VIGIL_E_CORRUPT);
    CHECK(r.effect == VIGIL_DENY && r.reason == VIGIL_REASON_ERROR);
    CHECK_EQ(vigil_decide(open_ix, &q, &r), VIGIL_E_CORRUPT);
    CHECK(r.effect == VIGIL_ALLOW && r.reason == VIGIL_REASON_ERROR);
    q.context_json = "nope";
    q.context_json_len = 4;
    CHECK_EQ(vigil_decide(open_ix, &q, &r), VIGIL_E_CONTEXT);
    CHECK_EQ(r.effect, VIGIL_DENY);
    vigil_index_close(closed);
    vigil_index_close(open_ix);
    tix_remove(t.dir);

    /* IDX-A001: an unsorted by_action list, or a number past the count. */
    for (int c = 0; c < 2; c++) {
        tix_create(&t);
        tix_entity(&t, "User", "alice", VIGIL_ENT_PRESENT, NULL, 0, NULL, NULL);
        prog yes = { .n = 0 };
        asm0(&yes, OP_TRUE); asm0(&yes, OP_RET);
        p.code = &yes;
        tix_policy(&t, &p);
        tix_policy(&t, &p);
        uint32_t list[2] = { 1, c == 0 ? 0 : 5 };
        tix_by_action(&t, VIGIL_ANY_ACTION, list, 2);
        tix_header(&t, 1);
        tix_commit(&t);
        CHECK_EQ(vigil_index_open(t.dir, 0, &closed), 0);
        q = make_req("alice", "view", "d1", NULL, NULL);
        CHECK_EQ(vigil_decide(closed, &q, &r), VIGIL_E_CORRUPT);
        vigil_index_close(closed);
        tix_remove(t.dir);
    }
}

/* An index compiled with a schema: ctx_types says view's context.ip is an ipaddr, so a plain string becomes one.
 * permit(principal, action, resource) when { context.ip.isInRange(ip("10.0.0.0/8")) }; */
static void schema_directed(void) {
    tix t;
    tix_create(&t);
    uint32_t n_ip = tix_name(&t, "ip");
    tix_entity(&t, "User", "alice", VIGIL_ENT_PRESENT, NULL, 0, NULL, NULL);
    uint32_t view = tix_entity(&t, "Action", "view", VIGIL_ENT_PRESENT | VIGIL_ENT_ACTION, NULL, 0, NULL, NULL);
    tix_entity(&t, "Action", "edit", VIGIL_ENT_PRESENT | VIGIL_ENT_ACTION, NULL, 0, NULL, NULL);
    uint32_t share = tix_entity(&t, "Action", "share", VIGIL_ENT_PRESENT | VIGIL_ENT_ACTION, NULL, 0, NULL, NULL);
    uint32_t list = tix_entity(&t, "Action", "list", VIGIL_ENT_PRESENT | VIGIL_ENT_ACTION, NULL, 0, NULL, NULL);
    vb desc = { .n = 0 }, net = { .n = 0 }, plain = { .n = 0 };
    vb_u8(&desc, VIGIL_T_RECORD); vb_u32(&desc, 1); vb_u32(&desc, n_ip); vb_u8(&desc, 1); vb_u8(&desc, VIGIL_T_IPADDR);
    tix_ctx_type(&t, view, &desc);
    tix_ctx_type(&t, share, &desc);            /* the same type as view's */
    vb_u8(&plain, VIGIL_T_RECORD); vb_u32(&plain, 1); vb_u32(&plain, n_ip); vb_u8(&plain, 1);
    vb_u8(&plain, VIGIL_T_STRING);
    tix_ctx_type(&t, list, &plain);            /* ip: String */
    uint8_t ip[19];
    CHECK(vigil__ip_parse((const uint8_t *)"10.0.0.0/8", 10, ip));
    memcpy(net.b, ip, 19);
    net.n = 19;
    prog code = { .n = 0 };
    asm1(&code, OP_VAR, 3); asm1(&code, OP_GET_ATTR, n_ip); asm1(&code, OP_CONST, 0);
    asm2(&code, OP_EXT, EXT_IS_IN_RANGE, 2); asm0(&code, OP_RET);
    tpolicy p = { .code = &code, .consts = &net, .const_count = 1, .principal = any(), .resource = any(),
            .id = "policy0",
                  .max_age = VIGIL_NONE };
    tix_policy(&t, &p);
    uint32_t zero = 0;
    tix_by_action(&t, VIGIL_ANY_ACTION, &zero, 1);
    tix_header(&t, 1);
    tix_commit(&t);
    vigil_index *ix;
    CHECK_EQ(vigil_index_open(t.dir, 0, &ix), 0);
    EXPECT(make_req("alice", "view", "d1", "{\"ip\": \"10.1.2.3\"}", NULL), 0, VIGIL_ALLOW, 0, L(0), 1, NONE);
    EXPECT(make_req("alice", "view", "d1", "{\"ip\": \"192.168.0.1\"}", NULL), 0, VIGIL_DENY, 0, NONE, NONE);
    EXPECT(make_req("alice", "view", "d1", "{\"ip\": \"10.1.2\"}", NULL), VIGIL_E_CONTEXT, VIGIL_DENY,
            VIGIL_REASON_ERROR, NONE, NONE);
    /* edit has no context type: the string stays a string, and isInRange is a type error. */
    EXPECT(make_req("alice", "edit", "d1", "{\"ip\": \"10.1.2.3\"}", NULL), 0, VIGIL_DENY, 0, NONE, L(0), 1);
    /* The same keys under each action's type in turn, at the same and at other places: a thread remembers keys
     * by place and descriptor, and view and share share theirs. */
    for (int round = 0; round < 3; round++) {
        const char *ctx = round == 1 ? "{\"x\": 1, \"ip\": \"10.1.2.3\"}" : "{\"ip\": \"10.1.2.3\", \"x\": 1}";
        EXPECT(make_req("alice", "view", "d1", ctx, NULL), 0, VIGIL_ALLOW, 0, L(0), 1, NONE);
        EXPECT(make_req("alice", "list", "d1", ctx, NULL), 0, VIGIL_DENY, 0, NONE, L(0), 1);
        EXPECT(make_req("alice", "share", "d1", ctx, NULL), 0, VIGIL_ALLOW, 0, L(0), 1, NONE);
        EXPECT(make_req("alice", "edit", "d1", ctx, NULL), 0, VIGIL_DENY, 0, NONE, L(0), 1);
        EXPECT(make_req("alice", "share", "d1", ctx, NULL), 0, VIGIL_ALLOW, 0, L(0), 1, NONE);
    }
    /* A batch parses the context once per context type, and each pair gets its own. */
    vigil_request base = make_req("alice", "", "", "{\"ip\": \"10.1.2.3\"}", NULL), pairs[3];
    pairs[0] = make_req("", "view", "d1", NULL, NULL);
    pairs[1] = make_req("", "edit", "d1", NULL, NULL);
    pairs[2] = make_req("", "view", "d2", NULL, NULL);
    vigil_result rs[3];
    CHECK_EQ(vigil_decide_batch(ix, &base, 3, pairs, pairs, rs), 0);
    CHECK(rs[0].effect == VIGIL_ALLOW && rs[1].effect == VIGIL_DENY && rs[1].error_count == 1
            && rs[2].effect == VIGIL_ALLOW);
    vigil_index_close(ix);
    tix_remove(t.dir);
}

void test_decide(void) {
    schema_directed();
    tix t;
    build_scenario(&t);
    vigil_index *ix;
    CHECK_EQ(vigil_index_open(t.dir, 0, &ix), VIGIL_OK);
    decisions(ix);
    no_allocation(ix);
    threads(ix);
    vigil_index_close(ix);
    tix_remove(t.dir);
    fail_modes();
    vigil_index_close(NULL);
}
