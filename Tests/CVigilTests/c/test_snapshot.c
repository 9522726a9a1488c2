/* test_snapshot.c — what a reader keeps between decisions (the header, uids, entity records: pointers into the
 * map) is dropped as soon as a writer commits, because LMDB's transaction id names the snapshot
 * (vigil__reader_begin). A writer process replaces a user's record 120 times, flipping its group membership;
 * some commits leave the header's generation alone, and every commit rewrites filler values so that freed pages
 * are reused. Each decision must see the commit before it, on a cold and on a warm cache (alice's kept candidates
 * included). */
#include "testing.h"

#include <sys/wait.h>
#include <unistd.h>

static int decide_alice(vigil_index *ix) {
    vigil_request q;
    memset(&q, 0, sizeof q);
    q.principal_type = "User"; q.principal_type_len = 4;
    q.principal_id = "alice"; q.principal_id_len = 5;
    q.action_type = "Action"; q.action_type_len = 6;
    q.action_id = "read"; q.action_id_len = 4;
    q.resource_type = "Doc"; q.resource_type_len = 3;
    q.resource_id = "d"; q.resource_id_len = 1;
    q.now_ms = 1;
    vigil_result r;
    int rc = vigil_decide(ix, &q, &r);
    return rc == VIGIL_OK ? r.effect : -rc;
}

/* One commit from another process, as vigild's would be: alice in group g or not. */
static void write_alice(tix *t, uint32_t alice, uint32_t g, int member, int round) {
    pid_t pid = fork();
    if (pid < 0) { CHECK(0); return; }
    if (pid == 0) {
        vb empty = { .n = 0 };
        vb_end(&empty, vb_begin(&empty, VIGIL_V_RECORD, 0));
        tix_reopen(t);
        tix_entity_put(t, alice, "User", "alice", VIGIL_ENT_PRESENT, member ? &g : NULL, member ? 1 : 0, &empty,
                       NULL);
        uint8_t filler[1500];
        memset(filler, round & 0xFF, sizeof filler);
        for (int k = 0; k < 48; k++) {
            char key[32];
            snprintf(key, sizeof key, "filler-%d", k);
            tix_put_raw(t, t->sessions, key, strlen(key), filler, sizeof filler);
        }
        if (round % 3 == 0) tix_header(t, 1 + (uint64_t)round);
        tix_commit(t);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

void test_snapshot(void) {
    tix t;
    tix_create(&t);
    vb empty = { .n = 0 };
    vb_end(&empty, vb_begin(&empty, VIGIL_V_RECORD, 0));
    uint32_t g = tix_entity(&t, "Group", "g", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    /* Not a member at first: what is kept from before a commit must not hide a membership it adds. */
    uint32_t alice = tix_entity(&t, "User", "alice", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    tix_entity(&t, "Doc", "d", VIGIL_ENT_PRESENT, NULL, 0, &empty, NULL);
    /* A stored action, so that the thread keeps the plan and alice's candidates, which her membership changes. */
    tix_entity(&t, "Action", "read", VIGIL_ENT_PRESENT | VIGIL_ENT_ACTION, NULL, 0, &empty, NULL);
    prog p = { .n = 0 };
    asm0(&p, OP_TRUE);
    asm0(&p, OP_RET);
    tpolicy pol = { .principal = { VIGIL_SCOPE_IN, g, 0 }, .resource = { VIGIL_SCOPE_ANY, 0, 0 }, .code = &p };
    uint32_t num = tix_policy(&t, &pol);
    tix_by_action(&t, VIGIL_ANY_ACTION, &num, 1);
    tix_header(&t, 1);
    tix_commit(&t);

    vigil_index *ix;
    CHECK_EQ(vigil_index_open(t.dir, VIGIL_OPEN_NO_LOG, &ix), VIGIL_OK);
    CHECK_EQ(decide_alice(ix), VIGIL_DENY);
    CHECK_EQ(decide_alice(ix), VIGIL_DENY);
    int wrong = 0;
    for (int round = 1; round <= 120; round++) {
        int member = round % 2 == 0;
        write_alice(&t, alice, g, member, round);
        int want = member ? VIGIL_ALLOW : VIGIL_DENY;
        int first = decide_alice(ix), second = decide_alice(ix);
        if (first != want || second != want) {
            if (wrong++ < 5)
                fprintf(stderr, "test_snapshot.c: round %d: decided %d then %d, expected %d\n", round, first, second,
                        want);
        }
    }
    CHECK_EQ(wrong, 0);
    vigil_index_close(ix);
    tix_remove(t.dir);
}
