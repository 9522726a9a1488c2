/* test_plan.c — candidate plans (plan.c) against brute force: more actions than plan slots, plans that overflow
 * the plan buffer, principals with few and with many ancestors (both ways of picking keyed policies, and the
 * heapsort past 16 matches), and principals whose candidates the thread keeps (`two`, `none`) decided in turn
 * with the others, so that kept lists are found again, and never one principal's for another. */
#include "testing.h"

#include <stdlib.h>

enum { GROUPS = 100, OTHERS = 150, ACTIONS = 100, ANY_POLICIES = 200 };

/* The permits that apply to a principal in `member` (by group number) for action j, ascending: policy j (its
 * own `principal in g[j]`) and the any-action policies 100 + m with `principal in g[m % 100]`. */
static uint32_t expected(const int *member, int j, uint32_t *out) {
    uint32_t n = 0;
    if (member[j]) out[n++] = (uint32_t)j;
    for (int m = 0; m < ANY_POLICIES; m++)
        if (member[m % GROUPS]) out[n++] = (uint32_t)(ACTIONS + m);
    return n;
}

static void check_user(vigil_index *ix, const char *user, const int *member, int pass) {
    char action[16];
    for (int j = 0; j < ACTIONS; j++) {
        snprintf(action, sizeof action, "a%d", j);
        vigil_request q;
        memset(&q, 0, sizeof q);
        q.principal_type = "User"; q.principal_type_len = 4;
        q.principal_id = user; q.principal_id_len = strlen(user);
        q.action_type = "Action"; q.action_type_len = 6;
        q.action_id = action; q.action_id_len = strlen(action);
        q.resource_type = "Doc"; q.resource_type_len = 3;
        q.resource_id = "d"; q.resource_id_len = 1;
        q.now_ms = 1;
        uint32_t want[ACTIONS + ANY_POLICIES];
        uint32_t n = expected(member, j, want);
        vigil_result r;
        int rc = vigil_decide(ix, &q, &r);
        int ok = rc == VIGIL_OK && r.effect == (n ? VIGIL_ALLOW : VIGIL_DENY) && r.determining_count == n;
        for (uint32_t i = 0; ok && i < n && i < VIGIL_RESULT_MAX_POLICIES; i++) ok = r.determining[i] == want[i];
        if (!ok)
            fprintf(stderr, "test_plan.c: %s %s pass %d: status %d effect %d, %u determining, expected %u\n", user,
                    action, pass, rc, r.effect, r.determining_count, n);
        CHECK(ok);
    }
}

void test_plan(void) {
    tix t;
    tix_create(&t);
    vb empty = { .n = 0 };
    vb_end(&empty, vb_begin(&empty, VIGIL_V_RECORD, 0));
    /* Groups first, so their eids are 0 ..< GROUPS and ancestor lists come out sorted. */
    char id[32];
    for (int g = 0; g < GROUPS; g++) {
        snprintf(id, sizeof id, "g%d", g);
        CHECK_EQ(tix_entity(&t, "Group", id, VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL), g);
    }
    for (int o = 0; o < OTHERS; o++) {
        snprintf(id, sizeof id, "other%d", o);
        tix_entity(&t, "Team", id, VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    }
    /* few: in 40 groups (fewer ancestors than keyed policies: probe by ancestor); many: in every group and every
     * team (more ancestors than keyed policies: test each policy); none: in nothing. */
    int few[GROUPS], all[GROUPS], none[GROUPS] = { 0 }, two[GROUPS] = { 0 };
    uint32_t two_anc[2] = { 3, 64 };
    two[3] = two[64] = 1;
    uint32_t few_anc[GROUPS], many_anc[GROUPS + OTHERS], nfew = 0;
    for (int g = 0; g < GROUPS; g++) {
        few[g] = g % 5 < 2;
        all[g] = 1;
        if (few[g]) few_anc[nfew++] = (uint32_t)g;
    }
    for (uint32_t i = 0; i < GROUPS + OTHERS; i++) many_anc[i] = i;
    tix_entity(&t, "User", "few", VIGIL_ENT_PRESENT, few_anc, nfew, &empty, NULL);
    tix_entity(&t, "User", "many", VIGIL_ENT_PRESENT, many_anc, GROUPS + OTHERS, &empty, NULL);
    tix_entity(&t, "User", "none", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    tix_entity(&t, "User", "two", VIGIL_ENT_PRESENT, two_anc, 2, &empty, NULL);
    tix_entity(&t, "Doc", "d", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    uint32_t first_action = t.nents;
    for (int j = 0; j < ACTIONS; j++) {
        snprintf(id, sizeof id, "a%d", j);
        tix_entity(&t, "Action", id, VIGIL_ENT_PRESENT | VIGIL_ENT_ACTION, NULL, 0, &empty, NULL);
    }
    prog yes = { .n = 0 };
    asm0(&yes, OP_TRUE); asm0(&yes, OP_RET);
    char pid[32];
    for (int k = 0; k < ACTIONS + ANY_POLICIES; k++) {
        snprintf(pid, sizeof pid, "policy%d", k);
        tpolicy p = { .code = &yes, .principal = { VIGIL_SCOPE_IN, (uint32_t)(k < ACTIONS ? k : (k - ACTIONS) % GROUPS), 0 },
                      .resource = { VIGIL_SCOPE_ANY, 0, 0 }, .id = pid, .max_age = VIGIL_NONE };
        tix_policy(&t, &p);
    }
    for (uint32_t j = 0; j < ACTIONS; j++) tix_by_action(&t, first_action + j, &j, 1);
    uint32_t any[ANY_POLICIES];
    for (uint32_t m = 0; m < ANY_POLICIES; m++) any[m] = ACTIONS + m;
    tix_by_action(&t, VIGIL_ANY_ACTION, any, ANY_POLICIES);
    tix_header(&t, 3);
    tix_commit(&t);

    vigil_index *ix = NULL;
    CHECK_EQ(vigil_index_open(t.dir, 0, &ix), VIGIL_OK);
    /* Twice: the first pass builds the plans (and overflows the buffer), the second uses what was kept. */
    for (int pass = 0; pass < 3; pass++) {
        check_user(ix, "two", two, pass);
        check_user(ix, "few", few, pass);
        check_user(ix, "many", all, pass);
        check_user(ix, "none", none, pass);
        check_user(ix, "two", two, pass);
        check_user(ix, "nobody", none, pass);   /* not in the index: a temporary principal */
    }
    /* A batch across every action: plans handed out in one transaction must stay put while others are built. */
    vigil_request base, acts[ACTIONS];
    vigil_result res[ACTIONS];
    char names[ACTIONS][16];
    memset(&base, 0, sizeof base);
    base.principal_type = "User"; base.principal_type_len = 4;
    base.principal_id = "few"; base.principal_id_len = 3;
    base.now_ms = 1;
    for (int j = 0; j < ACTIONS; j++) {
        acts[j] = base;
        snprintf(names[j], sizeof names[j], "a%d", (j * 37) % ACTIONS);
        acts[j].action_type = "Action"; acts[j].action_type_len = 6;
        acts[j].action_id = names[j]; acts[j].action_id_len = strlen(names[j]);
        acts[j].resource_type = "Doc"; acts[j].resource_type_len = 3;
        acts[j].resource_id = "d"; acts[j].resource_id_len = 1;
    }
    CHECK_EQ(vigil_decide_batch(ix, &base, ACTIONS, acts, acts, res), VIGIL_OK);
    for (int j = 0; j < ACTIONS; j++) {
        uint32_t want[ACTIONS + ANY_POLICIES];
        CHECK_EQ(res[j].determining_count, expected(few, (j * 37) % ACTIONS, want));
    }
    vigil_index_close(ix);
    tix_remove(t.dir);
}
