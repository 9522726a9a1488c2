/* test_batch.c — a batch remembers condition outcomes between its pairs (decide.c: the outcome cache, action
 * memos, rows by resource): each pair must still get exactly what vigil_decide gives it alone. Conditions here
 * read the resource, the action, or neither; some pairs name resources and actions the index lacks (temporary
 * ids, reused from pair to pair, here for entities of different types); contexts differ between calls. */
#include "testing.h"

static vigil_request req(const char *action, const char *rtype, const char *resource, const char *context) {
    vigil_request q;
    memset(&q, 0, sizeof q);
    q.principal_type = "User"; q.principal_type_len = 4;
    q.principal_id = "alice"; q.principal_id_len = 5;
    q.action_type = "Action"; q.action_type_len = 6;
    q.action_id = action; q.action_id_len = strlen(action);
    q.resource_type = rtype; q.resource_type_len = strlen(rtype);
    q.resource_id = resource; q.resource_id_len = strlen(resource);
    q.context_json = context; q.context_json_len = context ? strlen(context) : 0;
    q.now_ms = 1;
    return q;
}

static int same_result(const vigil_result *a, const vigil_result *b) {
    if (a->effect != b->effect || a->reason != b->reason || a->determining_count != b->determining_count ||
        a->error_count != b->error_count)
        return 0;
    for (uint32_t i = 0; i < a->determining_count && i < VIGIL_RESULT_MAX_POLICIES; i++)
        if (a->determining[i] != b->determining[i]) return 0;
    for (uint32_t i = 0; i < a->error_count && i < VIGIL_RESULT_MAX_POLICIES; i++)
        if (a->errored[i] != b->errored[i] || a->error_kind[i] != b->error_kind[i] || a->error_pc[i] != b->error_pc[i])
            return 0;
    return 1;
}

static void test_shapes(void);

void test_batch(void) {
    test_shapes();
    tix t;
    tix_create(&t);
    uint32_t n_secret = tix_name(&t, "secret"), n_block = tix_name(&t, "block"), n_img = tix_name(&t, "Img");
    vb open = { .n = 0 }, closed = { .n = 0 }, empty = { .n = 0 };
    size_t r = vb_begin(&open, VIGIL_V_RECORD, 1); vb_u32(&open, n_secret); vb_bool(&open, 0); vb_end(&open, r);
    r = vb_begin(&closed, VIGIL_V_RECORD, 1); vb_u32(&closed, n_secret); vb_bool(&closed, 1); vb_end(&closed, r);
    vb_end(&empty, vb_begin(&empty, VIGIL_V_RECORD, 0));
    tix_entity(&t, "User", "alice", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    tix_entity(&t, "Doc", "open", VIGIL_ENT_PRESENT, NULL, 0, &open, NULL);
    tix_entity(&t, "Doc", "closed", VIGIL_ENT_PRESENT, NULL, 0, &closed, NULL);
    tix_entity(&t, "Action", "read", VIGIL_ENT_PRESENT | VIGIL_ENT_ACTION, NULL, 0, &empty, NULL);
    uint32_t write = tix_entity(&t, "Action", "write", VIGIL_ENT_PRESENT | VIGIL_ENT_ACTION, NULL, 0, &empty, NULL);
    vigil_scope any = { VIGIL_SCOPE_ANY, 0, 0 };
    /* 0: permit when { !resource.secret } (an error on a resource the index lacks) */
    prog p0 = { .n = 0 };
    asm1(&p0, OP_VAR, 2); asm1(&p0, OP_GET_ATTR, n_secret); asm0(&p0, OP_NOT); asm0(&p0, OP_RET);
    tpolicy pol0 = { .principal = any, .resource = any, .code = &p0 };
    /* 1: permit when { action == Action::"write" } */
    prog p1 = { .n = 0 };
    vb c1 = { .n = 0 };
    vb_entity(&c1, write);
    asm1(&p1, OP_VAR, 1); asm1(&p1, OP_CONST, 0); asm0(&p1, OP_EQ); asm0(&p1, OP_RET);
    tpolicy pol1 = { .principal = any, .resource = any, .code = &p1, .consts = &c1, .const_count = 1 };
    /* 2: forbid when { context.block } (reads neither) */
    prog p2 = { .n = 0 };
    asm1(&p2, OP_VAR, 3); asm1(&p2, OP_GET_ATTR, n_block); asm0(&p2, OP_RET);
    tpolicy pol2 = { .flags = VIGIL_POL_FORBID, .principal = any, .resource = any, .code = &p2 };
    /* 3: permit when { resource.secret && action == Action::"write" } (reads both) */
    prog p3 = { .n = 0 };
    asm1(&p3, OP_VAR, 2); asm1(&p3, OP_GET_ATTR, n_secret);
    uint32_t jf = asm1(&p3, OP_JUMP_IF_FALSE, 0);
    asm1(&p3, OP_VAR, 1); asm1(&p3, OP_CONST, 0); asm0(&p3, OP_EQ); asm0(&p3, OP_RET);
    asm_patch(&p3, jf, p3.n);
    asm0(&p3, OP_FALSE); asm0(&p3, OP_RET);
    tpolicy pol3 = { .principal = any, .resource = any, .code = &p3, .consts = &c1, .const_count = 1 };
    /* 4: permit when { resource is Img } (only ever a temporary entity here) */
    prog p4 = { .n = 0 };
    asm1(&p4, OP_VAR, 2); asm1(&p4, OP_IS, n_img); asm0(&p4, OP_RET);
    tpolicy pol4 = { .principal = any, .resource = any, .code = &p4 };
    uint32_t nums[5] = { tix_policy(&t, &pol0), tix_policy(&t, &pol1), tix_policy(&t, &pol2), tix_policy(&t, &pol3),
                         tix_policy(&t, &pol4) };
    tix_by_action(&t, VIGIL_ANY_ACTION, nums, 5);
    tix_header(&t, 1);
    tix_commit(&t);

    vigil_index *ix;
    CHECK_EQ(vigil_index_open(t.dir, VIGIL_OPEN_NO_LOG, &ix), VIGIL_OK);
    static const char *const actions[] = { "read", "write", "erase" };             /* erase: not in the index */
    static const char *const resources[] = { "open", "closed", "ghost1", "ghost2" }; /* ghosts: not either */
    static const char *const types[] = { "Doc", "Doc", "Doc", "Img" };
    static const char *const contexts[] = { "{\"block\": false}", "{\"block\": true}", "{}" };
    enum { PAIRS = 40 };
    vigil_request pairs[PAIRS];
    vigil_result batch[PAIRS], single;
    int mismatches = 0, allowed = 0, errors = 0;
    for (int c = 0; c < 3; c++) {
        for (int k = 0; k < PAIRS; k++) {
            int x = (k * 5 + k / 4) % 4;
            pairs[k] = req(actions[(k * 7 + c) % 3], types[x], resources[x], NULL);
        }
        vigil_request base = req("", "Doc", "", contexts[c]);
        CHECK_EQ(vigil_decide_batch(ix, &base, PAIRS, pairs, pairs, batch), VIGIL_OK);
        for (int k = 0; k < PAIRS; k++) {
            vigil_request q = pairs[k];
            q.context_json = base.context_json;
            q.context_json_len = base.context_json_len;
            CHECK_EQ(vigil_decide(ix, &q, &single), VIGIL_OK);
            if (!same_result(&batch[k], &single)) {
                if (mismatches++ < 5)
                    fprintf(stderr, "test_batch.c: context %d pair %d (%s, %s): batch %d/%u det/%u err, alone %d/%u/%u\n",
                            c, k, actions[(k * 7 + c) % 3], resources[(k * 5 + k / 4) % 4], batch[k].effect,
                            batch[k].determining_count, batch[k].error_count, single.effect,
                            single.determining_count, single.error_count);
            }
            allowed += single.effect == VIGIL_ALLOW;
            errors += single.error_count > 0;
        }
    }
    CHECK_EQ(mismatches, 0);
    /* The mix exercised every path: allows, denies by the forbid, errors on the ghosts. */
    CHECK(allowed > 10 && allowed < 3 * PAIRS - 10);
    CHECK(errors > 10);
    vigil_index_close(ix);
    tix_remove(t.dir);
}

/* Everything a batch result holds, step-up figures included. */
static int same_full(const vigil_result *a, const vigil_result *b) {
    return same_result(a, b) && a->generation == b->generation && a->step_up_level == b->step_up_level &&
           a->max_age == b->max_age;
}

enum { SHAPE_ACTIONS = 22, SHAPE_DOCS = 10, SHAPE_LEVELS = 70 };

/* The shapes decide.c shares work in (an action's candidates filled once per context, outcomes by resource row and
 * candidate column, principal scopes matched once): many actions (more than a batch keeps), typed and untyped
 * contexts (a reload refills the actions), resources repeated near and far, documents in and out of folders,
 * errors on some resources and in every pair, step-up forbids, expired and live links, sessions, more
 * resource-dependent policies than a batch has columns. Every pair must equal vigil_decide's result. */
static void test_shapes(void) {
    tix t;
    tix_create(&t);
    uint32_t n_secret = tix_name(&t, "secret"), n_owner = tix_name(&t, "owner"), n_level = tix_name(&t, "level"),
             n_lvl = tix_name(&t, "lvl"), n_note = tix_name(&t, "note"), n_missing = tix_name(&t, "missing"),
             n_doc = tix_name(&t, "Doc"), n_ip = tix_name(&t, "ip");
    vb empty = { .n = 0 };
    vb_end(&empty, vb_begin(&empty, VIGIL_V_RECORD, 0));
    uint32_t g1 = tix_entity(&t, "Group", "g1", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    uint32_t g2 = tix_entity(&t, "Group", "g2", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    uint32_t alice = tix_entity(&t, "User", "alice", VIGIL_ENT_PRESENT, &g1, 1, &empty, NULL);
    uint32_t bob = tix_entity(&t, "User", "bob", VIGIL_ENT_PRESENT, &g2, 1, &empty, NULL);
    uint32_t f1 = tix_entity(&t, "Folder", "f1", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    uint32_t f2 = tix_entity(&t, "Folder", "f2", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    static const char *const docs[SHAPE_DOCS] = { "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9" };
    for (int d = 0; d < SHAPE_DOCS; d++) {
        /* secret on even documents; no `secret` on d7 (errors); d9 only referenced (a missing entity, though its
         * record has attributes: reading one is still an error). */
        vb attrs = { .n = 0 };
        size_t r = vb_begin(&attrs, VIGIL_V_RECORD, d == 7 ? 2 : 3);
        if (d != 7) { vb_u32(&attrs, n_secret); vb_bool(&attrs, d % 2 == 0); }
        vb_u32(&attrs, n_owner); vb_entity(&attrs, d % 3 == 0 ? bob : alice);
        vb_u32(&attrs, n_level); vb_long(&attrs, d * 7 % SHAPE_LEVELS);
        vb_end(&attrs, r);
        uint32_t folder = d < 5 ? f1 : f2;
        tix_entity(&t, "Doc", docs[d], d == 9 ? 0 : VIGIL_ENT_PRESENT, &folder, d == 6 ? 0 : 1, &attrs, NULL);
    }
    static const char *const actions[SHAPE_ACTIONS] = { "read", "write", "share", "erase", "a0", "a1", "a2", "a3",
        "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12", "a13", "a14", "a15", "a16", "a17" };
    uint32_t act[SHAPE_ACTIONS];
    for (int a = 0; a < SHAPE_ACTIONS; a++)
        act[a] = tix_entity(&t, "Action", actions[a], VIGIL_ENT_PRESENT | VIGIL_ENT_ACTION, NULL, 0, &empty, NULL);
    uint32_t sess = tix_entity(&t, "Vigil::Session", "s1", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    tix_session(&t, "s1", sess, 0, INT64_MAX);
    tix_session(&t, "s2", sess, VIGIL_SESSION_REVOKED, INT64_MAX);
    /* read's context type {lvl: Long, ip?: ipaddr}; write's {lvl: Long, note?: String}: a different type, so a
     * batch that mixes them reloads the context, and `ip` is an address for read, a string for the others (which
     * have no type: schema-less). */
    vb ctx_read = { .n = 0 }, ctx_write = { .n = 0 };
    vb_u8(&ctx_read, VIGIL_T_RECORD); vb_u32(&ctx_read, 2); vb_u32(&ctx_read, n_lvl); vb_u8(&ctx_read, 1);
    vb_u8(&ctx_read, VIGIL_T_LONG); vb_u32(&ctx_read, n_ip); vb_u8(&ctx_read, 0); vb_u8(&ctx_read, VIGIL_T_IPADDR);
    vb_u8(&ctx_write, VIGIL_T_RECORD); vb_u32(&ctx_write, 2); vb_u32(&ctx_write, n_lvl); vb_u8(&ctx_write, 1);
    vb_u8(&ctx_write, VIGIL_T_LONG); vb_u32(&ctx_write, n_note); vb_u8(&ctx_write, 0);
    vb_u8(&ctx_write, VIGIL_T_STRING);
    tix_ctx_type(&t, act[0], &ctx_read);
    tix_ctx_type(&t, act[1], &ctx_write);

    vigil_scope any = { VIGIL_SCOPE_ANY, 0, 0 };
    prog yes = { .n = 0 }, owner = { .n = 0 }, secret = { .n = 0 }, secret_write = { .n = 0 }, low = { .n = 0 },
         share = { .n = 0 }, missing = { .n = 0 }, deep = { .n = 0 }, text_ip = { .n = 0 };
    asm0(&yes, OP_TRUE); asm0(&yes, OP_RET);
    asm1(&owner, OP_VAR, 2); asm1(&owner, OP_GET_ATTR, n_owner); asm1(&owner, OP_VAR, 0); asm0(&owner, OP_EQ);
    asm0(&owner, OP_RET);
    asm1(&secret, OP_VAR, 2); asm1(&secret, OP_GET_ATTR, n_secret); asm0(&secret, OP_RET);
    vb c_write = { .n = 0 }, c_share = { .n = 0 }, c_two = { .n = 0 }, c_three = { .n = 0 };
    vb_entity(&c_write, act[1]);
    vb_entity(&c_share, act[2]);
    vb_long(&c_two, 2);
    vb_long(&c_three, 3);
    asm1(&secret_write, OP_VAR, 2); asm1(&secret_write, OP_GET_ATTR, n_secret);
    uint32_t jf = asm1(&secret_write, OP_JUMP_IF_FALSE, 0);
    asm1(&secret_write, OP_VAR, 1); asm1(&secret_write, OP_CONST, 0); asm0(&secret_write, OP_EQ);
    asm0(&secret_write, OP_RET);
    asm_patch(&secret_write, jf, secret_write.n);
    asm0(&secret_write, OP_FALSE); asm0(&secret_write, OP_RET);
    asm1(&low, OP_VAR, 3); asm1(&low, OP_GET_ATTR, n_lvl); asm1(&low, OP_CONST, 0); asm0(&low, OP_LT);
    asm0(&low, OP_RET);
    asm1(&share, OP_VAR, 1); asm1(&share, OP_CONST, 0); asm0(&share, OP_EQ); asm0(&share, OP_RET);
    asm1(&missing, OP_VAR, 3); asm1(&missing, OP_GET_ATTR, n_missing); asm0(&missing, OP_RET);
    asm1(&deep, OP_VAR, 2); asm1(&deep, OP_GET_ATTR, n_level); asm1(&deep, OP_CONST, 0); asm0(&deep, OP_GT);
    asm0(&deep, OP_RET);
    vb c_ip = { .n = 0 };
    vb_str(&c_ip, "10.0.0.1");
    asm1(&text_ip, OP_VAR, 2); asm1(&text_ip, OP_GET_ATTR, n_secret);
    jf = asm1(&text_ip, OP_JUMP_IF_FALSE, 0);
    asm1(&text_ip, OP_VAR, 3); asm1(&text_ip, OP_GET_ATTR, n_ip); asm1(&text_ip, OP_CONST, 0); asm0(&text_ip, OP_EQ);
    asm0(&text_ip, OP_RET);
    asm_patch(&text_ip, jf, text_ip.n);
    asm0(&text_ip, OP_FALSE); asm0(&text_ip, OP_RET);
    tpolicy pols[] = {
        /* permit (principal in g1, action, resource in f1): the principal scope is matched once per batch */
        { .principal = { VIGIL_SCOPE_IN, g1, 0 }, .resource = { VIGIL_SCOPE_IN, f1, 0 }, .code = &yes },
        /* permit (principal, action, resource is Doc) when { resource.owner == principal } */
        { .principal = any, .resource = { VIGIL_SCOPE_IS, 0, n_doc }, .code = &owner },
        /* forbid when { resource.secret } (errors on d7, d9 and the ghosts) */
        { .flags = VIGIL_POL_FORBID, .principal = any, .resource = any, .code = &secret },
        /* permit when { resource.secret && action == write }: a column per action */
        { .principal = any, .resource = any, .code = &secret_write, .consts = &c_write, .const_count = 1 },
        /* @step_up("2") @max_age("300") forbid when { context.lvl < 2 } (an error without lvl) */
        { .flags = VIGIL_POL_FORBID | VIGIL_POL_STEP_UP, .step_up = 2, .max_age = 300, .principal = any,
          .resource = any, .code = &low, .consts = &c_two, .const_count = 1 },
        /* permit (principal == bob, ...) */
        { .principal = { VIGIL_SCOPE_EQ, bob, 0 }, .resource = any, .code = &yes },
        /* an expired link: forbid everything */
        { .flags = VIGIL_POL_FORBID | VIGIL_POL_LINKED, .expires_ms = 1000, .principal = any, .resource = any,
          .code = &yes },
        /* a live link: permit when { action == share } */
        { .flags = VIGIL_POL_LINKED, .expires_ms = INT64_MAX, .principal = any, .resource = any, .code = &share,
          .consts = &c_share, .const_count = 1 },
        /* permit when { context.missing }: an error in every pair */
        { .principal = any, .resource = any, .code = &missing },
        /* @step_up("3") forbid (principal in g2, action, resource in f2) when { resource.level > 3 } */
        { .flags = VIGIL_POL_FORBID | VIGIL_POL_STEP_UP, .step_up = 3, .max_age = 60,
          .principal = { VIGIL_SCOPE_IN, g2, 0 }, .resource = { VIGIL_SCOPE_IN, f2, 0 }, .code = &deep,
          .consts = &c_three, .const_count = 1 },
        /* permit when { resource.secret && context.ip == "10.0.0.1" }: true but for read (whose ip is an address),
         * so outcomes kept under one context must not serve the next */
        { .principal = any, .resource = any, .code = &text_ip, .consts = &c_ip, .const_count = 1 },
    };
    enum { NPOLS = sizeof pols / sizeof pols[0] };
    uint32_t nums[NPOLS + SHAPE_LEVELS];
    for (int i = 0; i < NPOLS; i++) {
        if (!pols[i].max_age) pols[i].max_age = VIGIL_NONE;
        nums[i] = tix_policy(&t, &pols[i]);
    }
    /* More resource-dependent policies than a batch keeps columns for: permit when { resource.level == k }. */
    for (int k = 0; k < SHAPE_LEVELS; k++) {
        static prog eq[SHAPE_LEVELS];
        static vb kv[SHAPE_LEVELS];
        eq[k].n = 0;
        kv[k].n = 0;
        vb_long(&kv[k], k);
        asm1(&eq[k], OP_VAR, 2); asm1(&eq[k], OP_GET_ATTR, n_level); asm1(&eq[k], OP_CONST, 0); asm0(&eq[k], OP_EQ);
        asm0(&eq[k], OP_RET);
        tpolicy p = { .principal = any, .resource = { VIGIL_SCOPE_IS, 0, n_doc }, .code = &eq[k], .consts = &kv[k],
                      .const_count = 1, .max_age = VIGIL_NONE };
        nums[NPOLS + k] = tix_policy(&t, &p);
    }
    /* Most policies apply to every action; the level checks only to read, write and share. */
    tix_by_action(&t, VIGIL_ANY_ACTION, nums, NPOLS);
    for (int a = 0; a < 3; a++) tix_by_action(&t, act[a], nums + NPOLS, SHAPE_LEVELS);
    tix_header(&t, 1);
    tix_commit(&t);

    vigil_index *ix;
    CHECK_EQ(vigil_index_open(t.dir, VIGIL_OPEN_NO_LOG, &ix), VIGIL_OK);
    static const char *const contexts[] = { "{\"lvl\": 1, \"ip\": \"10.0.0.1\"}",
        "{\"lvl\": 3, \"note\": \"x\", \"ip\": \"10.0.0.1\"}", "{}", "{\"lvl\": 1" };
    static const char *const sessions[] = { NULL, "s1", "s2", "nope" };
    static const char *const principals[] = { "alice", "bob" };
    enum { MAXPAIRS = 90 };
    vigil_request pairs[MAXPAIRS];
    vigil_result batch[MAXPAIRS], single;
    uint32_t seed = 7;
    int mismatches = 0, allowed = 0, stepped = 0, errored = 0, failed = 0, session_denied = 0, calls = 0;
    for (int round = 0; round < 96; round++) {
        int count = 1 + round * 13 % MAXPAIRS;
        int page = round % 3 == 0;              /* a page: documents x a few actions, in order */
        for (int k = 0; k < count; k++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t rnd = seed >> 8;
            int a = page ? k % 4 : (int)(rnd % (round % 2 ? 6 : SHAPE_ACTIONS + 1));
            int d = page ? k / 4 % (SHAPE_DOCS + 2) : (int)(rnd / 64 % (SHAPE_DOCS + 2));
            const char *aid = a == SHAPE_ACTIONS ? "nosuch" : actions[a];
            const char *rtype = d == SHAPE_DOCS + 1 ? "Folder" : "Doc";
            const char *rid = d < SHAPE_DOCS ? docs[d] : d == SHAPE_DOCS ? "ghost" : (rnd & 1 ? "f1" : "f2");
            pairs[k] = req(aid, rtype, rid, NULL);
            pairs[k].now_ms = 5000;
        }
        vigil_request base = req("", "Doc", "", contexts[round % 4]);
        base.principal_id = principals[round / 4 % 2];
        base.principal_id_len = strlen(base.principal_id);
        base.session_id = sessions[round / 8 % 4];
        base.session_id_len = base.session_id ? strlen(base.session_id) : 0;
        base.now_ms = 5000;
        int rc = vigil_decide_batch(ix, &base, (size_t)count, pairs, pairs, batch);
        calls++;
        int first = VIGIL_OK;
        for (int k = 0; k < count; k++) {
            vigil_request q = base;
            q.action_id = pairs[k].action_id; q.action_id_len = pairs[k].action_id_len;
            q.resource_type = pairs[k].resource_type; q.resource_type_len = pairs[k].resource_type_len;
            q.resource_id = pairs[k].resource_id; q.resource_id_len = pairs[k].resource_id_len;
            int src = vigil_decide(ix, &q, &single);
            if (src != VIGIL_OK && first == VIGIL_OK) first = src;
            if (!same_full(&batch[k], &single)) {
                if (mismatches++ < 5)
                    fprintf(stderr, "test_batch.c: round %d pair %d (%s, %s %s): batch %d/%d %u det/%u err, "
                            "alone %d/%d %u/%u\n", round, k, q.action_id, q.resource_type, q.resource_id,
                            batch[k].effect, batch[k].reason, batch[k].determining_count, batch[k].error_count,
                            single.effect, single.reason, single.determining_count, single.error_count);
            }
            allowed += single.effect == VIGIL_ALLOW;
            stepped += single.effect == VIGIL_STEP_UP;
            errored += single.error_count > 0;
            failed += single.reason == VIGIL_REASON_ERROR;
            session_denied += single.reason == VIGIL_REASON_SESSION_REVOKED ||
                              single.reason == VIGIL_REASON_SESSION_UNKNOWN;
        }
        CHECK_EQ(rc, first);                    /* the batch's status is its first failing pair's */
    }
    CHECK_EQ(mismatches, 0);
    /* The VM's shortcut for `resource.secret` and `context.missing` keeps their errors: on d9 (not present) the
     * entity is missing, the context lacks the attribute. */
    vigil_request q = req("erase", "Doc", "d9", "{\"lvl\": 1}");
    CHECK_EQ(vigil_decide(ix, &q, &single), VIGIL_OK);
    int missing_entity = 0, missing_attr = 0;
    for (uint32_t i = 0; i < single.error_count && i < VIGIL_RESULT_MAX_POLICIES; i++) {
        missing_entity += single.errored[i] == nums[2] && single.error_kind[i] == VIGIL_ERR_MISSING_ENTITY;
        missing_attr += single.errored[i] == nums[8] && single.error_kind[i] == VIGIL_ERR_MISSING_ATTR;
    }
    CHECK_EQ(missing_entity, 1);
    CHECK_EQ(missing_attr, 1);
    /* The mix went through every path: allows, step-ups, policy errors, failed pairs (a context that is not JSON),
     * sessions. */
    CHECK(allowed > 100);
    CHECK(stepped > 20);
    CHECK(errored > 100);
    CHECK(failed > 20);
    CHECK(session_denied > 20);
    CHECK_EQ(calls, 96);
    vigil_index_close(ix);
    tix_remove(t.dir);
}
