/*
 * vigil_format.h — the on-disk layout of a Vigil index, format version 2. Mirrors docs/INDEX_FORMAT.md, which is
 * the specification; any change to a layout here bumps VIGIL_FORMAT_VERSION and that document.
 *
 * All integers are little-endian. LMDB gives no alignment guarantee for values, so every multi-byte field is read
 * with memcpy (see index.c) and every offset and length is checked against the value's size before use: a corrupt
 * index is bad input, answered with VIGIL_E_CORRUPT, never a crash.
 */
#ifndef VIGIL_FORMAT_H
#define VIGIL_FORMAT_H

#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "Vigil indexes are little-endian; this platform is not supported"
#endif

#define VIGIL_FORMAT_VERSION 2u
#define VIGIL_MAGIC "VIGILIX\x01"       /* 8 bytes; the last byte would differ on a misread */

/* Named LMDB databases (IDX-D001). */
#define VIGIL_DB_META      "meta"       /* "header" -> vigil_header */
#define VIGIL_DB_NAMES     "names"      /* UTF-8 name -> u32 name id */
#define VIGIL_DB_NAME_TEXT "name_text"  /* u32 name id (MDB_INTEGERKEY) -> UTF-8 name */
#define VIGIL_DB_UIDS      "uids"       /* u32 type name id ++ id bytes -> u32 entity number (eid) ++ entity record */
#define VIGIL_DB_ENTITIES  "entities"   /* u32 eid (MDB_INTEGERKEY) -> its uids key */
#define VIGIL_DB_POLICIES  "policies"   /* u32 policy number (MDB_INTEGERKEY) -> policy record */
#define VIGIL_DB_BY_ACTION "by_action"  /* u32 action eid or VIGIL_ANY_ACTION (MDB_INTEGERKEY) -> u32[] policy numbers */
#define VIGIL_DB_SESSIONS  "sessions"   /* session id bytes -> vigil_session_rec */
#define VIGIL_DB_CTX_TYPES "ctx_types"  /* u32 action eid (MDB_INTEGERKEY) -> type descriptor of its context */
#define VIGIL_MAX_DBS      16

#define VIGIL_ANY_ACTION   0xFFFFFFFFu  /* by_action key of policies whose action is unconstrained */
#define VIGIL_NONE         0xFFFFFFFFu  /* "no value" for u32 fields such as max_age */
/* Ids at or above this are never stored: the evaluator gives them to names and entities a request mentions that
 * the index does not know (IDX-V004). */
#define VIGIL_TEMP_ID_BASE 0xF0000000u

/* ---- meta/"header" (IDX-H001..H003) ---- */
typedef struct vigil_header {
    char     vh_magic[8];        /* VIGIL_MAGIC */
    uint32_t vh_version;         /* VIGIL_FORMAT_VERSION */
    uint32_t vh_endian;          /* 0x01020304 as written by a little-endian writer */
    uint64_t vh_generation;      /* bumped by every write transaction */
    int64_t  vh_published_ms;    /* Unix ms of the commit that wrote this generation */
    uint32_t vh_entity_count;    /* eids are 0 ..< count */
    uint32_t vh_policy_count;    /* policy numbers are 0 ..< count */
    uint32_t vh_name_count;      /* name ids are 0 ..< count */
    uint32_t vh_flags;           /* reserved, 0 */
    uint64_t vh_reserved[2];
} vigil_header;
_Static_assert(sizeof(vigil_header) == 64, "vigil_header is 64 bytes");

/* ---- Encoded values (IDX-V001..V004) ----
 * A value is a tag byte followed by its payload. Encodings are canonical, so two values are equal exactly when
 * their encodings are byte-for-byte equal: set elements are sorted (by encoding, then length) and unique; record
 * fields are sorted by name id and unique; strings are UTF-8 (Cedar compares code points, so do bytes). */
enum vigil_value_tag {
    VIGIL_V_BOOL     = 1,  /* u8 0|1 */
    VIGIL_V_LONG     = 2,  /* i64 */
    VIGIL_V_STRING   = 3,  /* u32 byte length, bytes */
    VIGIL_V_ENTITY   = 4,  /* u32 eid */
    VIGIL_V_SET      = 5,  /* u32 count, u32 body length, elements */
    VIGIL_V_RECORD   = 6,  /* u32 count, u32 body length, (u32 name id, value) pairs */
    VIGIL_V_IPADDR   = 7,  /* u8 version (4|6), u8 prefix length, 16 address bytes in network order
                              (IPv4: the first 4 bytes, the other 12 zero) */
    VIGIL_V_DECIMAL  = 8,  /* i64, the value times 10^4 */
    VIGIL_V_DATETIME = 9,  /* i64 ms since the Unix epoch */
    VIGIL_V_DURATION = 10, /* i64 ms */
    VIGIL_V_PATTERN  = 11, /* constants only: u32 count, count x u32 (a code point, or VIGIL_WILDCARD) */
};
#define VIGIL_WILDCARD 0xFFFFFFFFu

/* ---- entity records, in uids after the eid (IDX-E001..E004) ---- */
#define VIGIL_ENT_PRESENT 0x1u  /* in the entity data (or a declared action); otherwise only referenced */
#define VIGIL_ENT_ACTION  0x2u  /* an action entity */
typedef struct vigil_entity_rec {
    uint32_t er_type;        /* name id of the entity type */
    uint32_t er_flags;       /* VIGIL_ENT_* */
    uint32_t er_id_off;      /* the entity id (UTF-8) */
    uint32_t er_id_len;
    uint32_t er_anc_off;     /* sorted, unique u32 eids: every ancestor, transitively; never the entity itself */
    uint32_t er_anc_count;
    uint32_t er_attrs_off;   /* a VIGIL_V_RECORD value; 0 when the entity is not PRESENT */
    uint32_t er_tags_off;    /* a VIGIL_V_RECORD value keyed by tag name ids; 0 when it has no tags */
} vigil_entity_rec;
_Static_assert(sizeof(vigil_entity_rec) == 32, "vigil_entity_rec is 32 bytes");

/* ---- policies: number -> record (IDX-P001..P006) ---- */
#define VIGIL_POL_FORBID        0x1u  /* effect: forbid (else permit) */
#define VIGIL_POL_LINKED        0x2u  /* a template-linked policy */
#define VIGIL_POL_STEP_UP       0x4u  /* carries @step_up (forbids only) */
#define VIGIL_POL_HAS_ANNOT_ID  0x8u  /* has an @id annotation (possibly empty) */

enum vigil_scope_kind {
    VIGIL_SCOPE_ANY   = 0,   /* principal */
    VIGIL_SCOPE_EQ    = 1,   /* principal == E          (sc_eid) */
    VIGIL_SCOPE_IN    = 2,   /* principal in E          (sc_eid; true when equal too) */
    VIGIL_SCOPE_IS    = 3,   /* principal is T          (sc_type) */
    VIGIL_SCOPE_IS_IN = 4,   /* principal is T in E     (sc_type, sc_eid) */
};
typedef struct vigil_scope {
    uint32_t sc_kind;
    uint32_t sc_eid;
    uint32_t sc_type;        /* a name id */
} vigil_scope;

typedef struct vigil_policy_rec {
    uint32_t pr_flags;          /* VIGIL_POL_* */
    uint32_t pr_step_up;        /* 1..3 with VIGIL_POL_STEP_UP, else 0 */
    uint32_t pr_max_age;        /* seconds, or VIGIL_NONE */
    uint32_t pr_reserved;
    int64_t  pr_expires_ms;     /* not honoured at or after this Unix ms time; INT64_MAX for never */
    vigil_scope pr_principal;
    vigil_scope pr_resource;
    uint32_t pr_id_off;         /* positional id (`policy3`) or link id */
    uint32_t pr_id_len;
    uint32_t pr_annot_off;      /* @id value */
    uint32_t pr_annot_len;
    uint32_t pr_code_off;       /* bytecode (vigil_opcodes.h) */
    uint32_t pr_code_len;
    uint32_t pr_const_off;      /* const_count u32 offsets, each to an encoded value in this record */
    uint32_t pr_const_count;
    uint32_t pr_span_off;       /* span_count x (u32 pc, u32 line, u32 column), ascending pc */
    uint32_t pr_span_count;
    uint32_t pr_file_off;       /* source file name for messages */
    uint32_t pr_file_len;
} vigil_policy_rec;
_Static_assert(sizeof(vigil_policy_rec) == 96, "vigil_policy_rec is 96 bytes");

/* ---- ctx_types: action eid -> the schema's context type (IDX-T001) ----
 * Present only when the index was compiled with a schema. The context JSON parser follows it as Cedar's
 * schema-directed parsing does: a JSON string where the type says ipaddr/decimal/datetime/duration becomes that
 * value (an invalid one is VIGIL_E_CONTEXT), and an object {"type", "id"} where it says an entity becomes the
 * entity. Elsewhere, and for attributes the type does not list, parsing is schema-less. A type descriptor is a
 * tag byte and a payload: */
enum vigil_type_tag {
    VIGIL_T_BOOL = 1, VIGIL_T_LONG = 2, VIGIL_T_STRING = 3,
    VIGIL_T_ENTITY = 4,    /* u32 name id of the entity type */
    VIGIL_T_SET = 5,       /* the element's descriptor */
    VIGIL_T_RECORD = 6,    /* u32 count, then count x (u32 name id, u8 required, descriptor), sorted by name id */
    VIGIL_T_IPADDR = 7, VIGIL_T_DECIMAL = 8, VIGIL_T_DATETIME = 9, VIGIL_T_DURATION = 10,
};

/* ---- sessions: id -> record (IDX-S001) ---- */
#define VIGIL_SESSION_REVOKED 0x1u
typedef struct vigil_session_rec {
    uint32_t ss_eid;            /* the session entity (e.g. Vigil::Session::"s-123"), set as context.session */
    uint32_t ss_flags;          /* VIGIL_SESSION_* */
    int64_t  ss_expires_ms;     /* expired at or after this Unix ms time; INT64_MAX for never */
} vigil_session_rec;
_Static_assert(sizeof(vigil_session_rec) == 16, "vigil_session_rec is 16 bytes");

#endif /* VIGIL_FORMAT_H */
