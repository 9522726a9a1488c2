/* test_ring.c — the decision log: records and their fields, drops when full, many threads appending at once,
 * where rings are made (and not), a writer that is gone, and the consumer's lock. */
#define _GNU_SOURCE
#include "testing.h"
#include "vigil_ring.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void build_scenario(tix *t);
vigil_request make_req(const char *principal, const char *action, const char *resource, const char *ctx,
        const char *session);

/* A ring file mapped as a consumer maps it. */
typedef struct mapped { int fd; void *map; size_t size; } mapped;

static mapped map_ring(const char *path) {
    mapped m = { open(path, O_RDWR | O_CLOEXEC), NULL, 0 };
    struct stat st;
    if (m.fd < 0 || fstat(m.fd, &st) != 0) { perror(path); exit(2); }
    m.size = (size_t)st.st_size;
    m.map = mmap(NULL, m.size, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, 0);
    if (m.map == MAP_FAILED) { perror("mmap"); exit(2); }
    return m;
}

static void unmap_ring(mapped *m) { munmap(m->map, m->size); close(m->fd); }

/* Empties and removes a directory of ring files. */
static void remove_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[600];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int count_files(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* Opens the scenario index with its ring in a fresh directory of `slots` slots. */
static vigil_index *open_logged(const char *index, char *ring_dir, unsigned slots) {
    snprintf(ring_dir, 64, "/tmp/vigil-rings-XXXXXX");
    if (!mkdtemp(ring_dir)) { perror("mkdtemp"); exit(2); }
    char n[32];
    snprintf(n, sizeof n, "%u", slots);
    setenv("VIGIL_RING_DIR", ring_dir, 1);
    setenv("VIGIL_RING_SLOTS", n, 1);
    vigil_index *ix = NULL;
    CHECK_EQ(vigil_index_open(index, 0, &ix), VIGIL_OK);
    unsetenv("VIGIL_RING_DIR");
    unsetenv("VIGIL_RING_SLOTS");
    return ix;
}

static mapped map_of(vigil_index *ix) {
    char path[4096];
    CHECK_EQ(vigil_log_path(ix, path, sizeof path), VIGIL_OK);
    return map_ring(path);
}

static int text_is(const vigil_ring_record *r, int field, const char *text, const char *want) {
    return r->rr_len[field] == strlen(want) && memcmp(text, want, strlen(want)) == 0;
}

/* Every call that decides leaves one record per decision, with what the host asked and what was decided. */
static void records_and_fields(const char *index) {
    char dir[64];
    vigil_index *ix = open_logged(index, dir, 64);
    char path[4096];
    CHECK_EQ(vigil_log_path(ix, path, sizeof path), VIGIL_OK);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s/vigil-%d-", dir, (int)getpid());
    CHECK(strncmp(path, prefix, strlen(prefix)) == 0 && strstr(path, ".ring") != NULL);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
    CHECK_EQ(st.st_size, VIGIL_RING_HEADER_BYTES + 64 * VIGIL_RING_SLOT_BYTES);

    vigil_result r, rs[2];
    vigil_request allow = make_req("alice", "view", "d1", NULL, NULL);
    vigil_request step = make_req("alice", "edit", "d1", "{\"risk\": 0}", "s2");
    /* 79 ASCII bytes then "é" (2 bytes): 80 fit only by cutting inside the character, so 79 are kept. */
    char longid[120];
    memset(longid, 'x', 79);
    memcpy(longid + 79, "\xc3\xa9zzzz", 7);
    vigil_request lng = make_req(longid, "view", "d1", "{\"risk\": 0}", NULL);
    vigil_request bad = make_req("alice", "view", "d1", "{oops", NULL);
    CHECK_EQ(vigil_decide(ix, &allow, &r), VIGIL_OK);
    CHECK_EQ(vigil_decide(ix, &step, &r), VIGIL_OK);
    CHECK_EQ(vigil_decide(ix, &lng, &r), VIGIL_OK);
    CHECK_EQ(vigil_decide(ix, &bad, &r), VIGIL_E_CONTEXT);
    vigil_request base = make_req("bob", "", "", NULL, NULL);
    vigil_request pairs[2] = { make_req("", "edit", "d1", NULL, NULL), make_req("", "view", "Team:t9", NULL, NULL) };
    CHECK_EQ(vigil_decide_batch(ix, &base, 2, pairs, pairs, rs), VIGIL_OK);
    char buf[4096];
    CHECK_EQ(vigil_explain(ix, &allow, &r, buf, sizeof buf), VIGIL_OK);
    uint64_t appended = 0, dropped = 9;
    CHECK_EQ(vigil_log_stats(ix, &appended, &dropped), VIGIL_OK);
    CHECK_EQ(appended, 7);
    CHECK_EQ(dropped, 0);

    mapped m = map_of(ix);
    vigil_ring_info info;
    CHECK_EQ(vigil_ring_check(m.map, m.size, &info), VIGIL_OK);
    CHECK_EQ(info.capacity, 64);
    CHECK_EQ(info.pid, getpid());
    CHECK(info.start_time > 0);
    CHECK_EQ(info.appended, 7);
    CHECK_EQ(info.drained, 0);
    CHECK_EQ(info.flags, 0);
    vigil_ring_record rec[8];
    uint64_t pos[8];
    CHECK_EQ(vigil_ring_peek(m.map, m.size, 0, rec, pos, 8), 7);
    CHECK_EQ(pos[6], 6);
    /* alice views d1: allowed by policies 0 and 1; policy 2 errs on the missing context.risk. */
    vigil_ring_record *a = &rec[0];
    CHECK_EQ(a->rr_effect, VIGIL_ALLOW);
    CHECK_EQ(a->rr_reason, VIGIL_REASON_POLICIES);
    CHECK_EQ(a->rr_status, VIGIL_OK);
    CHECK_EQ(a->rr_kind, VIGIL_RING_KIND_DECIDE);
    CHECK_EQ(a->rr_generation, 7);
    CHECK_EQ(a->rr_determining_count, 2);
    CHECK(a->rr_determining[0] == 0 && a->rr_determining[1] == 1);
    CHECK_EQ(a->rr_error_count, 1);
    CHECK_EQ(a->rr_principal_eid, 1);   /* U_ALICE */
    CHECK_EQ(a->rr_action_eid, 3);      /* A_VIEW */
    CHECK_EQ(a->rr_resource_eid, 5);    /* D_D1 */
    CHECK_EQ(a->rr_truncated, 0);
    CHECK(text_is(a, VIGIL_RING_F_PRINCIPAL_TYPE, a->rr_principal_type, "User"));
    CHECK(text_is(a, VIGIL_RING_F_PRINCIPAL_ID, a->rr_principal_id, "alice"));
    CHECK(text_is(a, VIGIL_RING_F_ACTION_TYPE, a->rr_action_type, "Action"));
    CHECK(text_is(a, VIGIL_RING_F_ACTION_ID, a->rr_action_id, "view"));
    CHECK(text_is(a, VIGIL_RING_F_RESOURCE_TYPE, a->rr_resource_type, "Doc"));
    CHECK(text_is(a, VIGIL_RING_F_RESOURCE_ID, a->rr_resource_id, "d1"));
    CHECK_EQ(a->rr_len[VIGIL_RING_F_SESSION], 0);
    CHECK(a->rr_eval_ns > 0 && a->rr_eval_ns < 1000000000u);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    CHECK(a->rr_time_ns <= now_ns && a->rr_time_ns > now_ns - 60000000000LL);
    CHECK(rec[1].rr_time_ns >= a->rr_time_ns);
    /* The step-up, with its session. */
    vigil_ring_record *s = &rec[1];
    CHECK_EQ(s->rr_effect, VIGIL_STEP_UP);
    CHECK_EQ(s->rr_step_up_level, 2);
    CHECK_EQ(s->rr_max_age, 300);
    CHECK(s->rr_determining_count == 1 && s->rr_determining[0] == 3);
    /* Unused entries are zeros, not the policies of the decision before (the result still holds them). */
    CHECK(s->rr_determining[1] == 0 && s->rr_determining[VIGIL_RING_POLICIES - 1] == 0);
    CHECK(text_is(s, VIGIL_RING_F_SESSION, s->rr_session, "s2"));
    CHECK_EQ(s->rr_action_eid, 4);
    /* A principal id too long for its field, cut before the two-byte character; an unknown principal has no eid. */
    vigil_ring_record *l = &rec[2];
    CHECK_EQ(l->rr_truncated, VIGIL_RING_TRUNC_PRINCIPAL_ID);
    CHECK_EQ(l->rr_len[VIGIL_RING_F_PRINCIPAL_ID], 79);
    CHECK_EQ(l->rr_principal_eid, VIGIL_RING_NO_EID);
    CHECK_EQ(l->rr_effect, VIGIL_DENY);
    /* An error: the status, and the effect the fail mode gave. */
    CHECK_EQ(rec[3].rr_status, VIGIL_E_CONTEXT);
    CHECK_EQ(rec[3].rr_reason, VIGIL_REASON_ERROR);
    CHECK_EQ(rec[3].rr_effect, VIGIL_DENY);
    CHECK_EQ(rec[3].rr_action_eid, VIGIL_RING_NO_EID);
    /* The batch: one record per pair, each with its position, its own action and resource, the base principal. */
    CHECK(rec[4].rr_kind == VIGIL_RING_KIND_BATCH && rec[5].rr_kind == VIGIL_RING_KIND_BATCH);
    CHECK(rec[4].rr_batch_index == 0 && rec[5].rr_batch_index == 1);
    CHECK(text_is(&rec[4], VIGIL_RING_F_PRINCIPAL_ID, rec[4].rr_principal_id, "bob"));
    CHECK(text_is(&rec[4], VIGIL_RING_F_ACTION_ID, rec[4].rr_action_id, "edit"));
    CHECK(text_is(&rec[5], VIGIL_RING_F_RESOURCE_TYPE, rec[5].rr_resource_type, "Team"));
    CHECK(text_is(&rec[5], VIGIL_RING_F_RESOURCE_ID, rec[5].rr_resource_id, "t9"));
    CHECK_EQ(rec[5].rr_resource_eid, VIGIL_RING_NO_EID);
    CHECK_EQ(rec[4].rr_effect, rs[0].effect);
    CHECK_EQ(rec[5].rr_effect, rs[1].effect);
    CHECK_EQ(rec[6].rr_kind, VIGIL_RING_KIND_EXPLAIN);
    CHECK_EQ(rec[6].rr_effect, VIGIL_ALLOW);

    /* Releasing moves the head; records are not read twice. */
    CHECK_EQ(vigil_ring_release(m.map, m.size, 7), VIGIL_OK);
    CHECK_EQ(vigil_ring_check(m.map, m.size, &info), VIGIL_OK);
    CHECK_EQ(info.drained, 7);
    CHECK_EQ(vigil_ring_peek(m.map, m.size, 7, rec, NULL, 8), 0);
    CHECK_EQ(vigil_ring_release(m.map, m.size, 1), VIGIL_E_INVALID_ARG);  /* nothing complete to release */
    CHECK_EQ(vigil_ring_skip_stalled(m.map, m.size), 0);
    unmap_ring(&m);
    vigil_index_close(ix);
    remove_dir(dir);
}

/* A full ring drops and counts; once drained it takes records again. Appending never waits. */
static void drops_when_full(const char *index) {
    char dir[64];
    vigil_index *ix = open_logged(index, dir, 64);
    vigil_request q = make_req("alice", "view", "d1", NULL, NULL);
    vigil_result r;
    for (int i = 0; i < 100; i++) CHECK_EQ(vigil_decide(ix, &q, &r), VIGIL_OK);
    uint64_t appended, dropped;
    CHECK_EQ(vigil_log_stats(ix, &appended, &dropped), VIGIL_OK);
    CHECK_EQ(appended, 64);
    CHECK_EQ(dropped, 36);
    mapped m = map_of(ix);
    static vigil_ring_record rec[64];
    CHECK_EQ(vigil_ring_peek(m.map, m.size, 0, rec, NULL, 64), 64);
    CHECK_EQ(vigil_ring_release(m.map, m.size, 64), VIGIL_OK);
    for (int i = 0; i < 10; i++) CHECK_EQ(vigil_decide(ix, &q, &r), VIGIL_OK);
    CHECK_EQ(vigil_log_stats(ix, &appended, &dropped), VIGIL_OK);
    CHECK_EQ(appended, 74);
    CHECK_EQ(dropped, 36);
    CHECK_EQ(vigil_ring_peek(m.map, m.size, 64, rec, NULL, 64), 10);
    unmap_ring(&m);
    vigil_index_close(ix);
    remove_dir(dir);
}

/* Producers on four threads and one consumer at once: every decision is either drained, intact, exactly once,
 * or counted as dropped. Each record names its thread and iteration in its resource id, and its principal and
 * effect must be that thread's: a torn record would mix them. */
#define RING_THREADS 4
#define RING_DECISIONS 20000
static vigil_index *ring_ix;
static _Atomic int producers_done;

static void *producer(void *arg) {
    int k = (int)(intptr_t)arg;
    char id[32];
    long bad = 0;
    for (int i = 0; i < RING_DECISIONS; i++) {
        snprintf(id, sizeof id, "r%d-%d", k, i);
        vigil_request q = make_req(k % 2 ? "bob" : "alice", "view", id, "{\"risk\": 0}", NULL);
        vigil_result r;
        if (vigil_decide(ring_ix, &q, &r) != VIGIL_OK) bad++;
    }
    atomic_fetch_add(&producers_done, 1);
    return (void *)(intptr_t)bad;
}

typedef struct drained { long records, torn; unsigned char *seen; } drained;

static void consume(mapped *m, drained *d, uint64_t *head) {
    static vigil_ring_record rec[256];
    size_t n;
    while ((n = vigil_ring_peek(m->map, m->size, *head, rec, NULL, 256)) > 0) {
        for (size_t j = 0; j < n; j++) {
            int k, i;
            char id[VIGIL_RING_ID_LEN + 1];
            memcpy(id, rec[j].rr_resource_id, rec[j].rr_len[VIGIL_RING_F_RESOURCE_ID]);
            id[rec[j].rr_len[VIGIL_RING_F_RESOURCE_ID]] = 0;
            const char *want = NULL;
            int ok = sscanf(id, "r%d-%d", &k, &i) == 2 && k >= 0 && k < RING_THREADS && i >= 0 && i < RING_DECISIONS;
            if (ok) want = k % 2 ? "bob" : "alice";
            ok = ok && text_is(&rec[j], VIGIL_RING_F_PRINCIPAL_ID, rec[j].rr_principal_id, want) &&
                 rec[j].rr_effect == (k % 2 ? VIGIL_DENY : VIGIL_ALLOW) && rec[j].rr_status == VIGIL_OK &&
                 !d->seen[k * RING_DECISIONS + i];
            if (ok) d->seen[k * RING_DECISIONS + i] = 1; else d->torn++;
            d->records++;
        }
        CHECK_EQ(vigil_ring_release(m->map, m->size, n), VIGIL_OK);
        *head += n;
    }
}

static void threads_append_without_locks(const char *index) {
    char dir[64];
    ring_ix = open_logged(index, dir, 1024);
    atomic_store(&producers_done, 0);
    mapped m = map_of(ring_ix);
    drained d = { 0, 0, calloc(RING_THREADS * RING_DECISIONS, 1) };
    pthread_t th[RING_THREADS];
    for (long i = 0; i < RING_THREADS; i++) pthread_create(&th[i], NULL, producer, (void *)(intptr_t)i);
    uint64_t head = 0;
    while (atomic_load(&producers_done) < RING_THREADS) consume(&m, &d, &head);
    long bad = 0;
    for (int i = 0; i < RING_THREADS; i++) { void *r; pthread_join(th[i], &r); bad += (long)(intptr_t)r; }
    consume(&m, &d, &head);
    uint64_t appended, dropped;
    CHECK_EQ(vigil_log_stats(ring_ix, &appended, &dropped), VIGIL_OK);
    CHECK_EQ(bad, 0);
    CHECK_EQ(d.torn, 0);
    CHECK_EQ(appended + dropped, RING_THREADS * RING_DECISIONS);
    CHECK_EQ(d.records, (long)appended);
    CHECK(appended > 1024);   /* the consumer kept up at least part of the time */
    free(d.seen);
    unmap_ring(&m);
    vigil_index_close(ring_ix);
    remove_dir(dir);
}

/* Where rings are made: VIGIL_RING_DIR, else <index>/rings when it exists, else nowhere; never with NO_LOG. */
static void where_rings_live(tix *t) {
    unsetenv("VIGIL_RING_DIR");
    vigil_index *ix;
    uint64_t appended;
    char path[4096];
    CHECK_EQ(vigil_index_open(t->dir, 0, &ix), VIGIL_OK);
    CHECK_EQ(vigil_log_stats(ix, &appended, NULL), VIGIL_E_NOT_FOUND);
    CHECK_EQ(vigil_log_path(ix, path, sizeof path), VIGIL_E_NOT_FOUND);
    vigil_index_close(ix);

    char rings[300];
    snprintf(rings, sizeof rings, "%s/rings", t->dir);
    CHECK_EQ(mkdir(rings, 0750), 0);
    CHECK_EQ(vigil_index_open(t->dir, VIGIL_OPEN_NO_LOG, &ix), VIGIL_OK);
    CHECK_EQ(vigil_log_stats(ix, &appended, NULL), VIGIL_E_NOT_FOUND);
    vigil_index_close(ix);
    CHECK_EQ(count_files(rings), 0);
    CHECK_EQ(vigil_index_open(t->dir, VIGIL_OPEN_NO_LOG | VIGIL_OPEN_FAIL_OPEN, &ix), VIGIL_OK);
    vigil_index_close(ix);
    CHECK_EQ(vigil_index_open(t->dir, 0x4u, &ix), VIGIL_E_INVALID_ARG);

    CHECK_EQ(vigil_index_open(t->dir, 0, &ix), VIGIL_OK);
    CHECK_EQ(vigil_log_path(ix, path, sizeof path), VIGIL_OK);
    CHECK(strncmp(path, rings, strlen(rings)) == 0);
    char tiny[8];
    CHECK_EQ(vigil_log_path(ix, tiny, sizeof tiny), VIGIL_E_BUFFER);
    /* Two handles in one process get two rings. */
    vigil_index *ix2;
    CHECK_EQ(vigil_index_open(t->dir, 0, &ix2), VIGIL_OK);
    CHECK_EQ(count_files(rings), 2);
    vigil_index_close(ix2);
    vigil_index_close(ix);
    remove_dir(rings);

    /* VIGIL_RING_DIR that cannot be a directory: the open still succeeds, the log says why it is off. */
    setenv("VIGIL_RING_DIR", "/proc/version/rings", 1);
    CHECK_EQ(vigil_index_open(t->dir, 0, &ix), VIGIL_OK);
    CHECK_EQ(vigil_log_stats(ix, &appended, NULL), VIGIL_E_IO);
    vigil_index_close(ix);
    unsetenv("VIGIL_RING_DIR");
    CHECK_EQ(vigil_log_stats(NULL, &appended, NULL), VIGIL_E_INVALID_ARG);
}

/* A consumer sees the writer go: after close (flagged), and after a process dies without closing (its lock is
 * gone; its records stay). A slot claimed by a writer that died is skipped. Only one consumer at a time. */
static void writer_gone_and_consumer_lock(const char *index) {
    char dir[64];
    vigil_index *ix = open_logged(index, dir, 64);
    mapped m = map_of(ix);
    CHECK_EQ(vigil_ring_writer_gone(m.fd), 0);
    mapped other = map_of(ix);
    CHECK_EQ(vigil_ring_lock_consumer(m.fd), VIGIL_OK);
    CHECK_EQ(vigil_ring_lock_consumer(other.fd), VIGIL_E_LIMIT);
    unmap_ring(&other);
    vigil_index_close(ix);
    vigil_ring_info info;
    CHECK_EQ(vigil_ring_check(m.map, m.size, &info), VIGIL_OK);
    CHECK_EQ(info.flags & VIGIL_RING_CLOSED, VIGIL_RING_CLOSED);
    CHECK_EQ(vigil_ring_writer_gone(m.fd), 1);
    unmap_ring(&m);
    remove_dir(dir);

    /* A child process decides three times and exits without closing. */
    snprintf(dir, sizeof dir, "/tmp/vigil-rings-XXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); exit(2); }
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        setenv("VIGIL_RING_DIR", dir, 1);
        vigil_index *cix;
        if (vigil_index_open(index, 0, &cix) != VIGIL_OK) _exit(3);
        vigil_request q = make_req("alice", "view", "d1", NULL, NULL);
        vigil_result r;
        for (int i = 0; i < 3; i++) vigil_decide(cix, &q, &r);
        _exit(0);
    }
    int wst = 0;
    waitpid(child, &wst, 0);
    CHECK(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[600] = "";
    while (d && (e = readdir(d))) if (e->d_name[0] != '.') snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (d) closedir(d);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s/vigil-%d-", dir, (int)child);
    CHECK(strncmp(path, prefix, strlen(prefix)) == 0);
    m = map_ring(path);
    CHECK_EQ(vigil_ring_writer_gone(m.fd), 1);
    CHECK_EQ(vigil_ring_check(m.map, m.size, &info), VIGIL_OK);
    CHECK_EQ(info.flags, 0);
    CHECK_EQ(info.pid, child);
    CHECK_EQ(info.appended, 3);
    vigil_ring_record rec[4];
    CHECK_EQ(vigil_ring_peek(m.map, m.size, 0, rec, NULL, 4), 3);
    CHECK_EQ(vigil_ring_release(m.map, m.size, 3), VIGIL_OK);
    /* As if it had died between claiming a slot and completing it: the tail moved, the slot did not. */
    atomic_fetch_add((_Atomic uint64_t *)((uint8_t *)m.map + VIGIL_RING_OFF_TAIL), 1);
    CHECK_EQ(vigil_ring_peek(m.map, m.size, 3, rec, NULL, 4), 0);
    CHECK_EQ(vigil_ring_skip_stalled(m.map, m.size), 1);
    CHECK_EQ(vigil_ring_skip_stalled(m.map, m.size), 0);
    CHECK_EQ(vigil_ring_check(m.map, m.size, &info), VIGIL_OK);
    CHECK_EQ(info.drained, 4);
    unmap_ring(&m);
    remove_dir(dir);
}

/* The consumer's calls refuse what is not a ring. */
static void consumer_checks(void) {
    static uint8_t junk[VIGIL_RING_HEADER_BYTES + 64 * VIGIL_RING_SLOT_BYTES];
    vigil_ring_info info;
    vigil_ring_record rec[1];
    CHECK_EQ(vigil_ring_check(junk, sizeof junk, &info), VIGIL_E_NOT_INDEX);
    CHECK_EQ(vigil_ring_check(junk, 100, &info), VIGIL_E_INVALID_ARG);
    vigil_ring_header h = { .rh_version = 2 };
    memcpy(h.rh_magic, VIGIL_RING_MAGIC, 8);
    memcpy(junk, &h, sizeof h);
    CHECK_EQ(vigil_ring_check(junk, sizeof junk, &info), VIGIL_E_VERSION);
    h.rh_version = VIGIL_RING_VERSION;
    h.rh_endian = 0x01020304u;
    h.rh_header_bytes = VIGIL_RING_HEADER_BYTES;
    h.rh_slot_bytes = VIGIL_RING_SLOT_BYTES;
    h.rh_capacity = 128;   /* more slots than the mapping holds */
    memcpy(junk, &h, sizeof h);
    CHECK_EQ(vigil_ring_check(junk, sizeof junk, &info), VIGIL_E_CORRUPT);
    h.rh_capacity = 96;    /* not a power of two */
    memcpy(junk, &h, sizeof h);
    CHECK_EQ(vigil_ring_check(junk, sizeof junk, &info), VIGIL_E_CORRUPT);
    CHECK_EQ(vigil_ring_peek(junk, sizeof junk, 0, rec, NULL, 1), 0);
    CHECK_EQ(vigil_ring_release(junk, sizeof junk, 1), VIGIL_E_INVALID_ARG);
    h.rh_capacity = 64;
    memcpy(junk, &h, sizeof h);
    CHECK_EQ(vigil_ring_check(junk, sizeof junk, &info), VIGIL_OK);
    CHECK_EQ(vigil_ring_peek(junk, sizeof junk, 0, rec, NULL, 1), 0);  /* slot sequence 0: empty */
}

/* After a thread's first decision, logging allocates nothing either (the malloc-count case with a ring). */
static void no_allocation_with_ring(const char *index) {
    char dir[64];
    vigil_index *ix = open_logged(index, dir, 64);
    vigil_request q1 = make_req("alice", "view", "d1", "{\"risk\": 1}", NULL);
    vigil_request q2 = make_req("alice", "edit", "d1", "{\"risk\": 0}", "s2");
    vigil_request pairs[2] = { make_req("", "view", "d1", NULL, NULL), make_req("", "edit", "ghost", NULL, NULL) };
    vigil_result r, rs[2];
    CHECK_EQ(vigil_decide(ix, &q1, &r), VIGIL_OK);
    long before = t_allocations;
    for (int i = 0; i < 200; i++) {  /* fills the ring, then drops: both paths */
        CHECK_EQ(vigil_decide(ix, &q1, &r), VIGIL_OK);
        CHECK_EQ(vigil_decide(ix, &q2, &r), VIGIL_OK);
        CHECK_EQ(vigil_decide_batch(ix, &q2, 2, pairs, pairs, rs), VIGIL_OK);
    }
    if (before >= 0) CHECK_EQ(t_allocations - before, 0);
    uint64_t appended, dropped;
    CHECK_EQ(vigil_log_stats(ix, &appended, &dropped), VIGIL_OK);
    CHECK_EQ(appended, 64);
    CHECK_EQ(appended + dropped, 801);
    vigil_index_close(ix);
    remove_dir(dir);
}

void test_ring(void) {
    tix t;
    build_scenario(&t);
    records_and_fields(t.dir);
    drops_when_full(t.dir);
    threads_append_without_locks(t.dir);
    no_allocation_with_ring(t.dir);
    writer_gone_and_consumer_lock(t.dir);
    where_rings_live(&t);
    consumer_checks();
    tix_remove(t.dir);
}
