/* testing.h — a minimal check harness and a test-only index builder for the C evaluator's tests. */
#ifndef VIGIL_TESTING_H
#define VIGIL_TESTING_H

#include "vigil_internal.h"

#include <stdio.h>

extern int t_checks, t_failures;
extern _Atomic long t_allocations;   /* malloc, calloc and realloc calls so far; -1 when not counted */

/* Records a check; prints the failing expression with its location. */
#define CHECK(cond) do { t_checks++; if (!(cond)) { t_failures++; \
    fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); t_checks++; if (a_ != b_) { \
    t_failures++; \
    fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, a_, #b, b_); } } while (0)

/* ---- Building encoded values (caller writes fields sorted and set elements in canonical order) ---- */
typedef struct vb { uint8_t b[8192]; size_t n; } vb;
void vb_u8(vb *v, uint8_t x);
void vb_u32(vb *v, uint32_t x);
void vb_i64(vb *v, int64_t x);
void vb_long(vb *v, int64_t x);
void vb_str(vb *v, const char *s);
void vb_bool(vb *v, int x);
void vb_entity(vb *v, uint32_t eid);
size_t vb_begin(vb *v, uint8_t tag, uint32_t count);  /* Set or Record; returns the position for vb_end */
void vb_end(vb *v, size_t pos);
void vb_pattern(vb *v, const char *pat);                /* '*' is the wildcard */

/* ---- Assembling programs ---- */
typedef struct prog { uint8_t code[1024]; uint32_t n; } prog;
uint32_t asm0(prog *p, uint8_t op);
uint32_t asm1(prog *p, uint8_t op, uint32_t a);
uint32_t asm2(prog *p, uint8_t op, uint32_t a, uint32_t b);
void asm_patch(prog *p, uint32_t at, uint32_t target);  /* sets operand A of the instruction at `at` */

/* ---- A test index ---- */
typedef struct tix {
    char dir[256];
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi meta, names, name_text, uids, entities, policies, by_action, sessions;
    uint32_t nnames, nents, npols;
    char name_list[64][64];
} tix;

typedef struct tpolicy {
    uint32_t flags, step_up, max_age;
    int64_t expires_ms;
    vigil_scope principal, resource;
    const char *id, *annot, *file;
    const prog *code;
    const vb *consts;          /* const_count values back to back */
    uint32_t const_count;
    const uint32_t *spans;     /* span_count x (pc, line, col) */
    uint32_t span_count;
} tpolicy;

void tix_create(tix *t);                              /* a fresh directory and write transaction */
void tix_reopen(tix *t);                              /* a write transaction on t->dir again (after tix_commit) */
uint32_t tix_name(tix *t, const char *name);
uint32_t tix_entity(tix *t, const char *type, const char *id, uint32_t flags, const uint32_t *anc, uint32_t nanc,
                    const vb *attrs, const vb *tags);
/* Writes entity `eid`'s record (not its uid): tix_entity for a new one, or to replace one after tix_reopen. */
void tix_entity_put(tix *t, uint32_t eid, const char *type, const char *id, uint32_t flags, const uint32_t *anc,
                    uint32_t nanc, const vb *attrs, const vb *tags);
uint32_t tix_policy(tix *t, const tpolicy *p);
void tix_by_action(tix *t, uint32_t key, const uint32_t *nums, uint32_t n);
void tix_session(tix *t, const char *sid, uint32_t eid, uint32_t flags, int64_t expires);
void tix_ctx_type(tix *t, uint32_t action, const vb *descriptor);  /* creates ctx_types on first use */
void tix_put_raw(tix *t, MDB_dbi dbi, const void *key, size_t klen, const void *val, size_t vlen);
void tix_header(tix *t, uint64_t generation);
void tix_commit(tix *t);                              /* commits and closes the environment */
void tix_remove(const char *dir);

/* Test groups. */
void test_ext(void);
void test_value(void);
void test_json(void);
void test_vm(void);
void test_decide(void);
void test_plan(void);
void test_snapshot(void);
void test_cache(void);
void test_batch(void);
void test_fuzz(void);
void test_ring(void);

/* A reader for unit tests that need one (arena, transaction): a decision-ready reader on an index. */
vigil__reader *t_reader(vigil_index *ix);
/* Runs `fn` with a reader on an index that holds only a header: for tests that need an arena, not data. */
void t_with_empty_index(void (*fn)(vigil__reader *rd));

#endif
