/*
 * plan.c — which policies a decision runs.
 *
 * The index lists policies by action (`by_action`: the action's own list and the list of policies with no action
 * constraint). A plan is those two lists for one action, plus its context type. Most policies of a real set
 * constrain the principal to a group or a user (`principal in Group::"g1-3"`), and a request's principal is in
 * only a few groups, so a thread that sees an action again keeps its plan for the generation, split once:
 *
 *   always  policies whose principal scope names no entity (`principal`, `principal is T`), ascending;
 *   keyed   (entity, policy) pairs for `principal == E`, `principal in E` and `principal is T in E`, ascending.
 *
 * A decision then runs the always list and only the keyed policies whose entity is the principal or one of its
 * ancestors: an `in` that cannot hold is never evaluated. Candidates are returned in policy-number order, the order
 * of the raw lists, so results list policies in the same order either way; the evaluator still matches each
 * candidate's scope exactly, so the split only ever removes policies that cannot apply.
 *
 * A plan that cannot be kept (an action the index does not know, an id longer than a slot, a plan larger than
 * the buffer) is used raw, straight from the map, for this decision only.
 */
#include "vigil_internal.h"

/* A by_action list: the map's bytes, u32 policy numbers (IDX-A001 is checked while merging). */
static int action_list(vigil__reader *rd, uint32_t key, const uint8_t **list, uint32_t *count) {
    *list = NULL;
    *count = 0;
    unsigned int k32 = key;
    MDB_val k = { sizeof k32, &k32 }, v;
    int rc = mdb_get(rd->rd_txn, rd->rd_ix->ix_by_action, &k, &v);
    if (rc == MDB_NOTFOUND) return VIGIL_OK;
    if (rc) return VIGIL_E_IO;
    if (v.mv_size % 4 != 0) return VIGIL_E_CORRUPT;                      /* IDX-A001: u32 numbers */
    *list = v.mv_data;
    *count = (uint32_t)(v.mv_size / 4);
    return VIGIL_OK;
}

/* Merges a plan's two raw lists into `out` (room for both counts): ascending, each policy once. */
static int merge_raw(const vigil__plan *pl, uint32_t *out, uint32_t *count) {
    const uint8_t *la = pl->pl_list[0], *lb = pl->pl_list[1];
    uint32_t na = pl->pl_list_count[0], nb = pl->pl_list_count[1], ia = 0, ib = 0, n = 0;
    while (ia < na || ib < nb) {
        uint32_t x = ia < na ? vigil__rd32(la + 4 * (size_t)ia) : UINT32_MAX;
        uint32_t y = ib < nb ? vigil__rd32(lb + 4 * (size_t)ib) : UINT32_MAX;
        /* IDX-A001: each list strictly ascending. */
        if ((ia > 0 && ia < na && x <= vigil__rd32(la + 4 * (size_t)(ia - 1))) ||
            (ib > 0 && ib < nb && y <= vigil__rd32(lb + 4 * (size_t)(ib - 1))))
            return VIGIL_E_CORRUPT;
        uint32_t num = x <= y ? x : y;
        if (ia < na && x == num) ia++;
        if (ib < nb && y == num) ib++;
        out[n++] = num;
    }
    *count = n;
    return VIGIL_OK;
}

/* The action's context type from ctx_types, checked; NULL when the index has none for it. */
static int context_type(vigil__reader *rd, uint32_t action, const uint8_t **type, uint32_t *size) {
    *type = NULL;
    *size = 0;
    if (!rd->rd_ix->ix_has_ctx_types) return VIGIL_OK;
    unsigned int eid = action;
    MDB_val k = { sizeof eid, &eid }, v;
    int rc = mdb_get(rd->rd_txn, rd->rd_ix->ix_ctx_types, &k, &v);
    if (rc == MDB_NOTFOUND) return VIGIL_OK;
    if (rc) return VIGIL_E_IO;
    /* IDX-T001: one whole descriptor, of a Record (a context is a record). */
    if (vigil__type_check(v.mv_data, v.mv_size, VIGIL__MAX_DEPTH) != v.mv_size ||
        ((const uint8_t *)v.mv_data)[0] != VIGIL_T_RECORD)
        return VIGIL_E_CORRUPT;
    *type = v.mv_data;
    *size = (uint32_t)v.mv_size;
    return VIGIL_OK;
}

/* Room in the plan buffer, 8-byte aligned; NULL when full. */
static void *plan_alloc(vigil__reader *rd, size_t n) {
    size_t at = (rd->rd_plan_top + 7) & ~(size_t)7;
    if (at > VIGIL__PLAN_BYTES || n > VIGIL__PLAN_BYTES - at) return NULL;
    rd->rd_plan_top = at + n;
    return rd->rd_plan_buf + at;
}

static void sift_down(uint64_t *a, uint32_t root, uint32_t end) {
    for (;;) {
        uint32_t child = 2 * root + 1;
        if (child >= end) return;
        if (child + 1 < end && a[child + 1] > a[child]) child++;
        if (a[root] >= a[child]) return;
        uint64_t t = a[root]; a[root] = a[child]; a[child] = t;
        root = child;
    }
}

/* Sorts in place: insertion sort for the usual handful, heapsort past it (no allocation, and no quadratic case
 * for a large policy set or a principal in many groups). */
static void sort_u64(uint64_t *a, uint32_t n) {
    if (n <= 16) {
        for (uint32_t i = 1; i < n; i++) {
            uint64_t x = a[i];
            uint32_t j = i;
            while (j > 0 && a[j - 1] > x) { a[j] = a[j - 1]; j--; }
            a[j] = x;
        }
        return;
    }
    for (uint32_t i = n / 2; i-- > 0;) sift_down(a, i, n);
    for (uint32_t end = n - 1; end > 0; end--) {
        uint64_t t = a[0]; a[0] = a[end]; a[end] = t;
        sift_down(a, 0, end);
    }
}

/* A context type descriptor equal to `type` that a plan of this plan epoch already holds, or NULL. */
static const uint8_t *shared_context_type(const vigil__reader *rd, const uint8_t *type, uint32_t size) {
    for (uint32_t i = 0; i < VIGIL__PLAN_SLOTS; i++) {
        const vigil__plan_slot *slot = &rd->rd_plan[i];
        if (slot->ps_epoch == rd->rd_plan_epoch && slot->ps_plan.pl_ctx_size == size &&
            memcmp(slot->ps_plan.pl_ctx_type, type, size) == 0)
            return slot->ps_plan.pl_ctx_type;
    }
    return NULL;
}

/* Copies a raw plan into the plan buffer, split by principal scope: 1 kept, 0 no room, or VIGIL_E_*. */
static int keep(vigil__reader *rd, vigil__plan *pl) {
    uint32_t ctx_size = pl->pl_ctx_size;
    size_t mark = rd->rd_plan_top;
    uint32_t total = pl->pl_list_count[0] + pl->pl_list_count[1];
    uint32_t *all = plan_alloc(rd, 4 * (size_t)total);
    uint32_t *nums = plan_alloc(rd, 4 * (size_t)total);
    uint64_t *pairs = plan_alloc(rd, 8 * (size_t)total);
    /* Actions that share a context type share one copy, so that a descriptor's address names its content within
     * a plan epoch (json.c remembers context keys by descriptor). */
    const uint8_t *ctx = ctx_size ? shared_context_type(rd, pl->pl_ctx_type, ctx_size) : NULL;
    int ctx_copy = ctx_size && !ctx;
    if (ctx_copy) ctx = plan_alloc(rd, ctx_size);
    if (!all || !nums || !pairs || (ctx_size && !ctx)) { rd->rd_plan_top = mark; return 0; }
    uint32_t count, always = 0, keyed = 0;
    int rc = merge_raw(pl, all, &count);
    if (rc) { rd->rd_plan_top = mark; return rc; }
    for (uint32_t i = 0; i < count; i++) {
        vigil__policy po;
        if ((rc = vigil__policy_get(rd, all[i], &po))) { rd->rd_plan_top = mark; return rc; }
        uint32_t kind = po.po_principal.sc_kind;
        if (kind == VIGIL_SCOPE_EQ || kind == VIGIL_SCOPE_IN || kind == VIGIL_SCOPE_IS_IN) {
            pairs[keyed++] = (uint64_t)po.po_principal.sc_eid << 32 | all[i];
        } else {
            nums[always++] = all[i];
        }
    }
    sort_u64(pairs, keyed);
    if (ctx_copy) memcpy((uint8_t *)ctx, pl->pl_ctx_type, ctx_size);
    pl->pl_ctx_type = ctx;
    pl->pl_all = all;
    pl->pl_always = nums;
    pl->pl_always_count = always;
    pl->pl_keyed = pairs;
    pl->pl_keyed_count = keyed;
    pl->pl_cached = 1;
    return 1;
}

static uint32_t slot_hash(uint32_t type, const uint8_t *id, size_t n) {
    uint32_t h = 2166136261u ^ type;
    for (size_t i = 0; i < n; i++) h = (h ^ id[i]) * 16777619u;
    return h;
}

int vigil__plan_get(vigil__reader *rd, const uint8_t *type, size_t tlen, const uint8_t *id, size_t ilen,
                    vigil__plan *out) {
    memset(out, 0, sizeof *out);
    out->pl_action = VIGIL_NONE;
    if (rd->rd_plan_seen != rd->rd_epoch) {
        /* Another generation: forget every plan. */
        rd->rd_plan_seen = rd->rd_epoch;
        rd->rd_plan_epoch++;
        rd->rd_plan_top = 0;
    }
    uint32_t tid = VIGIL_NONE, eid = VIGIL_NONE;
    int rc = vigil__name_find(rd, type, tlen, &tid);
    if (rc < 0) return rc;
    vigil__plan_slot *slot = NULL;
    if (rc == 1 && ilen <= VIGIL__PLAN_ID_LEN) {
        slot = &rd->rd_plan[slot_hash(tid, id, ilen) & (VIGIL__PLAN_SLOTS - 1)];
        if (slot->ps_epoch == rd->rd_plan_epoch && slot->ps_type == tid && slot->ps_id_len == ilen &&
            vigil__bytes_eq(slot->ps_id, id, ilen)) {
            rd->rd_plan_txn = rd->rd_txn_serial;
            *out = slot->ps_plan;
            return VIGIL_OK;
        }
    }
    if (rc == 1 && ilen + 4 <= 511) {
        uint8_t key[511];
        vigil__wr32(key, tid);
        if (ilen) memcpy(key + 4, id, ilen);
        MDB_val k = { ilen + 4, key }, v;
        rc = mdb_get(rd->rd_txn, rd->rd_ix->ix_uids, &k, &v);
        if (rc == 0) {
            if (v.mv_size < 4 + sizeof(vigil_entity_rec)) return VIGIL_E_CORRUPT;   /* the eid, then the record */
            eid = vigil__rd32(v.mv_data);
            if (eid >= rd->rd_hdr.vh_entity_count) return VIGIL_E_CORRUPT;  /* IDX-V004 */
        } else if (rc != MDB_NOTFOUND) {
            return rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND ? VIGIL_E_CORRUPT : VIGIL_E_IO;
        }
    }
    /* An action the index does not know has no list and no context type of its own; the policies without an
     * action constraint still apply. */
    if (eid != VIGIL_NONE) {
        out->pl_action = eid;
        if ((rc = action_list(rd, eid, &out->pl_list[0], &out->pl_list_count[0]))) return rc;
        if ((rc = context_type(rd, eid, &out->pl_ctx_type, &out->pl_ctx_size))) return rc;
    }
    if ((rc = action_list(rd, VIGIL_ANY_ACTION, &out->pl_list[1], &out->pl_list_count[1]))) return rc;
    if (!slot || eid == VIGIL_NONE) return VIGIL_OK;
    rc = keep(rd, out);
    if (rc == 0 && rd->rd_plan_top > 0 && rd->rd_plan_txn != rd->rd_txn_serial) {
        /* Full: start the buffer over rather than run this action raw from now on; but never under a plan
         * already handed out in this transaction (a batch holds its pointers). */
        rd->rd_plan_epoch++;
        rd->rd_plan_top = 0;
        rc = keep(rd, out);
    }
    if (rc < 0) return rc;
    if (rc == 1) {
        rd->rd_plan_txn = rd->rd_txn_serial;
        slot->ps_epoch = rd->rd_plan_epoch;
        slot->ps_type = tid;
        slot->ps_id_len = (uint32_t)ilen;
        memcpy(slot->ps_id, id, ilen);
        slot->ps_plan = *out;
    }
    return VIGIL_OK;
}

/* Whether sorted eids (n u32 at p) contain x. */
static int contains(const uint8_t *p, uint32_t n, uint32_t x) {
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2, y = vigil__rd32(p + 4 * (size_t)mid);
        if (y == x) return 1;
        if (y < x) lo = mid + 1; else hi = mid;
    }
    return 0;
}

/* Appends the policies of `pl`'s keyed pairs for entity e (pairs are sorted by entity). */
static uint32_t append_keyed(const vigil__plan *pl, uint32_t e, uint64_t *out, uint32_t n) {
    uint32_t lo = 0, hi = pl->pl_keyed_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((uint32_t)(pl->pl_keyed[mid] >> 32) < e) lo = mid + 1; else hi = mid;
    }
    for (uint32_t i = lo; i < pl->pl_keyed_count && (uint32_t)(pl->pl_keyed[i] >> 32) == e; i++)
        out[n++] = (uint32_t)pl->pl_keyed[i];
    return n;
}

/* The kept-candidates slot of a kept plan's action and a stored principal (a temporary eid names another entity
 * in the next request), with its key filled in: a hit when wh_epoch is current. */
static vigil__who_entry *who_slot(vigil__reader *rd, const vigil__plan *pl, uint32_t principal) {
    if (principal >= VIGIL_TEMP_ID_BASE) return NULL;
    uint32_t h = pl->pl_action * 0x9E3779B1u ^ principal * 0x85EBCA77u;
    vigil__who_entry *w = &rd->rd_who[(h ^ h >> 16) & (VIGIL__WHO - 1)];
    if (w->wh_epoch != rd->rd_plan_epoch || w->wh_action != pl->pl_action || w->wh_principal != principal) {
        w->wh_epoch = 0;                       /* a miss: filled once selected */
        w->wh_action = pl->pl_action;
        w->wh_principal = principal;
    }
    return w;
}

int vigil__candidates(vigil__reader *rd, const vigil__plan *pl, uint32_t principal, int all, const uint32_t **nums,
                      uint32_t *count) {
    if (!pl->pl_cached) {
        uint32_t *out = vigil__alloc_aligned(rd, 4 * ((size_t)pl->pl_list_count[0] + pl->pl_list_count[1]));
        if (!out) return VIGIL_E_LIMIT;
        *nums = out;
        return merge_raw(pl, out, count);
    }
    if (all) {
        *nums = pl->pl_all;
        *count = pl->pl_always_count + pl->pl_keyed_count;
        return VIGIL_OK;
    }
    /* rd_plan_epoch is the epoch of this cached plan: vigil__plan_get has just handed it out. */
    vigil__who_entry *who = who_slot(rd, pl, principal);
    if (who && who->wh_epoch == rd->rd_plan_epoch) {
        *nums = who->wh_nums;
        *count = who->wh_count;
        return VIGIL_OK;
    }
    uint64_t *keyed = vigil__alloc_aligned(rd, 8 * (size_t)pl->pl_keyed_count);
    uint32_t *out = vigil__alloc_aligned(rd, 4 * ((size_t)pl->pl_always_count + pl->pl_keyed_count));
    if (!keyed || !out) return VIGIL_E_LIMIT;
    uint32_t nk = 0;
    if (pl->pl_keyed_count > 0) {
        vigil__entity en;
        int rc = vigil__entity_get(rd, principal, &en, 0);
        if (rc < 0) return rc;
        /* Probe the pairs with the principal and each ancestor, or test each pair against the ancestors:
         * whichever touches fewer. */
        if (en.en_anc_count < pl->pl_keyed_count) {
            nk = append_keyed(pl, principal, keyed, nk);
            for (uint32_t i = 0; i < en.en_anc_count; i++)
                nk = append_keyed(pl, vigil__rd32(en.en_anc + 4 * (size_t)i), keyed, nk);
        } else {
            for (uint32_t i = 0; i < pl->pl_keyed_count; i++) {
                uint32_t e = (uint32_t)(pl->pl_keyed[i] >> 32);
                if (e == principal || contains(en.en_anc, en.en_anc_count, e)) keyed[nk++] = (uint32_t)pl->pl_keyed[i];
            }
        }
    }
    /* Each policy has one principal entity, so the matches are unique; put them in order. */
    sort_u64(keyed, nk);
    uint32_t ia = 0, ik = 0, n = 0;
    while (ia < pl->pl_always_count || ik < nk) {
        if (ik >= nk || (ia < pl->pl_always_count && pl->pl_always[ia] < keyed[ik])) out[n++] = pl->pl_always[ia++];
        else out[n++] = (uint32_t)keyed[ik++];
    }
    *nums = out;
    *count = n;
    if (who && n <= VIGIL__WHO_MAX) {
        memcpy(who->wh_nums, out, 4 * (size_t)n);
        who->wh_count = n;
        who->wh_epoch = rd->rd_plan_epoch;
    }
    return VIGIL_OK;
}
