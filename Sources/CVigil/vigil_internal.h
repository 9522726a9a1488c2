/*
 * vigil_internal.h — declarations shared by the evaluator's C files; nothing here is API.
 *
 * Every non-static symbol is prefixed `vigil__` and hidden (the target builds with -fvisibility=hidden), so only
 * the functions of vigil.h leave the library.
 *
 * VALUES
 *   The evaluator never decodes a value into a tree: a value is a pointer to its canonical encoding
 *   (vigil_format.h) and its length, either into the memory map or into the thread's scratch arena. Equality is
 *   memcmp. A value that came from the index is checked (vigil__value_check) before the VM touches it; values the
 *   evaluator builds are valid by construction. INVARIANT: every vigil_val on the VM stack is a valid encoding.
 *
 * PER-THREAD STATE (why it looks like this)
 *   Deciding must not allocate, lock or make a system call after a thread's first decision. Each thread that
 *   decides on a handle gets one vigil__reader: an LMDB read transaction (reset after each decision, renewed
 *   before the next; MDB_NOTLS lets the slot follow the transaction, not the thread), a fixed scratch arena and a
 *   fixed value stack. Readers hang off the handle in a list that is only ever prepended to, with an atomic
 *   compare-and-swap, so finding one's own reader is a lock-free walk; a _Thread_local one-entry cache (handle
 *   serial, reader) makes the common case a single comparison. The serial, not the pointer, keys the cache, so a
 *   handle closed and another opened at the same address can never hand a thread a freed reader.
 */
#ifndef VIGIL_INTERNAL_H
#define VIGIL_INTERNAL_H

/* POSIX (clock_gettime, stat) under -std=c11; this header comes first in every file. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vigil.h"
#include "vigil_format.h"
#include "vigil_opcodes.h"

/* Open and close are cold: keep them out of the decision path's cache lines (LMDB's ESECT). */
#if defined(__GNUC__)
#define VIGIL__COLD __attribute__((cold))
#else
#define VIGIL__COLD
#endif

/* ---- Limits ---- */
#define VIGIL__ARENA_BYTES   (1u << 20)  /* scratch per thread: context, temporaries of one decision */
#define VIGIL__STACK_MAX     256         /* VM value stack depth */
#define VIGIL__MAX_DEPTH     64          /* nesting of values (IDX-V003) and of context JSON */
#define VIGIL__CONTEXT_MAX   (64u * 1024u) /* context JSON bytes */
#define VIGIL__TEMP_MAX      256         /* names and entities one request may mention that the index lacks */
#define VIGIL__ECACHE        4096        /* entity records remembered per snapshot (a power of two) */
#define VIGIL__PCACHE_MAX    1024        /* policies (by number) whose checked records a thread keeps */
#define VIGIL__PCACHE_BYTES  (512u * 1024u) /* room for their copied records */
#define VIGIL__MAX_ARGS      8           /* extension call arguments */
#define VIGIL__POOL_BYTES    (2u * VIGIL__CONTEXT_MAX) /* temporary names and entity ids of one request */
#define VIGIL__NCACHE        256         /* names remembered per generation (a power of two) */
#define VIGIL__NCACHE_LEN    52          /* the longest name kept there, in bytes */
#define VIGIL__UCACHE        4096        /* entity uids remembered per snapshot (a power of two) */
#define VIGIL__UCACHE_LEN    40          /* the longest entity id kept there, in bytes (a UUID's 36 fit) */
#define VIGIL__WAYS          4           /* entries per set in those two caches (a power of two) */
#define VIGIL__CCACHE        1024        /* policy outcomes remembered within one batch (a power of two) */
#define VIGIL__ACT_MEMOS     16          /* distinct actions whose plans and candidates a batch keeps */
#define VIGIL__RESID_MAX     4096        /* room for those actions' candidates (vigil__resid items) */
#define VIGIL__ROWS          64          /* resources whose outcomes a batch keeps (a power of two) */
#define VIGIL__DEPS          64          /* resource-dependent candidates whose outcomes it keeps per resource */
#define VIGIL__DEP_COLS      256         /* slots finding their columns by policy number (a power of two) */
#define VIGIL__PLAN_SLOTS    64          /* actions whose plans a thread keeps (a power of two) */
#define VIGIL__PLAN_ID_LEN   48          /* the longest action id kept there, in bytes */
#define VIGIL__PLAN_BYTES    (256u * 1024u) /* room for those plans' lists and context types */
#define VIGIL__WHO           1024        /* (action, principal) pairs whose candidates a thread keeps (a power of 2) */
#define VIGIL__KEY_DEPTHS    2           /* context objects whose keys a thread remembers: the context, one level in */
#define VIGIL__KEY_SLOTS     8           /* keys remembered per object, by position */
#define VIGIL__KEY_LEN       24          /* the longest key remembered, in bytes */
#define VIGIL__WHO_MAX       30          /* the most candidates kept for one pair */

/* Little-endian reads at any alignment: LMDB values carry no alignment guarantee. */
static inline uint32_t vigil__rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t vigil__rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline int64_t vigil__rdi64(const uint8_t *p) { int64_t v; memcpy(&v, p, 8); return v; }
static inline void vigil__wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void vigil__wr64(uint8_t *p, int64_t v) { memcpy(p, &v, 8); }

/** Whether n bytes at a and b are equal. The caches compare short keys (names, ids, context keys, entity
 *  values) a dozen times a decision: up to 16 bytes take two overlapping loads a side instead of a call. Reads
 *  only a[0..n) and b[0..n). */
static inline int vigil__bytes_eq(const uint8_t *a, const uint8_t *b, size_t n) {
    if (n > 16) return memcmp(a, b, n) == 0;
    if (n >= 8) {
        uint64_t x, y, u, v;
        memcpy(&x, a, 8); memcpy(&y, b, 8); memcpy(&u, a + n - 8, 8); memcpy(&v, b + n - 8, 8);
        return ((x ^ y) | (u ^ v)) == 0;
    }
    if (n >= 4) {
        uint32_t x, y, u, v;
        memcpy(&x, a, 4); memcpy(&y, b, 4); memcpy(&u, a + n - 4, 4); memcpy(&v, b + n - 4, 4);
        return ((x ^ y) | (u ^ v)) == 0;
    }
    /* 0 to 3 bytes: the first, middle and last cover them all. */
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/** An encoded value (vigil_format.h), borrowed from the map or the arena. */
typedef struct vigil_val {
    const uint8_t *p;
    uint32_t n;
} vigil_val;

/** A name or entity the index does not know, with the temporary id this request gave it (IDX-V004). */
typedef struct vigil__temp {
    const uint8_t *tp_bytes;  /* the name, or the entity id (in the context JSON or the request) */
    uint32_t tp_len;
    uint32_t tp_type;         /* entities: the type's name id; names: unused */
} vigil__temp;

/** An entity as the evaluator needs it. */
typedef struct vigil__entity {
    uint32_t en_type;         /* name id */
    uint32_t en_flags;        /* VIGIL_ENT_*; 0 for a temporary entity */
    const uint8_t *en_anc;    /* en_anc_count u32 eids, sorted */
    uint32_t en_anc_count;
    vigil_val en_attrs;       /* a checked Record, or n == 0 */
    vigil_val en_tags;        /* a checked Record, or n == 0 */
} vigil__entity;

typedef struct vigil__reader vigil__reader;
typedef struct vigil__ring vigil__ring;

/** A name looked up in one generation: its id, or VIGIL_NONE when the index has no such name. */
typedef struct vigil__ncache_entry {
    uint64_t nc_epoch;
    uint32_t nc_id;
    uint32_t nc_len;
    uint8_t nc_bytes[VIGIL__NCACHE_LEN];
} vigil__ncache_entry;

/** An entity uid found in one generation: its type's name id and id bytes, and its eid (64 bytes). */
typedef struct vigil__ucache_entry {
    uint64_t uc_epoch;
    uint32_t uc_type;
    uint32_t uc_eid;
    uint32_t uc_len;
    uint32_t uc_used;         /* the rd_txn_serial of its last use: a set's least recent is replaced */
    uint8_t uc_bytes[VIGIL__UCACHE_LEN];
} vigil__ucache_entry;

/** Which policies can apply to requests for one action (plan.c). */
typedef struct vigil__plan {
    uint32_t pl_action;          /* the action's eid; VIGIL_NONE when the index does not know the action */
    const uint8_t *pl_ctx_type;  /* its checked context type descriptor, or NULL */
    uint32_t pl_ctx_size;        /* its size in bytes */
    int pl_cached;               /* 1: the lists below, copied and split by principal scope; 0: the raw lists */
    /* Cached: policy numbers whose principal scope names no entity (ascending), and (entity, policy number)
     * pairs for those whose principal scope is `== E`, `in E` or `is T in E` (ascending). */
    const uint32_t *pl_all;      /* every policy of the plan, ascending (for explain) */
    const uint32_t *pl_always;
    uint32_t pl_always_count;
    const uint64_t *pl_keyed;    /* entity << 32 | policy number */
    uint32_t pl_keyed_count;
    /* Raw: the by_action lists of the action and of VIGIL_ANY_ACTION, in the map (this transaction only). */
    const uint8_t *pl_list[2];
    uint32_t pl_list_count[2];
} vigil__plan;

/** A cached plan, keyed by the action's (type name id, id bytes). */
typedef struct vigil__plan_slot {
    uint64_t ps_epoch;           /* valid when equal to rd_plan_epoch */
    uint32_t ps_type;
    uint32_t ps_id_len;
    uint8_t ps_id[VIGIL__PLAN_ID_LEN];
    vigil__plan ps_plan;
} vigil__plan_slot;

/** The candidates of one (action, principal) pair under one plan epoch (plan.c): the plan's policies that the
 *  principal's scope can match, as vigil__candidates selects them. */
typedef struct vigil__who_entry {
    uint64_t wh_epoch;           /* valid when equal to rd_plan_epoch */
    uint32_t wh_action, wh_principal;
    uint32_t wh_count;
    uint32_t wh_nums[VIGIL__WHO_MAX];
} vigil__who_entry;

/** A context key read at one position of one object (json.c): its name id and declared type, valid while the
 *  snapshot and the plan epoch (which owns the descriptor km_type points into) are the same. */
typedef struct vigil__key_memo {
    uint64_t km_epoch, km_plan_epoch;
    const uint8_t *km_type;      /* the object's record descriptor, or NULL (schema-less) */
    const uint8_t *km_field;     /* the key's type in it, or NULL */
    uint32_t km_id;              /* a stored name id */
    uint32_t km_len;
    uint8_t km_bytes[VIGIL__KEY_LEN];
} vigil__key_memo;

/** An open index. */
struct vigil_index {
    MDB_env *ix_env;
    MDB_dbi ix_meta, ix_names, ix_name_text, ix_uids, ix_entities, ix_policies, ix_by_action, ix_sessions;
    MDB_dbi ix_ctx_types;
    int ix_has_ctx_types;              /* ctx_types exists (older or hand-made indexes may lack it) */
    unsigned ix_flags;                 /* VIGIL_OPEN_* */
    uint64_t ix_serial;                /* unique per open, keys the thread cache */
    _Atomic(vigil__reader *) ix_readers;
    vigil__ring *ix_ring;              /* the decision log (ring.c), or NULL when off */
    int ix_ring_status;                /* VIGIL_OK with a ring, else why there is none (vigil_log_stats) */
};

/** A cached entity record, decoded and checked: its pointers (into the map) are valid only while the reader
 *  reads the snapshot of epoch `ec_epoch` (see rd_epoch). `ec_en`'s attributes and tags are filled once checked
 *  (IDX-V003), as `ec_checked` says: policies read the same record many times. */
typedef struct vigil__ecache_entry {
    uint64_t ec_epoch;
    uint32_t ec_eid;
    uint32_t ec_checked;      /* VIGIL__WANT_* bits whose value in ec_en is checked */
    uint32_t ec_used;         /* the rd_txn_serial of its last use: a set's least recent is replaced */
    const uint8_t *ec_p;
    size_t ec_n;
    uint32_t ec_attrs_off, ec_tags_off;
    vigil__entity ec_en;
} vigil__ecache_entry;

/** A policy's outcome within one batch (out of scope, or its condition's truth or error) for action `cc_action`
 *  and resource `cc_resource` (VIGIL_NONE where the outcome does not depend on that variable); valid while
 *  cc_serial equals rd_cc_serial. */
typedef struct vigil__ccache_entry {
    uint64_t cc_serial;
    uint32_t cc_num, cc_action, cc_resource;
    uint32_t cc_truth, cc_kind, cc_pc;
} vigil__ccache_entry;

/** What a batch knows of one candidate policy for every pair of one action (decide.c). */
typedef struct vigil__resid {
    uint32_t rs_num;             /* the policy number */
    int32_t rs_state;            /* VIGIL__RS_EACH, VIGIL__RS_FIXED, or the VIGIL_E_* deciding it returns */
    uint32_t rs_truth, rs_kind, rs_pc;   /* VIGIL__RS_FIXED: its outcome (rs_truth 1 or an error kind) */
    uint32_t rs_flags, rs_step_up, rs_max_age; /* VIGIL__RS_FIXED: what combining reads of the policy */
    uint32_t rs_dep;             /* VIGIL__RS_KEPT: its column in rd_dep_out */
    const struct vigil__policy *rs_po; /* the thread's kept record (steady for the transaction), or NULL */
} vigil__resid;
#define VIGIL__RS_EACH  1        /* its outcome depends on the resource: decided pair by pair */
#define VIGIL__RS_KEPT  2        /* the same, kept by resource in column rs_dep */
#define VIGIL__RS_FIXED 3        /* satisfied or erroring in every pair (the others are left out) */

/** A request's principal or resource as its candidates' scopes see it: its record is read by the first scope
 *  that needs it (its type or ancestors) and kept for the others, instead of once per scope. */
typedef struct vigil__scope_entity {
    uint32_t se_eid;
    int se_read;              /* se_en holds what vigil__entity_get gave (want 0) */
    vigil__entity se_en;
} vigil__scope_entity;

/** A batch resource's row of outcomes: the stored entity rw_se.se_eid, under context serial rw_cc; its outcomes are
 *  those of rd_dep_out's row whose do_stamp equals rw_stamp. */
typedef struct vigil__row {
    uint64_t rw_cc, rw_stamp;
    vigil__scope_entity rw_se;   /* the resource as scopes see it, read by the first scope that needs it */
} vigil__row;

/** One resource-dependent candidate's outcome on one resource (OUTCOME_* in cc_truth's sense). */
typedef struct vigil__dep_out {
    uint64_t do_stamp;
    uint16_t do_truth, do_kind;
    uint32_t do_pc;
} vigil__dep_out;

/** The column of a policy's outcomes shared by a batch's actions, valid while dc_serial equals rd_cc_serial. */
typedef struct vigil__dep_col {
    uint64_t dc_serial;
    uint32_t dc_num, dc_dep;
} vigil__dep_col;

/** One distinct action of a batch, by the request's bytes (valid during the call): its plan, and its candidates
 *  as vigil__resid items at rd_resid + am_off, valid while am_serial equals rd_cc_serial (0: none yet). */
typedef struct vigil__act_memo {
    const char *am_type, *am_id;
    size_t am_tlen, am_ilen;
    vigil__plan am_plan;
    uint64_t am_serial;
    uint32_t am_off, am_count;
    uint8_t am_enc[5];           /* the action as an Entity value (rd_vars[1] of its pairs) */
} vigil__act_memo;

/** The checked attributes of a stored entity (vm.c), valid while at_epoch equals rd_epoch (0: never). */
typedef struct vigil__attrs_memo {
    uint64_t at_epoch;
    uint32_t at_eid;
    uint32_t at_present;         /* VIGIL_ENT_PRESENT was set: reading an attribute is no error */
    vigil_val at_attrs;          /* a checked Record, or n == 0 */
} vigil__attrs_memo;

/** One thread's state on one handle; see PER-THREAD STATE above. */
struct vigil__reader {
    vigil__reader *rd_next;
    pthread_t rd_owner;
    vigil_index *rd_ix;
    MDB_txn *rd_txn;                   /* reset between decisions */
    int rd_live;                       /* the transaction is renewed (inside a decision) */
    vigil_header rd_hdr;               /* the header of the generation being read */
    uint8_t *rd_arena;
    size_t rd_top;
    uint8_t *rd_pool;                  /* bytes of temporary names and ids: they must outlive arena rollbacks */
    size_t rd_pool_top;
    vigil_val *rd_stack;
    /* The request being decided. */
    vigil_val rd_vars[4];              /* principal, action, resource, context */
    int64_t rd_now_ms;
    vigil__temp rd_tnames[VIGIL__TEMP_MAX];
    uint32_t rd_tname_count;
    vigil__temp rd_tents[VIGIL__TEMP_MAX];
    uint32_t rd_tent_count;
    /* Entity records, in sets of VIGIL__WAYS by eid: a decision reads the same few entities (principal,
     * resource, their groups) once per candidate policy, and requests keep naming the same hot ones; each mdb_get
     * costs a B-tree descent. Least recently used out: direct-mapped, one hot entity in five (of a thousand)
     * shared its slot with another and the two evicted each other decision after decision (with two ways, the
     * sets of three still did). Pointers into the map, valid while ec_epoch equals rd_epoch (see there). */
    vigil__ecache_entry rd_ecache[VIGIL__ECACHE];
    uint64_t rd_txn_serial;            /* incremented by every vigil__reader_begin */
    /* One epoch per snapshot: LMDB's transaction id names the last committed write transaction, so a renewed
     * read transaction with the id of the previous one reads the very same pages. No writer can have freed
     * them: freeing happens only in a later commit, which would have changed the id. So what a thread derives
     * from the index (the header, names, uids, entity records, policy records, plans), pointers into the map
     * included, stays valid across decisions until the id moves. */
    uint64_t rd_epoch;                 /* incremented when vigil__reader_begin sees another snapshot */
    size_t rd_snapshot;                /* the LMDB transaction id of rd_epoch */
    /* Names by their bytes, direct-mapped by hash: a request names its types and context keys, and each
     * lookup in `names` is a B-tree descent with a memcmp per level. */
    vigil__ncache_entry rd_ncache[VIGIL__NCACHE];
    /* Entity uids by hash, in sets the same way: requests keep naming the same hot users and resources (only
     * found ones). */
    vigil__ucache_entry rd_ucache[VIGIL__UCACHE];
    /* Plans by action; rd_plan_epoch moves with rd_epoch and when the buffer is emptied to make room. */
    vigil__plan_slot rd_plan[VIGIL__PLAN_SLOTS];
    uint64_t rd_plan_epoch;
    uint64_t rd_plan_seen;             /* the rd_epoch that rd_plan_epoch belongs to */
    uint64_t rd_plan_txn;              /* the rd_txn_serial of the last plan handed out */
    /* Candidates by (action, principal), direct-mapped: selecting them walks the principal's ancestors through
     * the plan's keyed pairs, the same walk for every request of a hot user; both depend only on the snapshot
     * and the plan, so they are valid while wh_epoch equals rd_plan_epoch (which moves with rd_epoch). */
    vigil__who_entry rd_who[VIGIL__WHO];
    /* Context keys by object depth and position: a client sends the same keys in the same order request after
     * request, so a key equal to last time's at its place skips the name lookup and the descriptor walk. */
    vigil__key_memo rd_keys[VIGIL__KEY_DEPTHS][VIGIL__KEY_SLOTS];
    uint8_t *rd_plan_buf;              /* VIGIL__PLAN_BYTES */
    size_t rd_plan_top;
    /* Policy records of one generation, copied out of the map with their checks done and their programs
     * verified, so a decision neither descends the policies B-tree nor re-verifies bytecode for each candidate.
     * Copies, not pointers into the map: they outlive the transaction. Refilled lazily when the generation
     * changes; policies past the cache's room are read from the map as before. */
    uint64_t rd_pc_epoch;              /* the rd_epoch of the records held */
    uint8_t *rd_pc_buf;                /* VIGIL__PCACHE_BYTES */
    size_t rd_pc_top;
    struct vigil__policy *rd_pc;       /* VIGIL__PCACHE_MAX entries; po_rec == NULL when not cached */
    /* The last two stored entities whose attributes a condition read, by eid parity (vm.c, OP_GET_ATTR). */
    vigil__attrs_memo rd_attrs[2];
    /* Policy outcomes within one vigil_decide_batch call: its pairs share the principal, the context and the
     * time, so a policy whose scope and condition read neither the action nor the resource (or the same ones)
     * has the same outcome in every pair: field checks on one resource match each scope and run each condition
     * once. Off outside batches; the serial moves with every call and every context reload. */
    int rd_cc_on;
    uint64_t rd_cc_serial;
    vigil__ccache_entry rd_ccache[VIGIL__CCACHE];
    /* The distinct actions of one batch (rd_act_count of them), so that a page of documents times a few actions
     * looks each action's plan up once, and selects, scope-matches and runs each of its candidates that cannot
     * depend on the resource once: pairs then go through the candidates left (vigil__resid, VIGIL__RESID_MAX). */
    vigil__act_memo rd_act[VIGIL__ACT_MEMOS];
    uint32_t rd_act_count;
    vigil__resid *rd_resid;
    uint32_t rd_resid_top;
    /* Outcomes of the candidates left to decide pair by pair (at most VIGIL__DEPS columns: one per policy that
     * does not read the action, shared by the actions, one per action and policy otherwise), by resource (rows
     * direct-mapped by eid): a page asks several actions of each document, and its documents' scopes and
     * conditions are matched and run once per document, not once per pair. rd_dep_col: the shared columns by
     * policy number (direct-mapped; a policy that loses its slot gets another column). Emptied with rd_resid. */
    vigil__row rd_rows[VIGIL__ROWS + 1];   /* and a spare one for temporary resources */
    uint64_t rd_row_stamp;             /* the last rw_stamp given */
    vigil__dep_out *rd_dep_out;        /* (VIGIL__ROWS + 1) x VIGIL__DEPS */
    uint32_t rd_dep_count;
    vigil__dep_col rd_dep_col[VIGIL__DEP_COLS];
};

/* ---- Arena (inline: a decision takes a dozen small pieces) ---- */
/** `n` bytes of scratch, or NULL when the arena is full. */
static inline uint8_t *vigil__alloc(vigil__reader *rd, size_t n) {
    if (n > VIGIL__ARENA_BYTES - rd->rd_top) return NULL;
    uint8_t *p = rd->rd_arena + rd->rd_top;
    rd->rd_top += n;
    return p;
}
/** Like vigil__alloc, aligned for pointers (for tables of vigil_val). */
static inline void *vigil__alloc_aligned(vigil__reader *rd, size_t n) {
    size_t pad = (size_t)(-(intptr_t)(rd->rd_arena + rd->rd_top)) & (sizeof(void *) - 1);
    if (pad > VIGIL__ARENA_BYTES - rd->rd_top) return NULL;
    rd->rd_top += pad;
    return vigil__alloc(rd, n);
}

/* ---- Index access (index.c) ---- */
vigil__reader *vigil__reader_get(vigil_index *ix, int *status);
int vigil__reader_begin(vigil__reader *rd);
void vigil__reader_end(vigil__reader *rd);
/** Looks `name` up in the index only: 1 with *id set, 0 when the index has no such name, or VIGIL_E_*. */
int vigil__name_find(vigil__reader *rd, const uint8_t *name, size_t len, uint32_t *id);
/** The name id of `name`: from the index, else a temporary one (IDX-V004). VIGIL_OK or VIGIL_E_LIMIT/CORRUPT. */
int vigil__name_id(vigil__reader *rd, const uint8_t *name, size_t len, uint32_t *id);
/** The eid of (type, id): from the index, else a temporary one. */
int vigil__entity_id(vigil__reader *rd, uint32_t type, const uint8_t *id, size_t len, uint32_t *eid);
/** Reads entity `eid`: 1 when it is a stored entity, 0 when the index does not have it (temporary or unknown),
 *  or VIGIL_E_CORRUPT. `out` is always filled (an entity with no attributes and no ancestors when 0). The
 *  attributes and tags are checked (IDX-V003) only when `want` asks for them (VIGIL__WANT_*), since scope
 *  matching needs only the ancestors. */
#define VIGIL__WANT_ATTRS 1
#define VIGIL__WANT_TAGS  2
int vigil__entity_load(vigil__reader *rd, uint32_t eid, vigil__entity *out, int want);
/** The VIGIL__WAYS entries of the ecache set that entity `eid` may occupy. */
static inline vigil__ecache_entry *vigil__ecache_set(vigil__reader *rd, uint32_t eid) {
    return &rd->rd_ecache[(eid & (VIGIL__ECACHE / VIGIL__WAYS - 1)) * VIGIL__WAYS];
}
/* The common case inline: the record is cached for this snapshot with what `want` asks for already checked. */
static inline int vigil__entity_get(vigil__reader *rd, uint32_t eid, vigil__entity *out, int want) {
    vigil__ecache_entry *slot = vigil__ecache_set(rd, eid);
    for (int w = 1; w < VIGIL__WAYS && slot->ec_eid != eid; w++) slot++;
    if (eid < VIGIL_TEMP_ID_BASE && slot->ec_epoch == rd->rd_epoch && slot->ec_eid == eid &&
        (want & ~slot->ec_checked) == 0) {
        slot->ec_used = (uint32_t)rd->rd_txn_serial;
        *out = slot->ec_en;
        /* Only what was asked for (and so checked) is handed out. */
        if (!(want & VIGIL__WANT_ATTRS)) out->en_attrs = (vigil_val){ NULL, 0 };
        if (!(want & VIGIL__WANT_TAGS)) out->en_tags = (vigil_val){ NULL, 0 };
        return 1;
    }
    return vigil__entity_load(rd, eid, out, want);
}
/** The text of a name id into buf (NUL-terminated, truncated); 0 or -1 when unknown. */
int vigil__name_text(vigil__reader *rd, uint32_t id, char *buf, size_t cap);

/* ---- Values (value.c) ---- */
/** The size of the valid value at p (at most n bytes available, nesting at most depth), or 0 when invalid. */
uint32_t vigil__value_check(const uint8_t *p, size_t n, int depth);
/** The size of a value already known to be valid (inline: record lookups and set scans size every element). */
static inline uint32_t vigil__value_size(const uint8_t *p) {
    switch (p[0]) {
    case VIGIL_V_BOOL: return 2;
    case VIGIL_V_LONG: case VIGIL_V_DECIMAL: case VIGIL_V_DATETIME: case VIGIL_V_DURATION: return 9;
    case VIGIL_V_STRING: return 5 + vigil__rd32(p + 1);
    case VIGIL_V_ENTITY: return 5;
    case VIGIL_V_SET: case VIGIL_V_RECORD: return 9 + vigil__rd32(p + 5);
    case VIGIL_V_IPADDR: return 19;
    case VIGIL_V_PATTERN: return 5 + 4 * vigil__rd32(p + 1);
    default: return 0;
    }
}
/** Canonical order of encodings: bytewise, a proper prefix first (IDX-V001). */
int vigil__value_cmp(vigil_val a, vigil_val b);
static inline int vigil__value_eq(vigil_val a, vigil_val b) { return a.n == b.n && vigil__bytes_eq(a.p, b.p, a.n); }
/** Builds a canonical set from `count` valid elements (reordered in place) into the arena; 0 or VIGIL_E_LIMIT. */
int vigil__set_build(vigil__reader *rd, vigil_val *elems, uint32_t count, vigil_val *out);
/** Builds a canonical record from ids and values (reordered in place); 0, 1 on a duplicate id, VIGIL_E_LIMIT. */
int vigil__record_build(vigil__reader *rd, uint32_t *ids, vigil_val *vals, uint32_t count, vigil_val *out);
/** Finds field `id` of a valid record; 1 found, 0 not. Fields have variable sizes, so this is a scan; it stops at
 *  the first larger id (fields are sorted). Inline: every attribute read is one. */
static inline int vigil__record_get(vigil_val rec, uint32_t id, vigil_val *out) {
    uint32_t count = vigil__rd32(rec.p + 1);
    const uint8_t *q = rec.p + 9;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t fid = vigil__rd32(q);
        uint32_t sz = vigil__value_size(q + 4);
        if (fid == id) { out->p = q + 4; out->n = sz; return 1; }
        if (fid > id) return 0;
        q += 4 + sz;
    }
    return 0;
}
/** Whether a valid set contains `v`. */
int vigil__set_contains(vigil_val set, vigil_val v);
/** The elements of a valid set: the first element and the count. */
static inline const uint8_t *vigil__set_first(vigil_val s, uint32_t *count) {
    *count = vigil__rd32(s.p + 1);
    return s.p + 9;
}
/** Encoders into the arena; NULL when it is full. */
int vigil__make_long(vigil__reader *rd, int64_t v, uint8_t tag, vigil_val *out);
int vigil__make_entity(vigil__reader *rd, uint32_t eid, vigil_val *out);
extern const uint8_t vigil__true_enc[2], vigil__false_enc[2];
static inline vigil_val vigil__bool(int b) { vigil_val v = { b ? vigil__true_enc : vigil__false_enc, 2 }; return v; }
/** Whether a string matches a pattern constant (code points; invalid UTF-8 bytes count as one code point each). */
int vigil__like(const uint8_t *s, uint32_t slen, const uint8_t *pat, uint32_t count);

/* ---- Extension functions (ext.c) ---- */
int vigil__ip_parse(const uint8_t *s, size_t n, uint8_t out[19]);
int vigil__decimal_parse(const uint8_t *s, size_t n, int64_t *out);
int vigil__datetime_parse(const uint8_t *s, size_t n, int64_t *out);
int vigil__duration_parse(const uint8_t *s, size_t n, int64_t *out);
/** Calls extension function `fn`; 0 or a VIGIL_ERR_* kind. `out` may be in the arena. */
int vigil__ext_call(vigil__reader *rd, uint32_t fn, const vigil_val *args, uint32_t argc, vigil_val *out);
/** The number of an extension function by its Cedar name, or -1. */
int vigil__ext_lookup(const uint8_t *name, size_t n);
extern const char *const vigil__ext_names[EXT__COUNT];

/* ---- Context JSON (json.c) ---- */
/** Parses a context object into a Record in the arena, directed by a checked type descriptor (ctx_types) or
 *  schema-less when `type` is NULL: VIGIL_OK, VIGIL_E_CONTEXT, VIGIL_E_LIMIT, VIGIL_E_CORRUPT. */
int vigil__context_parse(vigil__reader *rd, const char *json, size_t len, const uint8_t *type, vigil_val *out);
/** The size of the valid type descriptor at p (n bytes available), or 0 (IDX-T001's layout). */
uint32_t vigil__type_check(const uint8_t *p, size_t n, int depth);
/** The LMDB key of a name: LMDB keys cannot be empty, so the writer stores "" as the single byte 0xFF. */
static inline MDB_val vigil__name_key(const uint8_t *name, size_t len) {
    static const uint8_t empty_key = 0xFF;
    MDB_val k = { len, (void *)name };
    if (len == 0) { k.mv_size = 1; k.mv_data = (void *)&empty_key; }
    return k;
}

/* ---- VM (vm.c) ---- */
/** Operand counts (u32 after the opcode byte), ORDER OP. */
extern const uint8_t vigil__op_operands[OP__COUNT];

/** One policy record, checked (IDX-P*). */
typedef struct vigil__policy {
    const uint8_t *po_rec;
    uint32_t po_len;
    uint32_t po_flags, po_step_up, po_max_age;
    int64_t po_expires_ms;
    vigil_scope po_principal, po_resource;
    const uint8_t *po_code;
    uint32_t po_code_len;
    uint32_t po_const_off, po_const_count;
    uint32_t po_span_off, po_span_count;
    vigil_val po_id, po_annot, po_file;  /* raw bytes (not encoded values) */
    int po_verified;                     /* the program passed vigil__verify (cached policies only) */
    uint32_t po_uses;                    /* VIGIL__USES_*: set by vigil__verify */
} vigil__policy;

/* Which request variables a condition reads besides the principal and the context (vigil__verify). */
#define VIGIL__USES_ACTION   1u
#define VIGIL__USES_RESOURCE 2u

/** Reads and checks policy `num`: VIGIL_OK or VIGIL_E_CORRUPT. */
int vigil__policy_get(vigil__reader *rd, uint32_t num, vigil__policy *out);
/** Policy `num` without a copy where the thread keeps it: *out points at the kept record (valid while the
 *  generation lasts), else at `scratch`, filled by vigil__policy_get. */
static inline int vigil__policy_ref(vigil__reader *rd, uint32_t num, vigil__policy *scratch,
                                    const vigil__policy **out) {
    if (rd->rd_pc_epoch == rd->rd_epoch && num < VIGIL__PCACHE_MAX && num < rd->rd_hdr.vh_policy_count &&
        rd->rd_pc[num].po_rec) {
        *out = &rd->rd_pc[num];
        return VIGIL_OK;
    }
    *out = scratch;
    return vigil__policy_get(rd, num, scratch);
}
/** Checks a program (IDX-P003) and sets po->po_uses: VIGIL_OK or VIGIL_E_CORRUPT. */
int vigil__verify(vigil__reader *rd, vigil__policy *po);
/** Records that policy `num`'s program passed verification (with what it uses), so later decisions skip it. */
void vigil__policy_verified(vigil__reader *rd, uint32_t num, uint32_t uses);
/** Runs a verified program: VIGIL_OK with the truth (0 or 1) or an error kind and pc set; or VIGIL_E_CORRUPT. */
int vigil__run(vigil__reader *rd, const vigil__policy *po, int *truth, uint32_t *err_kind, uint32_t *err_pc);
static inline void vigil__scope_entity_init(vigil__scope_entity *se, vigil_val entity) {
    se->se_eid = vigil__rd32(entity.p + 1);
    se->se_read = 0;               /* se_en is filled by the first read */
}
/** Whether eid b is among an entity's ancestors (the sorted closure, IDX-E002). */
static inline int vigil__has_ancestor(const vigil__entity *en, uint32_t b) {
    uint32_t lo = 0, hi = en->en_anc_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t x = vigil__rd32(en->en_anc + 4 * (size_t)mid);
        if (x == b) return 1;
        if (x < b) lo = mid + 1; else hi = mid;
    }
    return 0;
}
/** vigil__scope_match's kinds that read the entity's type or ancestors (`in`, `is`, `is … in`). */
int vigil__scope_match_read(vigil__reader *rd, const vigil_scope *sc, vigil__scope_entity *se);
/** Matches a scope constraint natively: 1, 0, or VIGIL_E_CORRUPT. Inline: a decision matches two scopes per
 *  candidate, and most are `any` or `==`. */
static inline int vigil__scope_match(vigil__reader *rd, const vigil_scope *sc, vigil__scope_entity *se) {
    if (sc->sc_kind == VIGIL_SCOPE_ANY) return 1;
    if (sc->sc_kind == VIGIL_SCOPE_EQ) return se->se_eid == sc->sc_eid;
    if (se->se_read) {
        /* Read by an earlier scope: what vigil__scope_match_read would answer, without the call. */
        if (sc->sc_kind == VIGIL_SCOPE_IS) return se->se_en.en_type == sc->sc_type;
        if (sc->sc_kind == VIGIL_SCOPE_IN)
            return se->se_eid == sc->sc_eid || vigil__has_ancestor(&se->se_en, sc->sc_eid);
    }
    return vigil__scope_match_read(rd, sc, se);
}
/** `a in b` for eids: a == b or b is an ancestor of a. 1, 0 or VIGIL_E_CORRUPT. */
int vigil__entity_in(vigil__reader *rd, uint32_t a, uint32_t b);

/* ---- Candidate policies (plan.c) ---- */
/** The plan for an action given as (type, id): cached for the generation when it can be, else the raw lists.
 *  Only reads the index; makes no temporary id. Its pointers stay valid until the transaction ends.
 *  VIGIL_OK or VIGIL_E_*. */
int vigil__plan_get(vigil__reader *rd, const uint8_t *type, size_t tlen, const uint8_t *id, size_t ilen,
                    vigil__plan *out);
/** The policy numbers of `plan` whose principal scope can match `principal` (an eid), or every policy of the
 *  plan when `all` (explain lists them all), ascending and unique, in the arena or the thread's kept candidates
 *  (valid until the next call): VIGIL_OK, VIGIL_E_LIMIT or VIGIL_E_CORRUPT. Scopes are still to be matched
 *  exactly. */
int vigil__candidates(vigil__reader *rd, const vigil__plan *plan, uint32_t principal, int all, const uint32_t **nums,
                      uint32_t *count);

/* ---- Decision log (ring.c) ---- */
/** One decision to log: the request parts (any may be NULL), the result and the call's status for it. */
typedef struct vigil__log {
    const vigil_request *base, *act, *res;
    const vigil_result *result;
    int status;
    int kind;                    /* VIGIL_RING_KIND_* */
    uint32_t batch_index;
    uint32_t eids[3];            /* principal, action, resource; VIGIL_NONE or temporary when not in the index */
    uint64_t eval_ns;
    uint64_t end_mono;           /* CLOCK_MONOTONIC when the decision ended (the record's time derives from it) */
} vigil__log;
/** Creates the handle's ring when logging is on (cold; never fails the open: ix_ring_status says why not). */
void vigil__ring_open(vigil_index *ix, const char *index_path);
/** Marks the ring closed and unmaps it. */
void vigil__ring_close(vigil_index *ix);
/** Appends one record; drops and counts it when the ring is full. No lock, no system call, no allocation. */
void vigil__ring_log(vigil__ring *rg, const vigil__log *lg);
/** CLOCK_MONOTONIC in ns (vDSO). */
uint64_t vigil__mono_ns(void);

#endif /* VIGIL_INTERNAL_H */
