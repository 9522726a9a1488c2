/* test_batch.c — a batch remembers condition outcomes between its pairs (decide.c, condition_slot): each pair
 * must still get exactly what vigil_decide gives it alone. Conditions here read the resource, the action, or
 * neither; some pairs name resources and actions the index lacks (temporary ids, reused from pair to pair, here
 * for entities of different types); contexts differ between calls. */
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

void test_batch(void) {
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
