/* test_vm.c — the verifier and the interpreter on hand-assembled programs. */
#include "testing.h"

static vigil__reader *rd;
static uint32_t n_age, n_name, n_missing, n_user, n_group, n_t;
static uint32_t e_alice, e_admins, e_bob, e_ghost;
static uint8_t recbuf[8192];

/* A policy in memory: the code, then the constants, then their offset table. */
static vigil__policy mkpol(const prog *p, const vb *consts, uint32_t nconst) {
    vigil__policy po;
    memset(&po, 0, sizeof po);
    uint32_t n = 0;
    memcpy(recbuf, p->code, p->n);
    n = p->n;
    uint32_t offs[64], at = 0;
    for (uint32_t i = 0; i < nconst; i++) {
        uint32_t sz = vigil__value_size(consts->b + at);
        offs[i] = n;
        memcpy(recbuf + n, consts->b + at, sz);
        n += sz;
        at += sz;
    }
    po.po_const_off = n;
    memcpy(recbuf + n, offs, 4 * (size_t)nconst);
    n += 4 * nconst;
    po.po_rec = recbuf;
    po.po_len = n;
    po.po_code = recbuf;
    po.po_code_len = p->n;
    po.po_const_count = nconst;
    return po;
}

/* Verifies and runs: returns the status; *truth or *kind (with *pc) as the VM reports. */
static int run(const prog *p, const vb *consts, uint32_t nconst, int *truth, uint32_t *kind, uint32_t *pc) {
    vigil__policy po = mkpol(p, consts, nconst);
    int rc = vigil__verify(rd, &po);
    if (rc) return rc;
    return vigil__run(rd, &po, truth, kind, pc);
}

/* Expects the program to finish with `truth`. */
static void expect_truth(const prog *p, const vb *c, uint32_t nc, int truth, int line) {
    int t = -1;
    uint32_t kind = 99, pc = 0;
    int rc = run(p, c, nc, &t, &kind, &pc);
    if (rc || kind || t != truth) fprintf(stderr, "test_vm.c:%d: rc %d kind %u truth %d\n", line, rc, kind, t);
    CHECK(rc == 0 && kind == 0 && t == truth);
}

static void expect_error(const prog *p, const vb *c, uint32_t nc, uint32_t want, uint32_t want_pc, int line) {
    int t = -1;
    uint32_t kind = 0, pc = 0;
    int rc = run(p, c, nc, &t, &kind, &pc);
    if (rc || kind != want || pc != want_pc) fprintf(stderr, "test_vm.c:%d: rc %d kind %u pc %u\n", line, rc, kind, pc);
    CHECK(rc == 0 && kind == want && pc == want_pc);
}

static void expect_status(const prog *p, const vb *c, uint32_t nc, int want, int line) {
    int t;
    uint32_t kind, pc;
    int rc = run(p, c, nc, &t, &kind, &pc);
    if (rc != want) fprintf(stderr, "test_vm.c:%d: rc %d, expected %d\n", line, rc, want);
    CHECK_EQ(rc, want);
}

#define TRUTH(t) expect_truth(&p, &c, nc, (t), __LINE__)
#define ERROR(k, at) expect_error(&p, &c, nc, (k), (at), __LINE__)
#define STATUS(s) expect_status(&p, &c, nc, (s), __LINE__)
#define RESET() do { p.n = 0; c.n = 0; nc = 0; } while (0)

static void programs(void) {
    prog p = { .n = 0 };
    vb c = { .n = 0 };
    uint32_t nc = 0, at, j;

    RESET(); asm0(&p, OP_TRUE); asm0(&p, OP_RET); TRUTH(1);
    RESET(); asm0(&p, OP_FALSE); asm0(&p, OP_NOT); asm0(&p, OP_RET); TRUTH(1);
    RESET(); vb_long(&c, 1); nc = 1; asm1(&p, OP_CONST, 0); at = asm0(&p, OP_RET); ERROR(VIGIL_ERR_TYPE, at);
    /* The compiler's last clause: `when { c }` is <c> RET, `unless { c }` is <c> NOT RET; a non-Bool fails where
     * the clause's jump used to, with the same kind. */
    RESET(); asm0(&p, OP_TRUE); asm0(&p, OP_NOT); asm0(&p, OP_RET); TRUTH(0);
    RESET(); vb_long(&c, 1); nc = 1; asm1(&p, OP_CONST, 0); at = asm0(&p, OP_NOT); asm0(&p, OP_RET);
    ERROR(VIGIL_ERR_TYPE, at);
    RESET(); vb_long(&c, 1); nc = 1; asm1(&p, OP_CONST, 0); j = asm1(&p, OP_JUMP_IF_FALSE, 0);
    asm0(&p, OP_TRUE); asm0(&p, OP_RET); asm_patch(&p, j, p.n); asm0(&p, OP_FALSE); asm0(&p, OP_RET);
    ERROR(VIGIL_ERR_TYPE, j);                  /* the same value at a clause's jump: the same error */

    /* Arithmetic: overflow is an error, never a wrap. */
    RESET(); vb_long(&c, INT64_MAX); vb_long(&c, 1); nc = 2;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); at = asm0(&p, OP_ADD); asm0(&p, OP_POP); asm0(&p, OP_TRUE); asm0(&p,
            OP_RET);
    ERROR(VIGIL_ERR_OVERFLOW, at);
    RESET(); vb_long(&c, INT64_MIN); nc = 1; asm1(&p, OP_CONST, 0); at = asm0(&p, OP_NEG); asm0(&p, OP_RET);
    ERROR(VIGIL_ERR_OVERFLOW, at);
    RESET(); vb_long(&c, 6); vb_long(&c, 7); vb_long(&c, 42); nc = 3;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); asm0(&p, OP_MUL); asm1(&p, OP_CONST, 2); asm0(&p, OP_EQ); asm0(&p,
            OP_RET);
    TRUTH(1);
    RESET(); vb_long(&c, 6); vb_str(&c, "x"); nc = 2;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); at = asm0(&p, OP_SUB); asm0(&p, OP_RET); ERROR(VIGIL_ERR_TYPE, at);

    /* Comparison: Long, datetime or duration, the same on both sides. */
    RESET(); vb_long(&c, 3); vb_long(&c, 5); nc = 2;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); asm0(&p, OP_LT); asm0(&p, OP_RET); TRUTH(1);
    RESET(); vb_long(&c, -3); vb_long(&c, 5); nc = 2;   /* the encodings' byte order is not the numbers' */
    asm1(&p, OP_CONST, 1); asm1(&p, OP_CONST, 0); asm0(&p, OP_GE); asm0(&p, OP_RET); TRUTH(1);
    RESET(); vb_u8(&c, VIGIL_V_DATETIME); vb_i64(&c, 5); vb_u8(&c, VIGIL_V_DATETIME); vb_i64(&c, 5); nc = 2;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); asm0(&p, OP_LE); asm0(&p, OP_RET); TRUTH(1);
    RESET(); vb_u8(&c, VIGIL_V_DATETIME); vb_i64(&c, 5); vb_u8(&c, VIGIL_V_DURATION); vb_i64(&c, 5); nc = 2;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); at = asm0(&p, OP_LT); asm0(&p, OP_RET); ERROR(VIGIL_ERR_TYPE, at);
    RESET(); vb_u8(&c, VIGIL_V_DECIMAL); vb_i64(&c, 5); vb_u8(&c, VIGIL_V_DECIMAL); vb_i64(&c, 6); nc = 2;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); at = asm0(&p, OP_LT); asm0(&p, OP_RET); ERROR(VIGIL_ERR_TYPE, at);

    /* == compares any types without error; sets built in any order are equal. */
    RESET(); vb_long(&c, 1); vb_str(&c, "1"); nc = 2;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); asm0(&p, OP_NE); asm0(&p, OP_RET); TRUTH(1);
    RESET(); vb_long(&c, 1); vb_long(&c, 2); nc = 2;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); asm1(&p, OP_SET, 2);
    asm1(&p, OP_CONST, 1); asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); asm1(&p, OP_SET, 3);
    asm0(&p, OP_EQ); asm0(&p, OP_RET); TRUTH(1);

    /* Sets. */
    RESET(); vb_long(&c, 1); vb_long(&c, 2); vb_str(&c, "x"); nc = 3;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 2); asm1(&p, OP_SET, 2); asm1(&p, OP_CONST, 2); asm0(&p,
            OP_CONTAINS); asm0(&p, OP_RET);
    TRUTH(1);
    RESET(); vb_long(&c, 1); vb_long(&c, 2); vb_str(&c, "x"); nc = 3;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 2); asm1(&p, OP_SET, 2); asm1(&p, OP_CONST, 1); asm1(&p, OP_SET, 1);
    asm0(&p, OP_CONTAINS_ANY); asm0(&p, OP_RET); TRUTH(0);
    RESET(); vb_long(&c, 1); vb_long(&c, 2); vb_str(&c, "x"); nc = 3;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 2); asm1(&p, OP_CONST, 1); asm1(&p, OP_SET, 3);
    asm1(&p, OP_CONST, 2); asm1(&p, OP_CONST, 0); asm1(&p, OP_SET, 2); asm0(&p, OP_CONTAINS_ALL); asm0(&p, OP_RET);
    TRUTH(1);
    RESET(); asm1(&p, OP_SET, 0); asm0(&p, OP_IS_EMPTY); asm0(&p, OP_RET); TRUTH(1);
    RESET(); vb_long(&c, 1); nc = 1; asm1(&p, OP_CONST, 0); at = asm0(&p, OP_IS_EMPTY); asm0(&p,
            OP_RET); ERROR(VIGIL_ERR_TYPE, at);
    RESET(); vb_long(&c, 1); nc = 1; asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 0); at = asm0(&p, OP_CONTAINS); asm0(&p,
            OP_RET);
    ERROR(VIGIL_ERR_TYPE, at);

    /* `in`: equality or an ancestor; a set must hold only entities, even after a match. */
    RESET(); vb_entity(&c, e_admins); nc = 1;
    asm1(&p, OP_VAR, 0); asm1(&p, OP_CONST, 0); asm0(&p, OP_IN); asm0(&p, OP_RET); TRUTH(1);
    RESET(); vb_entity(&c, e_admins); nc = 1;
    asm1(&p, OP_VAR, 2); asm1(&p, OP_CONST, 0); asm0(&p, OP_IN); asm0(&p, OP_RET); TRUTH(0);   /* bob */
    RESET(); vb_entity(&c, e_bob); nc = 1;
    asm1(&p, OP_VAR, 2); asm1(&p, OP_CONST, 0); asm0(&p, OP_IN); asm0(&p, OP_RET); TRUTH(1);   /* bob in bob */
    RESET(); vb_entity(&c, e_admins); vb_str(&c, "x"); nc = 2;
    asm1(&p, OP_VAR, 0); asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); asm1(&p, OP_SET, 2); at = asm0(&p,
            OP_IN); asm0(&p, OP_RET);
    ERROR(VIGIL_ERR_TYPE, at);
    RESET(); vb_entity(&c, e_bob); vb_entity(&c, e_admins); nc = 2;
    asm1(&p, OP_VAR, 0); asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); asm1(&p, OP_SET, 2); asm0(&p, OP_IN); asm0(&p,
            OP_RET);
    TRUTH(1);
    RESET(); vb_entity(&c, e_admins); nc = 1;
    asm1(&p, OP_VAR, 1); asm1(&p, OP_CONST, 0); asm0(&p, OP_IN); asm0(&p, OP_RET); TRUTH(0);   /* ghost: no ancestors */
    RESET(); vb_str(&c, "x"); vb_entity(&c, e_admins); nc = 2;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 1); at = asm0(&p, OP_IN); asm0(&p, OP_RET); ERROR(VIGIL_ERR_TYPE, at);
    RESET(); vb_str(&c, "x"); nc = 1;
    asm1(&p, OP_VAR, 0); asm1(&p, OP_CONST, 0); at = asm0(&p, OP_IN); asm0(&p, OP_RET); ERROR(VIGIL_ERR_TYPE, at);

    /* Attributes of entities and records. */
    RESET(); vb_long(&c, 30); nc = 1;
    asm1(&p, OP_VAR, 0); asm1(&p, OP_GET_ATTR, n_age); asm1(&p, OP_CONST, 0); asm0(&p, OP_EQ); asm0(&p,
            OP_RET); TRUTH(1);
    RESET(); asm1(&p, OP_VAR, 0); at = asm1(&p, OP_GET_ATTR, n_missing); asm0(&p,
            OP_RET); ERROR(VIGIL_ERR_MISSING_ATTR, at);
    RESET(); asm1(&p, OP_VAR, 1); at = asm1(&p, OP_GET_ATTR, n_age); asm0(&p, OP_RET); ERROR(VIGIL_ERR_MISSING_ENTITY,
            at);
    RESET(); asm1(&p, OP_VAR, 1); asm1(&p, OP_HAS_ATTR, n_age); asm0(&p, OP_NOT); asm0(&p, OP_RET); TRUTH(1);
    RESET(); asm1(&p, OP_VAR, 0); asm1(&p, OP_HAS_ATTR, n_name); asm0(&p, OP_RET); TRUTH(1);
    RESET(); asm1(&p, OP_VAR, 2); asm1(&p, OP_HAS_ATTR, n_name); asm0(&p, OP_RET); TRUTH(0);  /* bob: no attributes */
    RESET(); vb_long(&c, 1); nc = 1; asm1(&p, OP_CONST, 0); at = asm1(&p, OP_HAS_ATTR, n_name); asm0(&p, OP_RET);
    ERROR(VIGIL_ERR_TYPE, at);
    RESET(); asm1(&p, OP_VAR, 3); at = asm1(&p, OP_GET_ATTR, n_age); asm0(&p, OP_RET); ERROR(VIGIL_ERR_MISSING_ATTR,
            at);
    /* A record literal {age: 1, name: true}, then .name */
    RESET(); vb_long(&c, 1); nc = 1;
    asm0(&p, OP_TRUE);
    asm1(&p, OP_CONST, 0);
    at = asm1(&p, OP_RECORD, 2); memcpy(p.code + p.n, &n_name, 4); p.n += 4; memcpy(p.code + p.n, &n_age, 4); p.n += 4;
    asm1(&p, OP_GET_ATTR, n_name); asm0(&p, OP_RET); TRUTH(1);

    /* Tags. */
    RESET(); vb_str(&c, "t"); vb_str(&c, "v"); nc = 2;
    asm1(&p, OP_VAR, 0); asm1(&p, OP_CONST, 0); asm0(&p, OP_GET_TAG); asm1(&p, OP_CONST, 1); asm0(&p, OP_EQ); asm0(&p,
            OP_RET);
    TRUTH(1);
    RESET(); vb_str(&c, "nope"); nc = 1;
    asm1(&p, OP_VAR, 0); asm1(&p, OP_CONST, 0); at = asm0(&p, OP_GET_TAG); asm0(&p,
            OP_RET); ERROR(VIGIL_ERR_MISSING_TAG, at);
    RESET(); vb_str(&c, "age"); nc = 1;   /* a name the index has, but not a tag of alice */
    asm1(&p, OP_VAR, 0); asm1(&p, OP_CONST, 0); asm0(&p, OP_HAS_TAG); asm0(&p, OP_NOT); asm0(&p, OP_RET); TRUTH(1);
    RESET(); vb_str(&c, "t"); nc = 1;
    asm1(&p, OP_VAR, 1); asm1(&p, OP_CONST, 0); at = asm0(&p, OP_GET_TAG); asm0(&p,
            OP_RET); ERROR(VIGIL_ERR_MISSING_ENTITY, at);
    RESET(); vb_long(&c, 1); nc = 1;
    asm1(&p, OP_VAR, 0); asm1(&p, OP_CONST, 0); at = asm0(&p, OP_HAS_TAG); asm0(&p, OP_RET); ERROR(VIGIL_ERR_TYPE, at);

    /* like, is. */
    RESET(); vb_pattern(&c, "al*"); nc = 1;
    asm1(&p, OP_VAR, 0); asm1(&p, OP_GET_ATTR, n_name); asm1(&p, OP_LIKE, 0); asm0(&p, OP_RET); TRUTH(1);
    RESET(); vb_pattern(&c, "al*"); nc = 1;
    asm1(&p, OP_VAR, 0); at = asm1(&p, OP_LIKE, 0); asm0(&p, OP_RET); ERROR(VIGIL_ERR_TYPE, at);
    RESET(); asm1(&p, OP_VAR, 0); asm1(&p, OP_IS, n_user); asm0(&p, OP_RET); TRUTH(1);
    RESET(); asm1(&p, OP_VAR, 0); asm1(&p, OP_IS, n_group); asm0(&p, OP_RET); TRUTH(0);
    RESET(); asm1(&p, OP_VAR, 1); asm1(&p, OP_IS, n_user); asm0(&p, OP_RET); TRUTH(1);   /* ghost is a User too */

    /* Extension calls. */
    RESET(); vb_str(&c, "10.1.2.3"); vb_str(&c, "10.0.0.0/8"); nc = 2;
    asm1(&p, OP_CONST, 0); asm2(&p, OP_EXT, EXT_IP, 1); asm1(&p, OP_CONST, 1); asm2(&p, OP_EXT, EXT_IP, 1);
    asm2(&p, OP_EXT, EXT_IS_IN_RANGE, 2); asm0(&p, OP_RET); TRUTH(1);
    RESET(); vb_str(&c, "10.1.2"); nc = 1;
    asm1(&p, OP_CONST, 0); at = asm2(&p, OP_EXT, EXT_IP, 1); asm0(&p, OP_RET); ERROR(VIGIL_ERR_EXTENSION, at);
    RESET(); vb_str(&c, "1.0"); nc = 1;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 0); at = asm2(&p, OP_EXT, EXT_DECIMAL, 2); asm0(&p,
            OP_RET); ERROR(VIGIL_ERR_ARITY, at);
    RESET(); at = asm1(&p, OP_ERROR, VIGIL_ERR_EXTENSION); ERROR(VIGIL_ERR_EXTENSION, at);

    /* && as the compiler writes it: <a> JUMP_IF_FALSE Lf; <b> CHECK_BOOL; JUMP Lend; Lf: FALSE; Lend: RET. */
    RESET(); vb_long(&c, 1); nc = 1;
    asm0(&p, OP_TRUE); j = asm1(&p, OP_JUMP_IF_FALSE, 0); asm1(&p, OP_CONST, 0); at = asm0(&p, OP_CHECK_BOOL);
    uint32_t jend = asm1(&p, OP_JUMP, 0); asm_patch(&p, j, asm0(&p, OP_FALSE)); asm_patch(&p, jend, asm0(&p, OP_RET));
    ERROR(VIGIL_ERR_TYPE, at);
    RESET(); vb_long(&c, 1); nc = 1;
    asm0(&p, OP_FALSE); j = asm1(&p, OP_JUMP_IF_FALSE, 0); asm1(&p, OP_CONST, 0); asm0(&p, OP_CHECK_BOOL);
    jend = asm1(&p, OP_JUMP, 0); asm_patch(&p, j, asm0(&p, OP_FALSE)); asm_patch(&p, jend, asm0(&p, OP_RET));
    TRUTH(0);   /* short circuit: the right side's type is never checked */
    RESET(); vb_long(&c, 1); nc = 1;
    asm1(&p, OP_CONST, 0); at = asm1(&p, OP_JUMP_IF_TRUE, 0); asm0(&p, OP_TRUE); asm0(&p, OP_RET);
    asm_patch(&p, at, asm0(&p, OP_RET));
    ERROR(VIGIL_ERR_TYPE, at);

    /* The stack: overflow is a limit error; underflow means a corrupt program. */
    RESET(); for (int i = 0; i < VIGIL__STACK_MAX + 1; i++) at = asm0(&p, OP_TRUE); asm0(&p, OP_RET);
    ERROR(VIGIL_ERR_LIMIT, at);
    RESET(); asm0(&p, OP_POP); asm0(&p, OP_TRUE); asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT);
    RESET(); asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT);
    /* The shortcuts keep these: `x == constant` on a full stack fails on the constant's push; `constant == x`
     * with nothing below is corrupt; `x == constant` itself is compared in place. */
    RESET(); vb_long(&c, 1); nc = 1;
    for (int i = 0; i < VIGIL__STACK_MAX; i++) asm0(&p, OP_TRUE);
    at = asm1(&p, OP_CONST, 0); asm0(&p, OP_EQ); asm0(&p, OP_RET);
    ERROR(VIGIL_ERR_LIMIT, at);
    RESET(); vb_long(&c, 1); nc = 1;
    asm1(&p, OP_CONST, 0); asm0(&p, OP_EQ); asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT);
    RESET(); vb_long(&c, 1); nc = 1;
    asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 0); asm0(&p, OP_NE); asm0(&p, OP_NOT); asm0(&p, OP_RET);
    TRUTH(1);
}

/* IDX-P003: programs the verifier refuses. */
static void verifier(void) {
    prog p = { .n = 0 };
    vb c = { .n = 0 };
    uint32_t nc = 0, j;
    RESET(); STATUS(VIGIL_E_CORRUPT);                                                     /* empty */
    RESET(); asm0(&p, OP__COUNT); asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT);               /* unknown opcode */
    RESET(); asm0(&p, OP_TRUE); STATUS(VIGIL_E_CORRUPT);                                    /* runs off the end */
    RESET(); asm0(&p, OP_TRUE); asm0(&p, OP_RET); p.code[p.n++] = OP_VAR; STATUS(VIGIL_E_CORRUPT); /* truncated */
    RESET(); asm1(&p, OP_CONST, 0); asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT);             /* no such constant */
    /* not a pattern */
    RESET(); vb_long(&c, 1); nc = 1; asm1(&p, OP_LIKE, 0); asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT);
    RESET(); vb_pattern(&c, "a"); nc = 1; asm1(&p, OP_CONST, 0); asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT);
    RESET(); asm1(&p, OP_VAR, 4); asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT);
    RESET(); asm1(&p, OP_VAR, 0); asm1(&p, OP_GET_ATTR, 1000); asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT);
    RESET(); asm2(&p, OP_EXT, EXT__COUNT, 1); asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT);
    RESET(); asm1(&p, OP_ERROR, 0); STATUS(VIGIL_E_CORRUPT);
    RESET(); j = asm0(&p, OP_TRUE); asm1(&p, OP_JUMP, j); asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT); /* backwards */
    RESET(); asm0(&p, OP_TRUE); j = asm1(&p, OP_JUMP_IF_FALSE, 7); asm1(&p, OP_VAR, 0); asm0(&p, OP_RET);
    STATUS(VIGIL_E_CORRUPT);                                                                /* into an operand */
    RESET(); asm0(&p, OP_TRUE); asm1(&p, OP_JUMP, 100); asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT); /* outside */
    RESET(); vb_long(&c, 1); nc = 1; asm1(&p, OP_CONST, 0); asm1(&p, OP_CONST, 0);
    asm1(&p, OP_RECORD, 2); memcpy(p.code + p.n, &n_age, 4); p.n += 4; memcpy(p.code + p.n, &n_age, 4); p.n += 4;
    asm0(&p, OP_RET); STATUS(VIGIL_E_CORRUPT);                                             /* duplicate keys */
    /* Corrupt constants: a set whose body runs past the record. */
    RESET(); size_t s = vb_begin(&c, VIGIL_V_SET, 1); vb_long(&c, 1); vb_end(&c, s); nc = 1;
    asm1(&p, OP_CONST, 0); asm0(&p, OP_IS_EMPTY); asm0(&p, OP_RET);
    vigil__policy po = mkpol(&p, &c, nc);
    CHECK_EQ(vigil__verify(rd, &po), VIGIL_OK);
    vigil__wr32(recbuf + p.n + 5, 5000);
    CHECK_EQ(vigil__verify(rd, &po), VIGIL_E_CORRUPT);
}

void test_vm(void) {
    tix t;
    tix_create(&t);
    n_age = tix_name(&t, "age");
    n_name = tix_name(&t, "name");
    n_missing = tix_name(&t, "missing");
    n_t = tix_name(&t, "t");
    n_user = tix_name(&t, "User");
    n_group = tix_name(&t, "Group");
    e_admins = tix_entity(&t, "Group", "admins", VIGIL_ENT_PRESENT, NULL, 0, NULL, NULL);
    vb attrs = { .n = 0 }, tags = { .n = 0 };
    size_t r = vb_begin(&attrs, VIGIL_V_RECORD, 2);
    vb_u32(&attrs, n_age); vb_long(&attrs, 30);
    vb_u32(&attrs, n_name); vb_str(&attrs, "alice");
    vb_end(&attrs, r);
    r = vb_begin(&tags, VIGIL_V_RECORD, 1);
    vb_u32(&tags, n_t); vb_str(&tags, "v");
    vb_end(&tags, r);
    e_alice = tix_entity(&t, "User", "alice", VIGIL_ENT_PRESENT, &e_admins, 1, &attrs, &tags);
    e_bob = tix_entity(&t, "User", "bob", VIGIL_ENT_PRESENT, NULL, 0, NULL, NULL);
    e_ghost = tix_entity(&t, "User", "ghost", 0, NULL, 0, NULL, NULL);
    tix_header(&t, 1);
    tix_commit(&t);
    vigil_index *ix;
    CHECK_EQ(vigil_index_open(t.dir, 0, &ix), VIGIL_OK);
    rd = t_reader(ix);
    static const uint8_t empty_rec[9] = { VIGIL_V_RECORD };
    uint8_t vars[3][5];
    uint32_t eids[3] = { e_alice, e_ghost, e_bob };
    for (int i = 0; i < 3; i++) { vars[i][0] = VIGIL_V_ENTITY; vigil__wr32(vars[i] + 1,
            eids[i]); rd->rd_vars[i] = (vigil_val){ vars[i], 5 }; }
    rd->rd_vars[3] = (vigil_val){ empty_rec, 9 };
    programs();
    verifier();
    /* Scope matching, natively; each scope entity is read once and kept for the scopes after. */
    vigil__scope_entity alice, ghost, bob;
    vigil__scope_entity_init(&alice, rd->rd_vars[0]);
    vigil__scope_entity_init(&ghost, rd->rd_vars[1]);
    vigil__scope_entity_init(&bob, rd->rd_vars[2]);
    vigil_scope sc = { VIGIL_SCOPE_IN, e_admins, 0 };
    CHECK_EQ(vigil__scope_match(rd, &sc, &alice), 1);
    CHECK_EQ(vigil__scope_match(rd, &sc, &bob), 0);
    sc = (vigil_scope){ VIGIL_SCOPE_IS_IN, e_admins, n_user };
    CHECK_EQ(vigil__scope_match(rd, &sc, &alice), 1);
    sc = (vigil_scope){ VIGIL_SCOPE_IS_IN, e_admins, n_group };
    CHECK_EQ(vigil__scope_match(rd, &sc, &alice), 0);
    sc = (vigil_scope){ VIGIL_SCOPE_EQ, e_bob, 0 };
    CHECK_EQ(vigil__scope_match(rd, &sc, &bob), 1);
    CHECK_EQ(vigil__scope_match(rd, &sc, &alice), 0);
    sc = (vigil_scope){ VIGIL_SCOPE_IS, 0, n_user };
    CHECK_EQ(vigil__scope_match(rd, &sc, &ghost), 1);
    CHECK_EQ(vigil__scope_match(rd, &sc, &bob), 1);
    CHECK(alice.se_read && ghost.se_read && bob.se_read);
    /* `in` itself needs no record; the kept one answers for another entity's scope. */
    vigil__scope_entity again;
    vigil__scope_entity_init(&again, rd->rd_vars[0]);
    sc = (vigil_scope){ VIGIL_SCOPE_IN, e_alice, 0 };
    CHECK_EQ(vigil__scope_match(rd, &sc, &again), 1);
    CHECK(!again.se_read);
    sc = (vigil_scope){ VIGIL_SCOPE_IN, e_admins, 0 };
    CHECK_EQ(vigil__scope_match(rd, &sc, &again), 1);
    CHECK(again.se_read);
    sc = (vigil_scope){ VIGIL_SCOPE_IS, 0, n_group };
    CHECK_EQ(vigil__scope_match(rd, &sc, &again), 0);
    sc = (vigil_scope){ 9, 0, 0 };
    CHECK_EQ(vigil__scope_match(rd, &sc, &again), VIGIL_E_CORRUPT);
    vigil__reader_end(rd);
    vigil_index_close(ix);
    tix_remove(t.dir);
}
