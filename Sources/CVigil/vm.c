/*
 * vm.c — checking and running a policy's compiled condition (vigil_opcodes.h), and matching scopes (the kinds
 * that need no record inline, in vigil_internal.h).
 *
 * Verification (IDX-P003) runs before every run: it is linear in the program and its constants, allocates only
 * a boundary bitmap in the arena, and lets the interpreter trust opcodes, operands and jump targets. Stack depth
 * is the one thing checked while running: an underflow means the program is corrupt; an overflow is a limit.
 * Jumps must go forward, so every program terminates.
 */
#include "vigil_internal.h"

/* Fixed u32 operands after each opcode byte; OP_RECORD also has A name ids after its count. ORDER OP */
const uint8_t vigil__op_operands[OP__COUNT] = {
    [OP_RET] = 0, [OP_CONST] = 1, [OP_TRUE] = 0, [OP_FALSE] = 0, [OP_VAR] = 1, [OP_DUP] = 0, [OP_POP] = 0,
    [OP_JUMP] = 1, [OP_JUMP_IF_FALSE] = 1, [OP_JUMP_IF_TRUE] = 1, [OP_CHECK_BOOL] = 0, [OP_NOT] = 0, [OP_NEG] = 0,
    [OP_EQ] = 0, [OP_NE] = 0, [OP_LT] = 0, [OP_LE] = 0, [OP_GT] = 0, [OP_GE] = 0, [OP_ADD] = 0, [OP_SUB] = 0,
    [OP_MUL] = 0, [OP_IN] = 0, [OP_CONTAINS] = 0, [OP_CONTAINS_ALL] = 0, [OP_CONTAINS_ANY] = 0, [OP_IS_EMPTY] = 0,
    [OP_GET_ATTR] = 1, [OP_HAS_ATTR] = 1, [OP_GET_TAG] = 0, [OP_HAS_TAG] = 0, [OP_LIKE] = 1, [OP_IS] = 1,
    [OP_SET] = 1, [OP_RECORD] = 1, [OP_EXT] = 2, [OP_ERROR] = 1,
};

/* Constant k of a policy, checked: VIGIL_OK or VIGIL_E_CORRUPT. */
static int constant(const vigil__policy *po, uint32_t k, vigil_val *out) {
    if (k >= po->po_const_count) return VIGIL_E_CORRUPT;                 /* IDX-P003: constant in range */
    uint32_t off = vigil__rd32(po->po_rec + po->po_const_off + 4 * (size_t)k);
    if (off >= po->po_len) return VIGIL_E_CORRUPT;                        /* IDX-V003 */
    uint32_t n = vigil__value_check(po->po_rec + off, po->po_len - off, VIGIL__MAX_DEPTH);
    if (n == 0) return VIGIL_E_CORRUPT;                                   /* IDX-V001..V004 */
    out->p = po->po_rec + off;
    out->n = n;
    return VIGIL_OK;
}

/* Constant k of a verified policy: verification checked its index, offset and encoding, so only its size is
 * read again. */
static vigil_val verified_constant(const vigil__policy *po, uint32_t k) {
    const uint8_t *p = po->po_rec + vigil__rd32(po->po_rec + po->po_const_off + 4 * (size_t)k);
    return (vigil_val){ p, vigil__value_size(p) };
}

int vigil__verify(vigil__reader *rd, vigil__policy *po) {
    const uint8_t *code = po->po_code;
    uint32_t len = po->po_code_len, names = rd->rd_hdr.vh_name_count;
    if (len == 0) return VIGIL_E_CORRUPT;                                 /* IDX-P003: ends with OP_RET */
    size_t mark = rd->rd_top;
    uint8_t *starts = vigil__alloc(rd, len / 8 + 1);
    if (!starts) return VIGIL_E_LIMIT;
    memset(starts, 0, len / 8 + 1);
    int rc = VIGIL_E_CORRUPT, falls = 1;
    uint32_t uses = 0;
    for (uint32_t pc = 0; pc < len;) {
        uint8_t op = code[pc];
        if (op >= OP__COUNT) goto done;                                   /* IDX-P003: every opcode known */
        uint64_t size = 1 + 4 * (uint64_t)vigil__op_operands[op];
        if (pc + size > len) goto done;                                   /* IDX-P003: operands inside */
        uint32_t a = vigil__op_operands[op] ? vigil__rd32(code + pc + 1) : 0;
        uint32_t b = vigil__op_operands[op] > 1 ? vigil__rd32(code + pc + 5) : 0;
        vigil_val c;
        switch (op) {
        case OP_CONST:
            if (constant(po, a, &c) || c.p[0] == VIGIL_V_PATTERN) goto done;
            break;
        case OP_LIKE:
            if (constant(po, a, &c) || c.p[0] != VIGIL_V_PATTERN) goto done;
            break;
        case OP_VAR:
            if (a > 3) goto done;
            if (a == 1) uses |= VIGIL__USES_ACTION;
            if (a == 2) uses |= VIGIL__USES_RESOURCE;
            break;
        case OP_JUMP: case OP_JUMP_IF_FALSE: case OP_JUMP_IF_TRUE:
            if (a <= pc || a >= len) goto done;                           /* IDX-P003: forward, inside */
            break;
        case OP_GET_ATTR: case OP_HAS_ATTR: case OP_IS:
            if (a >= names) goto done;                                    /* IDX-P003: name ids in range */
            break;
        case OP_SET: if (a > VIGIL__STACK_MAX) goto done; break;
        case OP_RECORD:
            if (a > VIGIL__STACK_MAX || pc + size + 4 * (uint64_t)a > len) goto done;
            for (uint32_t i = 0; i < a; i++) {
                uint32_t id = vigil__rd32(code + pc + size + 4 * (size_t)i);
                if (id >= names) goto done;
                for (uint32_t j = 0; j < i; j++)                          /* a record literal's keys are unique */
                    if (vigil__rd32(code + pc + size + 4 * (size_t)j) == id) goto done;
            }
            size += 4 * (uint64_t)a;
            break;
        case OP_EXT: if (a >= EXT__COUNT || b > VIGIL__MAX_ARGS) goto done; break;
        case OP_ERROR: if (a < VIGIL_ERR_TYPE || a > VIGIL_ERR_LIMIT) goto done; break;
        default: break;
        }
        starts[pc / 8] |= (uint8_t)(1u << (pc % 8));
        falls = op != OP_RET && op != OP_JUMP && op != OP_ERROR;
        pc += (uint32_t)size;
    }
    if (falls) goto done;                                                 /* IDX-P003: no path runs off the end */
    for (uint32_t pc = 0; pc < len;) {
        uint8_t op = code[pc];
        uint32_t size = 1 + 4 * (uint32_t)vigil__op_operands[op];
        if (op == OP_JUMP || op == OP_JUMP_IF_FALSE || op == OP_JUMP_IF_TRUE) {
            uint32_t t = vigil__rd32(code + pc + 1);
            if (!(starts[t / 8] & (1u << (t % 8)))) goto done;            /* IDX-P003: on an instruction */
        }
        if (op == OP_RECORD) size += 4 * vigil__rd32(code + pc + 1);
        pc += size;
    }
    rc = VIGIL_OK;
    po->po_uses = uses;
done:
    rd->rd_top = mark;
    return rc;
}

/* The type name id of an entity value's eid: VIGIL_OK or VIGIL_E_CORRUPT. */
static int entity_type(vigil__reader *rd, uint32_t eid, uint32_t *type) {
    vigil__entity en;
    int rc = vigil__entity_get(rd, eid, &en, 0);
    if (rc < 0) return rc;
    *type = en.en_type;
    return VIGIL_OK;
}

int vigil__scope_match_read(vigil__reader *rd, const vigil_scope *sc, vigil__scope_entity *se) {
    switch (sc->sc_kind) {
    case VIGIL_SCOPE_IN: if (se->se_eid == sc->sc_eid) return 1; break;
    case VIGIL_SCOPE_IS: case VIGIL_SCOPE_IS_IN: break;
    default: return VIGIL_E_CORRUPT;
    }
    if (!se->se_read) {
        /* Not stored (temporary or unknown): no ancestors, and the type the request gave, as Cedar sees it. */
        int rc = vigil__entity_get(rd, se->se_eid, &se->se_en, 0);
        if (rc < 0) return rc;
        se->se_read = 1;
    }
    if (sc->sc_kind != VIGIL_SCOPE_IN && se->se_en.en_type != sc->sc_type) return 0;
    if (sc->sc_kind == VIGIL_SCOPE_IS) return 1;
    return se->se_eid == sc->sc_eid || vigil__has_ancestor(&se->se_en, sc->sc_eid);
}

/* A tag key's name id, if the index has the name: 1, 0, or an error. */
static int tag_id(vigil__reader *rd, vigil_val s, uint32_t *id) {
    uint32_t n = vigil__rd32(s.p + 1);
    return vigil__name_find(rd, s.p + 5, n, id);
}

/* Whether every element of a valid set is an entity (Cedar converts the whole set before `in`). */
static int all_entities(vigil_val set) {
    uint32_t count;
    const uint8_t *q = vigil__set_first(set, &count);
    for (uint32_t i = 0; i < count; i++) {
        if (q[0] != VIGIL_V_ENTITY) return 0;
        q += vigil__value_size(q);
    }
    return 1;
}

static int is_ordered_pair(vigil_val a, vigil_val b) {
    return a.p[0] == b.p[0] && (a.p[0] == VIGIL_V_LONG || a.p[0] == VIGIL_V_DATETIME || a.p[0] == VIGIL_V_DURATION);
}

#define POP(v) do { if (sp == 0) { rc = VIGIL_E_CORRUPT; goto out; } (v) = stack[--sp]; } while (0)
#define PUSH(v) do { if (sp == VIGIL__STACK_MAX) { FAIL(VIGIL_ERR_LIMIT); } stack[sp++] = (v); } while (0)
/* The two operands of a binary instruction, b on top; and a push into a slot just popped (it cannot overflow). */
#define POP2(a, b) do { if (sp < 2) { rc = VIGIL_E_CORRUPT; goto out; } (b) = stack[sp - 1]; (a) = stack[sp - 2]; \
                        sp -= 2; } while (0)
#define REPUSH(v) (stack[sp++] = (v))
#define FAIL(kind) do { *err_kind = (kind); *err_pc = pc; goto out; } while (0)
#define CHECK(expr) do { int r_ = (expr); if (r_ < 0) { rc = r_; goto out; } } while (0)
/* Operand A of the instruction at pc, read only by the instructions that have one (verified inside the program). */
#define OPA vigil__rd32(code + pc + 1)
/* Dispatch: with GCC and Clang, each instruction jumps straight to the next one's code through a table of label
 * addresses (a switch adds a range check and a jump back to one shared indirect jump); a plain switch elsewhere
 * (or with -DVIGIL_VM_SWITCH, to test it). */
#if defined(__GNUC__) && !defined(VIGIL_VM_SWITCH)
#define VM_THREADED 1
#define VM_CASE(x) L_##x
#define VM_DISPATCH do { op = code[pc]; next = pc + 1 + 4 * vigil__op_operands[op]; goto *labels[op]; } while (0)
#define VM_NEXT do { pc = next; VM_DISPATCH; } while (0)
#else
#define VM_THREADED 0
#define VM_CASE(x) case x
#define VM_NEXT break
#endif

int vigil__run(vigil__reader *rd, const vigil__policy *po, int *truth, uint32_t *err_kind, uint32_t *err_pc) {
    const uint8_t *code = po->po_code;
    vigil_val *stack = rd->rd_stack, a, b, r;
    uint32_t sp = 0, pc = 0;
    size_t mark = rd->rd_top;
    int rc = VIGIL_OK;
    *truth = 0;
    *err_kind = 0;
    *err_pc = 0;
    uint8_t op;
    uint32_t next;
    /* INVARIANT: verified, so the opcode is known, its operands are inside the program, pc is a boundary. */
#if VM_THREADED
    static const void *const labels[OP__COUNT] = {
        [OP_RET] = &&L_OP_RET, [OP_CONST] = &&L_OP_CONST, [OP_TRUE] = &&L_OP_TRUE, [OP_FALSE] = &&L_OP_FALSE,
        [OP_VAR] = &&L_OP_VAR, [OP_DUP] = &&L_OP_DUP, [OP_POP] = &&L_OP_POP, [OP_JUMP] = &&L_OP_JUMP,
        [OP_JUMP_IF_FALSE] = &&L_OP_JUMP_IF_FALSE, [OP_JUMP_IF_TRUE] = &&L_OP_JUMP_IF_TRUE,
        [OP_CHECK_BOOL] = &&L_OP_CHECK_BOOL, [OP_NOT] = &&L_OP_NOT, [OP_NEG] = &&L_OP_NEG, [OP_EQ] = &&L_OP_EQ,
        [OP_NE] = &&L_OP_NE, [OP_LT] = &&L_OP_LT, [OP_LE] = &&L_OP_LE, [OP_GT] = &&L_OP_GT, [OP_GE] = &&L_OP_GE,
        [OP_ADD] = &&L_OP_ADD, [OP_SUB] = &&L_OP_SUB, [OP_MUL] = &&L_OP_MUL, [OP_IN] = &&L_OP_IN,
        [OP_CONTAINS] = &&L_OP_CONTAINS, [OP_CONTAINS_ALL] = &&L_OP_CONTAINS_ALL,
        [OP_CONTAINS_ANY] = &&L_OP_CONTAINS_ANY, [OP_IS_EMPTY] = &&L_OP_IS_EMPTY, [OP_GET_ATTR] = &&L_OP_GET_ATTR,
        [OP_HAS_ATTR] = &&L_OP_HAS_ATTR, [OP_GET_TAG] = &&L_OP_GET_TAG, [OP_HAS_TAG] = &&L_OP_HAS_TAG,
        [OP_LIKE] = &&L_OP_LIKE, [OP_IS] = &&L_OP_IS, [OP_SET] = &&L_OP_SET, [OP_RECORD] = &&L_OP_RECORD,
        [OP_EXT] = &&L_OP_EXT, [OP_ERROR] = &&L_OP_ERROR,
    };
    VM_DISPATCH;
    {
#else
    for (;;) {
        op = code[pc];
        next = pc + 1 + 4 * vigil__op_operands[op];
        switch ((enum vigil_opcode)op) {
#endif
    VM_CASE(OP_RET):
        POP(a);
        if (a.p[0] != VIGIL_V_BOOL) FAIL(VIGIL_ERR_TYPE);
        *truth = a.p[1];
        goto out;
    VM_CASE(OP_CONST):
        a = verified_constant(po, OPA);
        /* `x == constant`, `x != constant`: compared in place (neither can fail once x is there; a full stack
         * still fails on the push, as it would have). */
        if ((code[next] == OP_EQ || code[next] == OP_NE) && sp > 0 && sp < VIGIL__STACK_MAX) {
            stack[sp - 1] = vigil__bool(vigil__value_eq(stack[sp - 1], a) == (code[next] == OP_EQ));
            next += 1;
            VM_NEXT;
        }
        PUSH(a);
        VM_NEXT;
    VM_CASE(OP_TRUE): PUSH(vigil__bool(1)); VM_NEXT;
    VM_CASE(OP_FALSE): PUSH(vigil__bool(0)); VM_NEXT;
    VM_CASE(OP_VAR):
        a = rd->rd_vars[OPA];
        /* `principal.x`, `resource.x`, `context.x`: when the attribute is there (the memo below knows the entity),
         * read it now; anything else goes the long way, through OP_GET_ATTR and its errors. */
        if (code[next] == OP_GET_ATTR && a.p[0] == VIGIL_V_ENTITY) {
            const vigil__attrs_memo *m = &rd->rd_attrs[vigil__rd32(a.p + 1) & 1];
            if (m->at_eid == vigil__rd32(a.p + 1) && m->at_epoch == rd->rd_epoch && m->at_present &&
                m->at_attrs.n != 0 && vigil__record_get(m->at_attrs, vigil__rd32(code + next + 1), &r)) {
                PUSH(r);
                next += 5;
                VM_NEXT;
            }
        } else if (code[next] == OP_GET_ATTR && a.p[0] == VIGIL_V_RECORD &&
                   vigil__record_get(a, vigil__rd32(code + next + 1), &r)) {
            PUSH(r);
            next += 5;
            VM_NEXT;
        }
        PUSH(a);
        VM_NEXT;
    VM_CASE(OP_DUP): POP(a); PUSH(a); PUSH(a); VM_NEXT;
    VM_CASE(OP_POP): POP(a); VM_NEXT;
    VM_CASE(OP_JUMP): next = OPA; VM_NEXT;
    VM_CASE(OP_JUMP_IF_FALSE): VM_CASE(OP_JUMP_IF_TRUE):
        POP(a);
        if (a.p[0] != VIGIL_V_BOOL) FAIL(VIGIL_ERR_TYPE);
        if ((a.p[1] != 0) == (op == OP_JUMP_IF_TRUE)) next = OPA;
        VM_NEXT;
    VM_CASE(OP_CHECK_BOOL):
        if (sp == 0) { rc = VIGIL_E_CORRUPT; goto out; }
        if (stack[sp - 1].p[0] != VIGIL_V_BOOL) FAIL(VIGIL_ERR_TYPE);
        VM_NEXT;
    VM_CASE(OP_NOT):
        POP(a);
        if (a.p[0] != VIGIL_V_BOOL) FAIL(VIGIL_ERR_TYPE);
        REPUSH(vigil__bool(!a.p[1]));
        VM_NEXT;
    VM_CASE(OP_NEG): {
        POP(a);
        if (a.p[0] != VIGIL_V_LONG) FAIL(VIGIL_ERR_TYPE);
        int64_t x = vigil__rdi64(a.p + 1), y;
        if (__builtin_sub_overflow((int64_t)0, x, &y)) FAIL(VIGIL_ERR_OVERFLOW);
        if (vigil__make_long(rd, y, VIGIL_V_LONG, &r)) FAIL(VIGIL_ERR_LIMIT);
        PUSH(r);
        VM_NEXT;
    }
    VM_CASE(OP_EQ): VM_CASE(OP_NE):
        POP2(a, b);
        REPUSH(vigil__bool(vigil__value_eq(a, b) == (op == OP_EQ)));
        VM_NEXT;
    VM_CASE(OP_LT): VM_CASE(OP_LE): VM_CASE(OP_GT): VM_CASE(OP_GE): {
        POP2(a, b);
        if (!is_ordered_pair(a, b)) FAIL(VIGIL_ERR_TYPE);
        int64_t x = vigil__rdi64(a.p + 1), y = vigil__rdi64(b.p + 1);
        int t = op == OP_LT ? x < y : op == OP_LE ? x <= y : op == OP_GT ? x > y : x >= y;
        REPUSH(vigil__bool(t));
        VM_NEXT;
    }
    VM_CASE(OP_ADD): VM_CASE(OP_SUB): VM_CASE(OP_MUL): {
        POP(b); POP(a);
        if (a.p[0] != VIGIL_V_LONG || b.p[0] != VIGIL_V_LONG) FAIL(VIGIL_ERR_TYPE);
        int64_t x = vigil__rdi64(a.p + 1), y = vigil__rdi64(b.p + 1), z;
        int o = op == OP_ADD ? __builtin_add_overflow(x, y, &z)
              : op == OP_SUB ? __builtin_sub_overflow(x, y, &z) : __builtin_mul_overflow(x, y, &z);
        if (o) FAIL(VIGIL_ERR_OVERFLOW);
        if (vigil__make_long(rd, z, VIGIL_V_LONG, &r)) FAIL(VIGIL_ERR_LIMIT);
        PUSH(r);
        VM_NEXT;
    }
    VM_CASE(OP_IN): {
        POP(b); POP(a);
        if (a.p[0] != VIGIL_V_ENTITY) FAIL(VIGIL_ERR_TYPE);
        uint32_t ea = vigil__rd32(a.p + 1);
        int t = 0;
        if (b.p[0] == VIGIL_V_ENTITY) {
            CHECK(t = vigil__entity_in(rd, ea, vigil__rd32(b.p + 1)));
        } else if (b.p[0] == VIGIL_V_SET) {
            if (!all_entities(b)) FAIL(VIGIL_ERR_TYPE);
            uint32_t count;
            const uint8_t *q = vigil__set_first(b, &count);
            for (uint32_t i = 0; i < count && !t; i++, q += 5)
                CHECK(t = vigil__entity_in(rd, ea, vigil__rd32(q + 1)));
        } else {
            FAIL(VIGIL_ERR_TYPE);
        }
        PUSH(vigil__bool(t));
        VM_NEXT;
    }
    VM_CASE(OP_CONTAINS):
        POP2(a, b);
        if (a.p[0] != VIGIL_V_SET) FAIL(VIGIL_ERR_TYPE);
        REPUSH(vigil__bool(vigil__set_contains(a, b)));
        VM_NEXT;
    VM_CASE(OP_CONTAINS_ALL): VM_CASE(OP_CONTAINS_ANY): {
        POP(b); POP(a);
        if (a.p[0] != VIGIL_V_SET || b.p[0] != VIGIL_V_SET) FAIL(VIGIL_ERR_TYPE);
        uint32_t count;
        const uint8_t *q = vigil__set_first(b, &count);
        int all = 1, any = 0;
        for (uint32_t i = 0; i < count; i++) {
            vigil_val e = { q, vigil__value_size(q) };
            if (vigil__set_contains(a, e)) any = 1; else all = 0;
            q += e.n;
        }
        PUSH(vigil__bool(op == OP_CONTAINS_ALL ? all : any));
        VM_NEXT;
    }
    VM_CASE(OP_IS_EMPTY):
        POP(a);
        if (a.p[0] != VIGIL_V_SET) FAIL(VIGIL_ERR_TYPE);
        PUSH(vigil__bool(vigil__rd32(a.p + 1) == 0));
        VM_NEXT;
    VM_CASE(OP_GET_ATTR): VM_CASE(OP_HAS_ATTR): {
        POP(a);
        vigil_val rec = a;
        if (a.p[0] == VIGIL_V_ENTITY) {
            /* Conditions read the principal's and the resource's attributes again and again: the last two
             * stored entities' are kept (their pointers hold for the snapshot, rd_epoch). */
            uint32_t eid = vigil__rd32(a.p + 1), present;
            vigil__attrs_memo *m = &rd->rd_attrs[eid & 1];
            if (m->at_eid == eid && m->at_epoch == rd->rd_epoch) {
                present = m->at_present;
                rec = m->at_attrs;
            } else {
                vigil__entity en;
                int found;
                CHECK(found = vigil__entity_get(rd, eid, &en, VIGIL__WANT_ATTRS));
                present = found && (en.en_flags & VIGIL_ENT_PRESENT);
                rec = en.en_attrs;
                /* Only stored entities: a temporary id names another entity in the next request. */
                if (found) *m = (vigil__attrs_memo){ rd->rd_epoch, eid, present, rec };
            }
            if (!present) {
                if (op == OP_GET_ATTR) FAIL(VIGIL_ERR_MISSING_ENTITY);
                REPUSH(vigil__bool(0));
                VM_NEXT;
            }
        } else if (a.p[0] != VIGIL_V_RECORD) {
            FAIL(VIGIL_ERR_TYPE);
        }
        int has = rec.n != 0 && vigil__record_get(rec, OPA, &r);
        if (op == OP_HAS_ATTR) REPUSH(vigil__bool(has));
        else if (!has) FAIL(VIGIL_ERR_MISSING_ATTR);
        else REPUSH(r);
        VM_NEXT;
    }
    VM_CASE(OP_GET_TAG): VM_CASE(OP_HAS_TAG): {
        POP(b); POP(a);
        if (a.p[0] != VIGIL_V_ENTITY || b.p[0] != VIGIL_V_STRING) FAIL(VIGIL_ERR_TYPE);
        vigil__entity en;
        int found;
        uint32_t id = 0;
        CHECK(found = vigil__entity_get(rd, vigil__rd32(a.p + 1), &en, VIGIL__WANT_TAGS));
        if (!found || !(en.en_flags & VIGIL_ENT_PRESENT)) {
            if (op == OP_GET_TAG) FAIL(VIGIL_ERR_MISSING_ENTITY);
            PUSH(vigil__bool(0));
            VM_NEXT;
        }
        int known;
        CHECK(known = tag_id(rd, b, &id));
        int has = known && en.en_tags.n != 0 && vigil__record_get(en.en_tags, id, &r);
        if (op == OP_HAS_TAG) PUSH(vigil__bool(has));
        else if (!has) FAIL(VIGIL_ERR_MISSING_TAG);
        else PUSH(r);
        VM_NEXT;
    }
    VM_CASE(OP_LIKE): {
        POP(a);
        if (a.p[0] != VIGIL_V_STRING) FAIL(VIGIL_ERR_TYPE);
        b = verified_constant(po, OPA);
        PUSH(vigil__bool(vigil__like(a.p + 5, vigil__rd32(a.p + 1), b.p + 5, vigil__rd32(b.p + 1))));
        VM_NEXT;
    }
    VM_CASE(OP_IS): {
        POP(a);
        if (a.p[0] != VIGIL_V_ENTITY) FAIL(VIGIL_ERR_TYPE);
        uint32_t type;
        CHECK(entity_type(rd, vigil__rd32(a.p + 1), &type));
        PUSH(vigil__bool(type == OPA));
        VM_NEXT;
    }
    VM_CASE(OP_SET): {
        uint32_t opa = OPA;
        if (opa > sp) { rc = VIGIL_E_CORRUPT; goto out; }
        vigil_val *elems = vigil__alloc_aligned(rd, sizeof(vigil_val) * (opa ? opa : 1));
        if (!elems) FAIL(VIGIL_ERR_LIMIT);
        memcpy(elems, stack + sp - opa, sizeof(vigil_val) * opa);
        sp -= opa;
        if (vigil__set_build(rd, elems, opa, &r)) FAIL(VIGIL_ERR_LIMIT);
        PUSH(r);
        VM_NEXT;
    }
    VM_CASE(OP_RECORD): {
        uint32_t opa = OPA;
        if (opa > sp) { rc = VIGIL_E_CORRUPT; goto out; }
        uint32_t *ids = vigil__alloc_aligned(rd, sizeof(uint32_t) * (opa ? opa : 1));
        vigil_val *vals = vigil__alloc_aligned(rd, sizeof(vigil_val) * (opa ? opa : 1));
        if (!ids || !vals) FAIL(VIGIL_ERR_LIMIT);
        for (uint32_t i = 0; i < opa; i++) ids[i] = vigil__rd32(code + pc + 5 + 4 * (size_t)i);
        memcpy(vals, stack + sp - opa, sizeof(vigil_val) * opa);
        sp -= opa;
        int brc = vigil__record_build(rd, ids, vals, opa, &r);
        if (brc == 1) { rc = VIGIL_E_CORRUPT; goto out; }
        if (brc) FAIL(VIGIL_ERR_LIMIT);
        PUSH(r);
        next += 4 * opa;
        VM_NEXT;
    }
    VM_CASE(OP_EXT): {
        uint32_t argc = vigil__rd32(code + pc + 5);
        if (argc > sp) { rc = VIGIL_E_CORRUPT; goto out; }
        sp -= argc;
        int kind = vigil__ext_call(rd, OPA, stack + sp, argc, &r);
        if (kind) FAIL((uint32_t)kind);
        PUSH(r);
        VM_NEXT;
    }
    VM_CASE(OP_ERROR):
        FAIL(OPA);
#if !VM_THREADED
    default:
        rc = VIGIL_E_CORRUPT;
        goto out;
        }
        pc = next;
#endif
    }
out:
    rd->rd_top = mark;
    return rc;
}
