/*
 * decide.c — deciding requests: resolving the request's entities, the session check, candidate policies through
 * `by_action`, native scope matching, running conditions and combining effects as Cedar's authorizer does (plus
 * Vigil's STEP_UP), and the queries that explain a result.
 *
 * Combining (ARCHITECTURE.md): ALLOW iff some permit is satisfied and no forbid is; when some permit holds and
 * every satisfied forbid carries @step_up, STEP_UP with the highest level and the smallest max age. The
 * determining policies are Cedar's "reason": the satisfied forbids when a forbid decides (the step-up forbids for
 * STEP_UP), the satisfied permits for ALLOW, none for a default deny. A policy whose condition raises an error is
 * not satisfied and is listed with its error.
 *
 * A batch (vigil_decide_batch) shares work between its pairs, which have one principal, context, session and
 * time: the context is parsed once per context type; each distinct action (rd_act, found by the request's bytes)
 * has its plan looked up once and its candidates filled once per context (resid_fill): those that cannot depend
 * on the resource are decided then, and only the satisfied or erring ones kept; the others (whose principal scope
 * matches) are decided per resource into the resource's row of outcomes, in a column shared by the actions when
 * the policy does not read the action (evaluate_memo). The last stored resource is not looked up again. Each pair
 * still gets exactly the result vigil_decide would give it (Tests/CVigilTests/c/test_batch.c).
 */
#include "vigil_internal.h"
#include "vigil_ring.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* A readable trace for vigil_explain; NULL buf means no trace. */
typedef struct trace {
    char *buf;
    size_t cap, len;
    int truncated;
} trace;

static void tr_printf(trace *tr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tr_printf(trace *tr, const char *fmt, ...) {
    if (!tr->buf) return;
    if (tr->len + 1 >= tr->cap) { tr->truncated = 1; return; }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tr->buf + tr->len, tr->cap - tr->len, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= tr->cap - tr->len) { tr->truncated = 1; tr->len = tr->cap - 1; }
    else tr->len += (size_t)n;
}

/* Traces only when explaining: a decision does not even make the call. */
#define TR(tr, ...) do { if (tr) tr_printf((tr), __VA_ARGS__); } while (0)

static const uint8_t empty_record[9] = { VIGIL_V_RECORD, 0, 0, 0, 0, 0, 0, 0, 0 };

static const char *const err_names[] = {
    "", "type error", "integer overflow", "attribute not found", "entity does not exist", "tag not found",
    "invalid extension argument", "wrong number of arguments", "evaluation limit exceeded",
};

static void result_init(vigil_result *out) {
    /* The arrays are meaningful only up to their counts: clearing 1 KiB per pair of a batch would cost more than
     * deciding some of them. */
    memset(out, 0, offsetof(vigil_result, determining));
    out->effect = VIGIL_DENY;
    out->max_age = UINT32_MAX;
}

/* Writes an error result. Only trouble with the index itself follows the fail-open mode; a bad request denies. */
static int result_fail(vigil_index *ix, vigil_result *out, int status) {
    result_init(out);
    out->reason = VIGIL_REASON_ERROR;
    int index_trouble = status == VIGIL_E_CORRUPT || status == VIGIL_E_IO || status == VIGIL_E_NOMEM ||
                        status == VIGIL_E_NOT_INDEX || status == VIGIL_E_VERSION || status == VIGIL_E_STALE;
    if (ix && index_trouble && (ix->ix_flags & VIGIL_OPEN_FAIL_OPEN)) out->effect = VIGIL_ALLOW;
    return status;
}

static int64_t now_ms(const vigil_request *req) {
    if (req->now_ms != 0) return req->now_ms;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);  /* a vDSO call on Linux, not a system call */
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int bad_str(const char *p, size_t n) { return (p == NULL && n != 0) || n > VIGIL__CONTEXT_MAX; }

/* The request entity (type, id) as an encoded Entity value in the arena. */
/* The last stored type name a batch's resources named (checked bytes), and its id; id VIGIL_NONE: none. */
typedef struct type_memo {
    const char *p;
    size_t n;
    uint32_t id;
} type_memo;

/* Whether a request string (a, an), not yet checked, equals a checked one: often the very same bytes. An empty
 * one may come as NULL; a NULL one with a length is not read (resolve_entity refuses it). */
static int same_bytes(const char *a, size_t an, const char *b, size_t bn) {
    return an == bn && (an == 0 || a == b || (a && vigil__bytes_eq((const uint8_t *)a, (const uint8_t *)b, an)));
}

/* The request entity (type, id) as an encoded Entity value in the arena. */
static int resolve_entity(vigil__reader *rd, const char *type, size_t tlen, const char *id, size_t ilen,
        vigil_val *out) {
    if (bad_str(type, tlen) || bad_str(id, ilen)) return VIGIL_E_INVALID_ARG;
    uint32_t tid, eid;
    int rc = vigil__name_id(rd, (const uint8_t *)type, tlen, &tid);
    if (rc == VIGIL_OK) rc = vigil__entity_id(rd, tid, (const uint8_t *)id, ilen, &eid);
    if (rc) return rc;
    return vigil__make_entity(rd, eid, out);
}

/* resolve_entity for a batch's resource: `tm` may know its type, and learns it. */
static int resolve_resource(vigil__reader *rd, const vigil_request *res, type_memo *tm, vigil_val *out) {
    if (tm->id == VIGIL_NONE || !same_bytes(res->resource_type, res->resource_type_len, tm->p, tm->n)) {
        int rc = resolve_entity(rd, res->resource_type, res->resource_type_len, res->resource_id,
                                res->resource_id_len, out);
        uint32_t tid = VIGIL_NONE;
        /* Temporary name ids are given back after each pair: only stored names are remembered. */
        if (rc == VIGIL_OK && vigil__name_find(rd, (const uint8_t *)res->resource_type, res->resource_type_len,
                                               &tid) == 1)
            *tm = (type_memo){ res->resource_type, res->resource_type_len, tid };
        return rc;
    }
    if (bad_str(res->resource_id, res->resource_id_len)) return VIGIL_E_INVALID_ARG;
    uint32_t eid;
    int rc = vigil__entity_id(rd, tm->id, (const uint8_t *)res->resource_id, res->resource_id_len, &eid);
    return rc ? rc : vigil__make_entity(rd, eid, out);
}

/* context.session := the session entity, replacing any `session` key the caller sent. */
static int set_session(vigil__reader *rd, uint32_t session_eid) {
    vigil_val ctx = rd->rd_vars[3];
    uint32_t count = vigil__rd32(ctx.p + 1), sid;
    int rc = vigil__name_id(rd, (const uint8_t *)"session", 7, &sid);
    if (rc) return rc;
    uint32_t *ids = vigil__alloc_aligned(rd, sizeof(uint32_t) * (count + 1));
    vigil_val *vals = vigil__alloc_aligned(rd, sizeof(vigil_val) * (count + 1));
    if (!ids || !vals) return VIGIL_E_LIMIT;
    uint32_t n = 0;
    const uint8_t *q = ctx.p + 9;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t id = vigil__rd32(q), sz = vigil__value_size(q + 4);
        if (id != sid) { ids[n] = id; vals[n].p = q + 4; vals[n].n = sz; n++; }
        q += 4 + sz;
    }
    ids[n] = sid;
    if ((rc = vigil__make_entity(rd, session_eid, &vals[n]))) return rc;
    rc = vigil__record_build(rd, ids, vals, n + 1, &rd->rd_vars[3]);
    return rc == 1 ? VIGIL_E_CORRUPT : rc;
}

/* The request's principal and session. *session_reason gets a VIGIL_REASON_SESSION_* that denies, or 0;
 * *session_eid the session entity, or VIGIL_NONE without a session. */
static int prepare(vigil__reader *rd, const vigil_request *req, int *session_reason, uint32_t *session_eid) {
    *session_reason = 0;
    *session_eid = VIGIL_NONE;
    rd->rd_now_ms = now_ms(req);
    if (bad_str(req->context_json, req->context_json_len) && req->context_json_len <= VIGIL__CONTEXT_MAX)
        return VIGIL_E_INVALID_ARG;
    int rc = resolve_entity(rd, req->principal_type, req->principal_type_len, req->principal_id,
                            req->principal_id_len, &rd->rd_vars[0]);
    if (rc) return rc;
    if (req->session_id == NULL) return req->session_id_len ? VIGIL_E_INVALID_ARG : VIGIL_OK;
    if (req->session_id_len == 0 || req->session_id_len > 511) {
        *session_reason = VIGIL_REASON_SESSION_UNKNOWN;
        return VIGIL_OK;
    }
    MDB_val k = { req->session_id_len, (void *)req->session_id }, v;
    rc = mdb_get(rd->rd_txn, rd->rd_ix->ix_sessions, &k, &v);
    if (rc == MDB_NOTFOUND) { *session_reason = VIGIL_REASON_SESSION_UNKNOWN; return VIGIL_OK; }
    if (rc) return VIGIL_E_IO;
    if (v.mv_size != sizeof(vigil_session_rec)) return VIGIL_E_CORRUPT;  /* IDX-S001 */
    vigil_session_rec ss;
    memcpy(&ss, v.mv_data, sizeof ss);
    if (ss.ss_eid >= rd->rd_hdr.vh_entity_count) return VIGIL_E_CORRUPT; /* IDX-V004: a stored eid */
    if (ss.ss_flags & VIGIL_SESSION_REVOKED) { *session_reason = VIGIL_REASON_SESSION_REVOKED; return VIGIL_OK; }
    if (rd->rd_now_ms >= ss.ss_expires_ms) { *session_reason = VIGIL_REASON_SESSION_EXPIRED; return VIGIL_OK; }
    *session_eid = ss.ss_eid;
    return VIGIL_OK;
}

/* The plan of the request's action (arguments checked as resolve_entity checks them). */
static int plan_of(vigil__reader *rd, const vigil_request *act, vigil__plan *plan) {
    if (bad_str(act->action_type, act->action_type_len) || bad_str(act->action_id, act->action_id_len))
        return VIGIL_E_INVALID_ARG;
    return vigil__plan_get(rd, (const uint8_t *)act->action_type, act->action_type_len,
            (const uint8_t *)act->action_id, act->action_id_len, plan);
}

/* Parses the request's context (by `type`) and applies the session. */
static int load_context(vigil__reader *rd, const vigil_request *req, const uint8_t *type, uint32_t session_eid) {
    int rc;
    if (req->context_json == NULL)
        rd->rd_vars[3] = (vigil_val){ empty_record, sizeof empty_record };
    else if ((rc = vigil__context_parse(rd, req->context_json, req->context_json_len, type, &rd->rd_vars[3])))
        return rc;
    return session_eid == VIGIL_NONE ? VIGIL_OK : set_session(rd, session_eid);
}

static void policy_label(uint32_t num, const vigil__policy *po, trace *tr) {
    TR(tr, "policy %u `%.*s`", num, (int)po->po_id.n, (const char *)po->po_id.p);
    if (po->po_flags & VIGIL_POL_HAS_ANNOT_ID)
        TR(tr, " (@id \"%.*s\")", (int)po->po_annot.n, (const char *)po->po_annot.p);
    TR(tr, " %s", po->po_flags & VIGIL_POL_FORBID ? "forbid" : "permit");
}

/* Where in its source a pc of a policy came from: 1 with line and column, or 0. */
static int span_of(const vigil__policy *po, uint32_t pc, uint32_t *line, uint32_t *col) {
    int found = 0;
    for (uint32_t i = 0; i < po->po_span_count; i++) {
        const uint8_t *s = po->po_rec + po->po_span_off + 12 * (size_t)i;
        if (vigil__rd32(s) > pc) break;
        *line = vigil__rd32(s + 4);
        *col = vigil__rd32(s + 8);
        found = 1;
    }
    return found;
}

#define OUTCOME_OUT_OF_SCOPE 2u  /* cc_truth of a policy whose scope does not match */

/* The batch cache's slot (rd_cc_on) for policy `num`'s outcome on the current pair, `reads` saying which of the
 * action and the resource it depends on (VIGIL__USES_*), with its key filled in (a hit when its serial is
 * current); or NULL when the outcome depends on an action or resource that is a temporary entity (their ids are
 * reused from pair to pair). */
static vigil__ccache_entry *outcome_slot(vigil__reader *rd, uint32_t num, uint32_t reads) {
    uint32_t a = VIGIL_NONE, r = VIGIL_NONE;
    if (reads & VIGIL__USES_ACTION) {
        a = vigil__rd32(rd->rd_vars[1].p + 1);
        if (a >= VIGIL_TEMP_ID_BASE) return NULL;
    }
    if (reads & VIGIL__USES_RESOURCE) {
        r = vigil__rd32(rd->rd_vars[2].p + 1);
        if (r >= VIGIL_TEMP_ID_BASE) return NULL;
    }
    uint32_t h = (num * 0x9E3779B1u) ^ (a * 0x85EBCA77u) ^ (r * 0xC2B2AE3Du);
    vigil__ccache_entry *ce = &rd->rd_ccache[(h ^ h >> 15) & (VIGIL__CCACHE - 1)];
    if (ce->cc_serial != rd->rd_cc_serial || ce->cc_num != num || ce->cc_action != a || ce->cc_resource != r) {
        ce->cc_serial = 0;                     /* a miss: outcome_keep fills it */
        ce->cc_num = num;
        ce->cc_action = a;
        ce->cc_resource = r;
    }
    return ce;
}

static void outcome_keep(vigil__reader *rd, vigil__ccache_entry *ce, uint32_t truth, uint32_t kind, uint32_t pc) {
    ce->cc_truth = truth;
    ce->cc_kind = kind;
    ce->cc_pc = pc;
    ce->cc_serial = rd->rd_cc_serial;
}

/* Always inlined where GCC and Clang allow: a decision goes through it for every candidate. */
#if defined(__GNUC__)
#define HOT_INLINE static inline __attribute__((always_inline))
#else
#define HOT_INLINE static inline
#endif

/* Policy num's outcome on the request in rd_vars: 1 with *truth (0 or 1), *kind (0 or an error kind) and *pc
 * set, 0 when its scope does not match, or a VIGIL_E_*. An unverified policy is verified first and *pop then
 * points at `scratch`, a copy that knows what it uses. `principal` NULL: its principal scope is known to match. */
HOT_INLINE int decide_policy(vigil__reader *rd, uint32_t num, const vigil__policy **pop, vigil__policy *scratch,
        vigil__scope_entity *principal, vigil__scope_entity *resource, int *truth, uint32_t *kind, uint32_t *pc) {
    const vigil__policy *po = *pop;
    int m = principal ? vigil__scope_match(rd, &po->po_principal, principal) : 1;
    if (m == 1) m = vigil__scope_match(rd, &po->po_resource, resource);
    if (m <= 0) return m;
    int rc;
    if (!po->po_verified) {
        /* Verified once per generation: a copy learns what it uses, then the kept record. */
        *scratch = *po;
        if ((rc = vigil__verify(rd, scratch))) return rc;
        vigil__policy_verified(rd, num, scratch->po_uses);
        *pop = po = scratch;
    }
    /* A policy without a condition compiles to `true; return`: no need to start the VM for it. */
    if (po->po_code_len == 2 && po->po_code[0] == OP_TRUE && po->po_code[1] == OP_RET) {
        *truth = 1;
        *kind = *pc = 0;
        return 1;
    }
    if ((rc = vigil__run(rd, po, truth, kind, pc))) return rc;
    return 1;
}

/* decide_policy, in a batch looked up first among the outcomes kept (rd_ccache) for a verified policy: the
 * principal's scope is the same in every pair, the resource's matters only when constrained. */
HOT_INLINE int outcome(vigil__reader *rd, uint32_t num, const vigil__policy **pop, vigil__policy *scratch,
        vigil__scope_entity *principal, vigil__scope_entity *resource, int *truth, uint32_t *kind, uint32_t *pc) {
    const vigil__policy *po = *pop;
    vigil__ccache_entry *ce = NULL;
    if (rd->rd_cc_on && po->po_verified) {
        uint32_t reads = po->po_uses | (po->po_resource.sc_kind != VIGIL_SCOPE_ANY ? VIGIL__USES_RESOURCE : 0);
        ce = outcome_slot(rd, num, reads);
        if (ce && ce->cc_serial == rd->rd_cc_serial) {
            if (ce->cc_truth == OUTCOME_OUT_OF_SCOPE) return 0;
            *truth = (int)ce->cc_truth;
            *kind = ce->cc_kind;
            *pc = ce->cc_pc;
            return 1;
        }
    }
    int rc = decide_policy(rd, num, pop, scratch, principal, resource, truth, kind, pc);
    if (ce && rc == 0) outcome_keep(rd, ce, OUTCOME_OUT_OF_SCOPE, 0, 0);
    if (ce && rc == 1) outcome_keep(rd, ce, (uint32_t)*truth, *kind, *pc);
    return rc;
}

/* The satisfied policies of one request, as evaluate combines them. */
typedef struct tally {
    uint32_t permits[VIGIL_RESULT_MAX_POLICIES], forbids[VIGIL_RESULT_MAX_POLICIES];
    uint32_t npermit, nforbid, level, max_age;
    int all_step_up;
} tally;

HOT_INLINE void tally_error(vigil_result *out, uint32_t num, uint32_t kind, uint32_t pc) {
    if (out->error_count < VIGIL_RESULT_MAX_POLICIES) {
        out->errored[out->error_count] = num;
        out->error_kind[out->error_count] = kind;
        out->error_pc[out->error_count] = pc;
    }
    out->error_count++;
}

/* A satisfied policy with its flags (VIGIL_POL_*), step-up level and max age. */
HOT_INLINE void tally_true(tally *t, uint32_t num, uint32_t flags, uint32_t step_up, uint32_t max_age) {
    if (flags & VIGIL_POL_FORBID) {
        if (t->nforbid < VIGIL_RESULT_MAX_POLICIES) t->forbids[t->nforbid] = num;
        t->nforbid++;
        if (flags & VIGIL_POL_STEP_UP) {
            if (step_up > t->level) t->level = step_up;
            if (max_age < t->max_age) t->max_age = max_age;
        } else {
            t->all_step_up = 0;
        }
    } else {
        if (t->npermit < VIGIL_RESULT_MAX_POLICIES) t->permits[t->npermit] = num;
        t->npermit++;
    }
}

/* Combines the satisfied policies into out (its errors are already there). */
static void tally_finish(const tally *t, vigil_result *out) {
    const uint32_t *det = NULL;
    uint32_t ndet = 0;
    if (t->nforbid > 0) {
        det = t->forbids;
        ndet = t->nforbid;
        if (t->npermit > 0 && t->all_step_up) {
            out->effect = VIGIL_STEP_UP;
            out->step_up_level = t->level;
            out->max_age = t->max_age;
        }
    } else if (t->npermit > 0) {
        out->effect = VIGIL_ALLOW;
        det = t->permits;
        ndet = t->npermit;
    }
    out->determining_count = ndet;
    if (det) memcpy(out->determining, det,
            sizeof(uint32_t) * (ndet < VIGIL_RESULT_MAX_POLICIES ? ndet : VIGIL_RESULT_MAX_POLICIES));
}

/* Fills a batch action's candidates (am, for the context loaded now) from the pair in rd_vars, its first pair
 * under this context: a candidate whose scope and condition read neither the resource nor anything that differs
 * between pairs of this action (verified, resource scope `any`, no `resource` in its condition) is decided now,
 * and kept only when it is satisfied or errs; the others are kept, when their principal scope matches, to be
 * decided pair by pair. A candidate whose
 * deciding fails ends the list with its status, as evaluate would stop there. 1 filled, 0 no room, or VIGIL_E_*. */
static int resid_fill(vigil__reader *rd, vigil__act_memo *am, vigil__scope_entity *principal,
        vigil__scope_entity *resource) {
    const uint32_t *nums;
    uint32_t count;
    int rc = vigil__candidates(rd, &am->am_plan, principal->se_eid, 0, &nums, &count);
    if (rc) return rc;
    if (count > VIGIL__RESID_MAX - rd->rd_resid_top) return 0;
    vigil__resid *items = rd->rd_resid + rd->rd_resid_top;
    uint32_t n = 0;
    for (uint32_t c = 0; c < count; c++) {
        vigil__resid *it = &items[n];
        vigil__policy scratch;
        const vigil__policy *po;
        it->rs_num = nums[c];
        if ((rc = vigil__policy_ref(rd, nums[c], &scratch, &po))) { it->rs_state = rc; n++; break; }
        if (rd->rd_now_ms >= po->po_expires_ms) continue;                                          /* IDX-P004 */
        if (!po->po_verified || po->po_resource.sc_kind != VIGIL_SCOPE_ANY || (po->po_uses & VIGIL__USES_RESOURCE)) {
            /* Its principal scope is matched now, once (the principal is the batch's): left out when it does not
             * match. Then a column of outcomes by resource, shared by the actions when the policy does not read
             * the action. */
            rc = vigil__scope_match(rd, &po->po_principal, principal);
            if (rc < 0) { it->rs_state = rc; n++; break; }
            if (rc == 0) continue;
            int shared = po->po_verified && !(po->po_uses & VIGIL__USES_ACTION);
            uint32_t dep = VIGIL_NONE;
            vigil__dep_col *col = shared ? &rd->rd_dep_col[nums[c] & (VIGIL__DEP_COLS - 1)] : NULL;
            if (col && col->dc_serial == rd->rd_cc_serial && col->dc_num == nums[c]) dep = col->dc_dep;
            if (dep == VIGIL_NONE && rd->rd_dep_count < VIGIL__DEPS) {
                dep = rd->rd_dep_count++;
                if (col) *col = (vigil__dep_col){ rd->rd_cc_serial, nums[c], dep };
            }
            *it = (vigil__resid){ nums[c], dep == VIGIL_NONE ? VIGIL__RS_EACH : VIGIL__RS_KEPT, 0, 0, 0, po->po_flags,
                                  po->po_step_up, po->po_max_age, dep, po == &scratch ? NULL : po };
            n++;
            continue;
        }
        int truth;
        uint32_t kind, pc;
        rc = outcome(rd, nums[c], &po, &scratch, principal, resource, &truth, &kind, &pc);
        if (rc < 0) { it->rs_state = rc; n++; break; }
        if (rc == 0 || (!kind && !truth)) continue;
        *it = (vigil__resid){ nums[c], VIGIL__RS_FIXED, (uint32_t)truth, kind, pc, po->po_flags, po->po_step_up,
                              po->po_max_age, VIGIL_NONE, NULL };
        n++;
    }
    am->am_off = rd->rd_resid_top;
    am->am_count = n;
    am->am_serial = rd->rd_cc_serial;
    rd->rd_resid_top += n;
    return 1;
}

/* The row of outcomes of a batch's stored resource (an Entity value; direct-mapped: a resource that takes another's
 * row starts it afresh); a temporary one gets the spare row, afresh each time. */
static vigil__row *row_of(vigil__reader *rd, vigil_val resource) {
    uint32_t eid = vigil__rd32(resource.p + 1);
    vigil__row *w = &rd->rd_rows[VIGIL__ROWS];
    if (eid < VIGIL_TEMP_ID_BASE) {
        uint32_t h = eid * 0x9E3779B1u;
        w = &rd->rd_rows[(h ^ h >> 16) & (VIGIL__ROWS - 1)];
        if (w->rw_cc == rd->rd_cc_serial && w->rw_se.se_eid == eid) return w;
    }
    w->rw_cc = rd->rd_cc_serial;
    vigil__scope_entity_init(&w->rw_se, resource);
    w->rw_stamp = ++rd->rd_row_stamp;
    return w;
}

/* evaluate for a batch action whose candidates are filled: the fixed ones are counted as they are, the others
 * taken from the resource's row or decided for this pair (and kept there). */
static int evaluate_memo(vigil__reader *rd, const vigil__act_memo *am, tally *t, vigil_result *out) {
    const vigil__resid *it = rd->rd_resid + am->am_off, *end = it + am->am_count;
    vigil__row *row = row_of(rd, rd->rd_vars[2]);
    /* The row's entity, read once for the pairs that name it (its pointers hold for the transaction). */
    vigil__scope_entity *resource = &row->rw_se;
    uint64_t stamp = row->rw_stamp;
    vigil__dep_out *outs = rd->rd_dep_out + (size_t)(row - rd->rd_rows) * VIGIL__DEPS;
    for (; it < end; it++) {
        int truth;
        uint32_t kind, pc;
        vigil__dep_out *d = NULL;
        if (it->rs_state == VIGIL__RS_FIXED) {
            if (it->rs_kind) tally_error(out, it->rs_num, it->rs_kind, it->rs_pc);
            else tally_true(t, it->rs_num, it->rs_flags, it->rs_step_up, it->rs_max_age);
            continue;
        }
        if (it->rs_state == VIGIL__RS_KEPT) {
            d = &outs[it->rs_dep];
            if (d->do_stamp == stamp) {
                if (d->do_truth == OUTCOME_OUT_OF_SCOPE) continue;
                truth = d->do_truth;
                kind = d->do_kind;
                pc = d->do_pc;
                goto combine;
            }
        } else if (it->rs_state < 0) {
            return it->rs_state;
        }
        vigil__policy scratch;
        const vigil__policy *po = it->rs_po;
        int rc = po ? VIGIL_OK : vigil__policy_ref(rd, it->rs_num, &scratch, &po);
        if (rc) return rc;
        rc = decide_policy(rd, it->rs_num, &po, &scratch, NULL, resource, &truth, &kind, &pc);
        if (rc < 0) return rc;
        if (d) *d = (vigil__dep_out){ stamp, rc ? (uint16_t)truth : OUTCOME_OUT_OF_SCOPE, (uint16_t)(rc ? kind : 0),
                                      rc ? pc : 0 };
        if (rc == 0) continue;
    combine:
        if (kind) tally_error(out, it->rs_num, kind, pc);
        else if (truth) tally_true(t, it->rs_num, it->rs_flags, it->rs_step_up, it->rs_max_age);
    }
    return VIGIL_OK;
}

/* Runs the plan's candidates for the request in rd_vars and combines their effects into out; `am` (a batch's
 * action, or NULL) may hold them already decided. */
static int evaluate(vigil__reader *rd, const vigil__plan *plan, vigil__act_memo *am, vigil_result *out,
        trace *tr) {
    tally t;
    t.npermit = t.nforbid = t.level = 0;
    t.max_age = UINT32_MAX;
    t.all_step_up = 1;
    vigil__scope_entity principal, resource;
    vigil__scope_entity_init(&principal, rd->rd_vars[0]);
    vigil__scope_entity_init(&resource, rd->rd_vars[2]);
    int rc = VIGIL_OK;
    if (am && (am->am_serial == rd->rd_cc_serial || (rc = resid_fill(rd, am, &principal, &resource)) == 1)) {
        if ((rc = evaluate_memo(rd, am, &t, out))) return rc;
        tally_finish(&t, out);
        return VIGIL_OK;
    }
    if (am && rc < 0) return rc;
    const uint32_t *nums;
    uint32_t count;
    if ((rc = vigil__candidates(rd, plan, principal.se_eid, tr != NULL, &nums, &count))) return rc;
    for (uint32_t c = 0; c < count; c++) {
        uint32_t num = nums[c];
        vigil__policy scratch;
        const vigil__policy *po;
        if ((rc = vigil__policy_ref(rd, num, &scratch, &po))) return rc;
        if (tr) policy_label(num, po, tr);
        if (rd->rd_now_ms >= po->po_expires_ms) { TR(tr, ": link expired, skipped\n"); continue; } /* IDX-P004 */
        int truth;
        uint32_t kind, pc;
        rc = outcome(rd, num, &po, &scratch, &principal, &resource, &truth, &kind, &pc);
        if (rc < 0) return rc;
        if (rc == 0) { TR(tr, ": scope does not match\n"); continue; }
        if (kind) {
            tally_error(out, num, kind, pc);
            uint32_t line = 0, col = 0;
            if (span_of(po, pc, &line, &col))
                TR(tr, ": scope matches; error at %u:%u: %s\n", line, col, err_names[kind]);
            else
                TR(tr, ": scope matches; error at pc %u: %s\n", pc, err_names[kind]);
            continue;
        }
        TR(tr, ": scope matches; condition %s\n", truth ? "true" : "false");
        if (truth) tally_true(&t, num, po->po_flags, po->po_step_up, po->po_max_age);
    }
    tally_finish(&t, out);
    return VIGIL_OK;
}

static const char *effect_name(int e) { return e == VIGIL_ALLOW ? "ALLOW" : e == VIGIL_STEP_UP ? "STEP_UP" : "DENY"; }
static const char *const reason_names[] = {
    "policies", "session revoked", "session expired", "session unknown", "error",
};

/* Where the arena, the pool and the temporary tables stand, to return to. */
typedef struct level { size_t top, pool; uint32_t tnames, tents; } level;
static level level_save(const vigil__reader *rd) {
    return (level){ rd->rd_top, rd->rd_pool_top, rd->rd_tname_count, rd->rd_tent_count };
}
static void level_restore(vigil__reader *rd, level l) {
    rd->rd_top = l.top;
    rd->rd_pool_top = l.pool;
    rd->rd_tname_count = l.tnames;
    rd->rd_tent_count = l.tents;
}

/* The last stored resource a batch resolved: field checks name the same one pair after pair. */
typedef struct resource_memo {
    const char *type, *id;
    size_t tlen, ilen;
    uint32_t eid;              /* VIGIL_NONE: nothing remembered */
    uint8_t enc[5];            /* its Entity value, which the pairs that name it again take as the resource */
    type_memo type_name;       /* the last stored type name of the batch's resources */
} resource_memo;

/* Decides one (action, resource) once the context is loaded; `am` and `memo` (batches only) may save the
 * candidates' decisions and the resource's lookup. */
static int decide_pair(vigil__reader *rd, const vigil__plan *plan, vigil__act_memo *am, const vigil_request *act,
        const vigil_request *res, resource_memo *memo, vigil_result *out, trace *tr) {
    int rc = VIGIL_OK;
    if (am) rd->rd_vars[1] = (vigil_val){ am->am_enc, sizeof am->am_enc };
    else rc = plan->pl_action != VIGIL_NONE ? vigil__make_entity(rd, plan->pl_action, &rd->rd_vars[1]) :
        resolve_entity(rd, act->action_type, act->action_type_len, act->action_id, act->action_id_len,
            &rd->rd_vars[1]);
    if (rc) return rc;
    if (memo && memo->eid != VIGIL_NONE && same_bytes(res->resource_id, res->resource_id_len, memo->id, memo->ilen) &&
        same_bytes(res->resource_type, res->resource_type_len, memo->type, memo->tlen)) {
        rd->rd_vars[2] = (vigil_val){ memo->enc, sizeof memo->enc };
    } else {
        rc = memo ? resolve_resource(rd, res, &memo->type_name, &rd->rd_vars[2]) :
            resolve_entity(rd, res->resource_type, res->resource_type_len, res->resource_id, res->resource_id_len,
                &rd->rd_vars[2]);
        uint32_t eid = rc == VIGIL_OK ? vigil__rd32(rd->rd_vars[2].p + 1) : VIGIL_NONE;
        /* Temporary ids are given back after each pair: only stored entities are remembered. */
        if (memo) {
            *memo = (resource_memo){ res->resource_type, res->resource_id, res->resource_type_len,
                                     res->resource_id_len, eid < VIGIL_TEMP_ID_BASE ? eid : VIGIL_NONE, { 0 },
                                     memo->type_name };
            memcpy(memo->enc, rd->rd_vars[2].p, sizeof memo->enc);
        }
    }
    if (rc == VIGIL_OK) rc = evaluate(rd, plan, am, out, tr);
    return rc;
}

/* The plan of a batch pair's action: the batch's memo of that action (*am) when it has one or room for one, else
 * looked up into *plan and *am NULL. */
static int batch_plan(vigil__reader *rd, const vigil_request *act, vigil__plan *plan, vigil__act_memo **am) {
    *am = NULL;
    /* Clients usually pass each action's strings from one place: the same pointers are the same (checked) ones. */
    for (uint32_t i = 0; i < rd->rd_act_count; i++) {
        vigil__act_memo *m = &rd->rd_act[i];
        if (m->am_id == act->action_id && m->am_type == act->action_type && m->am_ilen == act->action_id_len &&
            m->am_tlen == act->action_type_len) {
            *am = m;
            return VIGIL_OK;
        }
    }
    if (bad_str(act->action_type, act->action_type_len) || bad_str(act->action_id, act->action_id_len))
        return VIGIL_E_INVALID_ARG;
    for (uint32_t i = 0; i < rd->rd_act_count; i++) {
        vigil__act_memo *m = &rd->rd_act[i];
        if (m->am_ilen == act->action_id_len && m->am_tlen == act->action_type_len &&
            vigil__bytes_eq((const uint8_t *)m->am_id, (const uint8_t *)act->action_id, m->am_ilen) &&
            vigil__bytes_eq((const uint8_t *)m->am_type, (const uint8_t *)act->action_type, m->am_tlen)) {
            *am = m;
            return VIGIL_OK;
        }
    }
    int rc = plan_of(rd, act, plan);
    /* An action the index lacks is a temporary entity, another one in each pair: nothing to keep. */
    if (rc || plan->pl_action == VIGIL_NONE || rd->rd_act_count == VIGIL__ACT_MEMOS) return rc;
    vigil__act_memo *m = &rd->rd_act[rd->rd_act_count++];
    *m = (vigil__act_memo){ act->action_type, act->action_id, act->action_type_len, act->action_id_len, *plan, 0,
                            0, 0, { VIGIL_V_ENTITY } };
    vigil__wr32(m->am_enc + 1, plan->pl_action);
    *am = m;
    return VIGIL_OK;
}

/* The entity number of an entity value in rd_vars. */
static uint32_t eid_of(vigil_val v) { return vigil__rd32(v.p + 1); }

/* Logs pair i of a call when the handle has a ring; `mark` is when the previous record's decision ended, so a
 * batch's evaluation times add up to the call's. */
static void log_pair(vigil_index *ix, int kind, size_t i, const vigil_request *base, const vigil_request *actions,
        const vigil_request *resources, const vigil_result *res, int status, const uint32_t eids[3], uint64_t *mark) {
    uint64_t now = vigil__mono_ns();
    vigil__log lg = { base, actions ? &actions[i] : NULL, resources ? &resources[i] : NULL, res, status, kind,
                      (uint32_t)i, { eids[0], eids[1], eids[2] }, now - *mark, now };
    *mark = now;
    vigil__ring_log(ix->ix_ring, &lg);
}

/* vigil_decide, vigil_decide_batch and vigil_explain in one: count pairs of (actions[i], resources[i]). The
 * context is parsed once per distinct context type (once when the index has no schema), not once per pair. Each
 * pair's decision is logged to the handle's ring as a `kind` record. */
static int decide_many(vigil_index *ix, const vigil_request *base, size_t count, const vigil_request *actions,
                       const vigil_request *resources, vigil_result *out, trace *tr, int kind) {
    if (!out) return VIGIL_E_INVALID_ARG;
    int logging = ix && ix->ix_ring;
    uint64_t mark = logging ? vigil__mono_ns() : 0;
    uint32_t eids[3] = { VIGIL_NONE, VIGIL_NONE, VIGIL_NONE };
    if (!ix || !base || (count && (!actions || !resources))) {
        for (size_t i = 0; i < count || i == 0; i++) {
            result_fail(ix, &out[i], VIGIL_E_INVALID_ARG);
            if (logging) log_pair(ix, kind, i, base, actions, resources, &out[i], VIGIL_E_INVALID_ARG, eids, &mark);
        }
        return VIGIL_E_INVALID_ARG;
    }
    int rc = VIGIL_OK, first = VIGIL_OK, reason = 0, ctx_rc = VIGIL_OK, ctx_loaded = 0;
    uint32_t session_eid = VIGIL_NONE, ctx_size = 0;
    const uint8_t *ctx_type = NULL;
    level after_prepare = { 0 }, after_context = { 0 };
    resource_memo memo = { .eid = VIGIL_NONE, .type_name = { .id = VIGIL_NONE } };
    vigil__reader *rd = vigil__reader_get(ix, &rc);
    if (rd) rc = vigil__reader_begin(rd);
    if (rc == VIGIL_OK) {
        /* Serials start at 1: a zeroed entry never matches. */
        rd->rd_cc_on = count > 1 && !tr;
        rd->rd_cc_serial++;
        rd->rd_act_count = 0;
        rd->rd_resid_top = 0;
        rd->rd_dep_count = 0;
        rc = prepare(rd, base, &reason, &session_eid);
        after_prepare = level_save(rd);
        if (rc == VIGIL_OK) eids[0] = eid_of(rd->rd_vars[0]);
    }
    for (size_t i = 0; i < count; i++) {
        result_init(&out[i]);
        eids[1] = eids[2] = VIGIL_NONE;
        int st = rc;
        if (st == VIGIL_OK) {
            out[i].generation = rd->rd_hdr.vh_generation;
            vigil__plan local;
            const vigil__plan *plan = &local;
            vigil__act_memo *am = NULL;
            if (reason) {
                out[i].reason = reason;
            } else if ((st = rd->rd_cc_on ? batch_plan(rd, &actions[i], &local, &am) : plan_of(rd, &actions[i], &local))
                       == VIGIL_OK) {
                if (am) plan = &am->am_plan;
                const uint8_t *type = plan->pl_ctx_type;
                /* Actions often share a context type: compare the descriptors, not where they lie. */
                if (!ctx_loaded || plan->pl_ctx_size != ctx_size ||
                    (ctx_size && type != ctx_type && memcmp(type, ctx_type, ctx_size) != 0)) {
                    level_restore(rd, after_prepare);
                    rd->rd_cc_serial++;        /* another context: other outcomes (and the actions' are refilled) */
                    rd->rd_resid_top = 0;
                    rd->rd_dep_count = 0;
                    ctx_rc = load_context(rd, base, type, session_eid);
                    ctx_type = type;
                    ctx_size = plan->pl_ctx_size;
                    ctx_loaded = 1;
                    after_context = level_save(rd);
                }
                st = ctx_rc;
                if (st == VIGIL_OK)
                    st = decide_pair(rd, plan, am, &actions[i], &resources[i], rd->rd_cc_on ? &memo : NULL, &out[i],
                                     tr);
                if (st == VIGIL_OK) { eids[1] = eid_of(rd->rd_vars[1]); eids[2] = eid_of(rd->rd_vars[2]); }
                level_restore(rd, after_context);
            }
        }
        if (st != VIGIL_OK) {
            uint64_t gen = out[i].generation;
            result_fail(ix, &out[i], st);
            out[i].generation = gen;
            if (first == VIGIL_OK) first = st;
        }
        TR(tr, "decision: %s (%s), generation %llu\n", effect_name(out[i].effect),
                          reason_names[out[i].reason], (unsigned long long)out[i].generation);
        if (logging) log_pair(ix, kind, i, base, actions, resources, &out[i], st, eids, &mark);
    }
    if (rd && rd->rd_live) vigil__reader_end(rd);
    return first;
}

VIGIL_API int vigil_decide(vigil_index *ix, const vigil_request *req, vigil_result *out) {
    return decide_many(ix, req, 1, req, req, out, NULL, VIGIL_RING_KIND_DECIDE);
}

VIGIL_API int vigil_decide_batch(vigil_index *ix, const vigil_request *base, size_t count,
                                 const vigil_request *actions, const vigil_request *resources, vigil_result *out) {
    if (count == 0) return ix && base ? VIGIL_OK : VIGIL_E_INVALID_ARG;
    return decide_many(ix, base, count, actions, resources, out, NULL, VIGIL_RING_KIND_BATCH);
}

VIGIL_API int vigil_explain(vigil_index *ix, const vigil_request *req, vigil_result *out, char *buf, size_t cap) {
    if (!buf || cap == 0) return VIGIL_E_INVALID_ARG;
    trace tr = { buf, cap, 0, 0 };
    buf[0] = 0;
    int rc = decide_many(ix, req, 1, req, req, out, &tr, VIGIL_RING_KIND_EXPLAIN);
    return rc == VIGIL_OK && tr.truncated ? VIGIL_E_BUFFER : rc;
}

/* Copies n bytes as a NUL-terminated string: VIGIL_OK or VIGIL_E_BUFFER when truncated. */
static int copy_out(char *dst, size_t cap, const uint8_t *src, size_t n) {
    int rc = VIGIL_OK;
    if (n >= cap) { n = cap - 1; rc = VIGIL_E_BUFFER; }
    memcpy(dst, src, n);
    dst[n] = 0;
    return rc;
}

VIGIL_API int vigil_policy_id(vigil_index *ix, uint32_t policy, char *id, size_t id_cap, char *annotated_id,
                              size_t annotated_cap) {
    if (!ix || !id || !id_cap || !annotated_id || !annotated_cap) return VIGIL_E_INVALID_ARG;
    id[0] = annotated_id[0] = 0;
    int rc = VIGIL_OK;
    vigil__reader *rd = vigil__reader_get(ix, &rc);
    if (!rd) return rc;
    if ((rc = vigil__reader_begin(rd))) return rc;
    vigil__policy po;
    if (policy >= rd->rd_hdr.vh_policy_count) rc = VIGIL_E_INVALID_ARG;
    else if ((rc = vigil__policy_get(rd, policy, &po)) == VIGIL_OK) {
        int a = copy_out(id, id_cap, po.po_id.p, po.po_id.n);
        int b = copy_out(annotated_id, annotated_cap, po.po_annot.p,
                po.po_flags & VIGIL_POL_HAS_ANNOT_ID ? po.po_annot.n : 0);
        rc = a ? a : b;
    }
    vigil__reader_end(rd);
    return rc;
}

VIGIL_API int vigil_error_message(vigil_index *ix, const vigil_result *res, uint32_t i, char *buf, size_t cap) {
    if (!ix || !res || !buf || !cap) return VIGIL_E_INVALID_ARG;
    buf[0] = 0;
    if (i >= res->error_count || i >= VIGIL_RESULT_MAX_POLICIES) return VIGIL_E_INVALID_ARG;
    uint32_t kind = res->error_kind[i], pc = res->error_pc[i];
    if (kind < VIGIL_ERR_TYPE || kind > VIGIL_ERR_LIMIT) return VIGIL_E_INVALID_ARG;
    int rc = VIGIL_OK;
    vigil__reader *rd = vigil__reader_get(ix, &rc);
    if (!rd) return rc;
    if ((rc = vigil__reader_begin(rd))) return rc;
    vigil__policy po;
    if ((rc = vigil__policy_get(rd, res->errored[i], &po))) {
        vigil__reader_end(rd);
        return rc == VIGIL_E_CORRUPT ? VIGIL_E_INVALID_ARG : rc;
    }
    char where[600], detail[300] = "";
    uint32_t line, col;
    if (po.po_file.n && span_of(&po, pc, &line, &col))
        snprintf(where, sizeof where, "%.*s:%u:%u", (int)(po.po_file.n > 512 ? 512 : po.po_file.n),
                (const char *)po.po_file.p, line, col);
    else
        snprintf(where, sizeof where, "%.*s", (int)(po.po_id.n > 512 ? 512 : po.po_id.n), (const char *)po.po_id.p);
    /* Name what failed when the instruction says: the attribute, or the extension function. */
    if (pc < po.po_code_len && po.po_code[pc] < OP__COUNT && (uint64_t)pc + 5 <= po.po_code_len) {
        uint8_t op = po.po_code[pc];
        uint32_t a = vigil__rd32(po.po_code + pc + 1);
        char name[200];
        if ((op == OP_GET_ATTR) && vigil__name_text(rd, a, name, sizeof name) == 0) {
            if (kind == VIGIL_ERR_MISSING_ATTR) snprintf(detail, sizeof detail, "attribute `%s` not found", name);
            else if (kind == VIGIL_ERR_MISSING_ENTITY) snprintf(detail, sizeof detail,
                    "attribute `%s` read on an entity that does not exist", name);
        } else if (op == OP_EXT && a < EXT__COUNT) {
            snprintf(detail, sizeof detail, "%s in `%s`", err_names[kind], vigil__ext_names[a]);
        }
    }
    vigil__reader_end(rd);
    int n = snprintf(buf, cap, "%s: %s", where, detail[0] ? detail : err_names[kind]);
    return n >= 0 && (size_t)n >= cap ? VIGIL_E_BUFFER : VIGIL_OK;
}

VIGIL_API int vigil_index_generation(vigil_index *ix, uint64_t *generation) {
    if (!ix || !generation) return VIGIL_E_INVALID_ARG;
    int rc = VIGIL_OK;
    vigil__reader *rd = vigil__reader_get(ix, &rc);
    if (!rd) return rc;
    if ((rc = vigil__reader_begin(rd))) return rc;
    *generation = rd->rd_hdr.vh_generation;
    vigil__reader_end(rd);
    return VIGIL_OK;
}
