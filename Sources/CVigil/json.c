/*
 * json.c — a request's context JSON into one canonical Record value in the thread's arena.
 *
 * Cedar's schema-less JSON value format, as Sources/VigilData/ValueDecoder.swift (`plain`) reads it: booleans,
 * integers that fit in 64 bits (Long; any other number is an error), strings, arrays (sets), objects (records),
 * and, only in an object with exactly that one key, the escapes `{"__entity": {"type", "id"}}` (the inner object
 * needs two or more members, string `type` and `id`; others are ignored), `{"__extn": {"fn", "arg" | "args"}}`
 * (any extension function) and `{"__expr": "…"}` (refused). An object with such a key but not the escape's shape
 * is an ordinary record. `null` and duplicate keys are errors. The top level must be a record.
 *
 * With a type descriptor from ctx_types (an index compiled with a schema), parsing follows it as Cedar's
 * schema-based parsing does (ValueDecoder+Schema.swift): where it says ipaddr/decimal/datetime/duration, a string
 * goes through that type's constructor (an invalid one is an error, IDX-T001) and `{"fn", "arg"}` is a call;
 * where it says an entity, `{"type", "id"}` (or `{"__entity": {...}}`, extra members allowed) is the entity; sets
 * and records pass their element and attribute types down. Elsewhere parsing is schema-less. The conformance
 * check Cedar adds with a schema (required attributes, no undeclared ones, types) is not done here.
 *
 * Differences from the Swift reader, on purpose: nesting is capped at 64 (the index's limit, IDX-V003, not JSON's
 * 256), and invalid UTF-8 is refused rather than replaced.
 *
 * Each build function leaves exactly its value's encoding at [start, top) of the arena: temporaries above it are
 * given back by moving the result down, so the whole context costs its encoded size plus transient tables.
 */
#include "vigil_internal.h"

typedef struct parser {
    vigil__reader *rd;
    const uint8_t *s;
    size_t n, pos;
} parser;

#define CTX_ERR VIGIL_E_CONTEXT

static inline void skip_ws(parser *ps) {
    /* Most contexts are compact: one compare and out. */
    if (ps->pos < ps->n && ps->s[ps->pos] > ' ') return;
    while (ps->pos < ps->n) {
        uint8_t c = ps->s[ps->pos];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
        ps->pos++;
    }
}

static int lit(parser *ps, const char *word) {
    size_t len = strlen(word);
    if (ps->n - ps->pos < len || memcmp(ps->s + ps->pos, word, len) != 0) return 0;
    ps->pos += len;
    return 1;
}

static int hex4(parser *ps, uint32_t *out) {
    if (ps->n - ps->pos < 4) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = ps->s[ps->pos++];
        int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return 0;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 1;
}

/* Length of a valid UTF-8 sequence at p (n bytes left), or 0. */
static uint32_t utf8_len(const uint8_t *p, size_t n) {
    uint8_t b = p[0];
    uint32_t need;
    if (b < 0x80) return 1;
    if (b >= 0xC2 && b <= 0xDF) need = 1;
    else if (b >= 0xE0 && b <= 0xEF) need = 2;
    else if (b >= 0xF0 && b <= 0xF4) need = 3;
    else return 0;
    if (n < need + 1) return 0;
    for (uint32_t i = 1; i <= need; i++) if ((p[i] & 0xC0) != 0x80) return 0;
    if (b == 0xE0 && p[1] < 0xA0) return 0;   /* overlong */
    if (b == 0xED && p[1] >= 0xA0) return 0;  /* surrogates */
    if (b == 0xF0 && p[1] < 0x90) return 0;   /* overlong */
    if (b == 0xF4 && p[1] >= 0x90) return 0;  /* above U+10FFFF */
    return need + 1;
}

/* Bytes that end a run of plain string: control characters, the quote, the backslash and non-ASCII. */
static const uint8_t not_plain[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* Decodes the string at pos (on its opening quote). With out != NULL (room for the raw length), writes the
 * UTF-8 bytes there; *len gets the decoded length. */
static int read_string(parser *ps, uint8_t *out, uint32_t *len) {
    if (ps->pos >= ps->n || ps->s[ps->pos] != '"') return CTX_ERR;
    ps->pos++;
    uint32_t k = 0;
    for (;;) {
        if (ps->pos >= ps->n) return CTX_ERR;
        uint8_t c = ps->s[ps->pos];
        if (c == '"') { ps->pos++; *len = k; return VIGIL_OK; }
        if (c < 0x20) return CTX_ERR;
        if (c < 0x80 && c != '\\') {
            /* A run of plain ASCII (the common case) is copied at once. */
            size_t start = ps->pos;
            while (ps->pos < ps->n && !not_plain[ps->s[ps->pos]]) ps->pos++;
            if (out) memcpy(out + k, ps->s + start, ps->pos - start);
            k += (uint32_t)(ps->pos - start);
            continue;
        }
        if (c != '\\') {
            uint32_t l = utf8_len(ps->s + ps->pos, ps->n - ps->pos);
            if (l == 0) return CTX_ERR;
            if (out) memcpy(out + k, ps->s + ps->pos, l);
            k += l;
            ps->pos += l;
            continue;
        }
        ps->pos++;
        if (ps->pos >= ps->n) return CTX_ERR;
        uint8_t e = ps->s[ps->pos++];
        uint32_t cp;
        switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = 8; break;
        case 'f': cp = 12; break;
        case 'n': cp = 10; break;
        case 'r': cp = 13; break;
        case 't': cp = 9; break;
        case 'u':
            if (!hex4(ps, &cp)) return CTX_ERR;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (ps->n - ps->pos < 2 || ps->s[ps->pos] != '\\' || ps->s[ps->pos + 1] != 'u') return CTX_ERR;
                ps->pos += 2;
                if (!hex4(ps, &lo) || lo < 0xDC00 || lo > 0xDFFF) return CTX_ERR;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return CTX_ERR;
            }
            break;
        default:
            return CTX_ERR;
        }
        /* Encoded UTF-8 is never longer than its escape, so the raw-length buffer suffices. */
        uint8_t buf[4];
        uint32_t bl;
        if (cp < 0x80) { buf[0] = (uint8_t)cp; bl = 1; }
        else if (cp < 0x800) { buf[0] = (uint8_t)(0xC0 | cp >> 6); buf[1] = (uint8_t)(0x80 | (cp & 0x3F)); bl = 2; }
        else if (cp < 0x10000) {
            buf[0] = (uint8_t)(0xE0 | cp >> 12); buf[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
            buf[2] = (uint8_t)(0x80 | (cp & 0x3F)); bl = 3;
        } else {
            buf[0] = (uint8_t)(0xF0 | cp >> 18); buf[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
            buf[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F)); buf[3] = (uint8_t)(0x80 | (cp & 0x3F)); bl = 4;
        }
        if (out) memcpy(out + k, buf, bl);
        k += bl;
    }
}

/* The usual string, printable ASCII without escapes, is its own bytes in the input: 1 with the bytes and pos
 * after it, or 0 with pos unchanged (then read_string decodes it). */
static inline __attribute__((always_inline)) int plain_string(parser *ps, const uint8_t **bytes, uint32_t *len) {
    if (ps->pos >= ps->n || ps->s[ps->pos] != '"') return 0;
    const uint8_t *p = ps->s + ps->pos + 1, *end = ps->s + ps->n;
    while (p < end && !not_plain[*p]) p++;
    if (p >= end || *p != '"') return 0;
    *bytes = ps->s + ps->pos + 1;
    *len = (uint32_t)(p - *bytes);
    ps->pos = (size_t)(p + 1 - ps->s);
    return 1;
}

/* string_bytes for a string with escapes or non-ASCII: decoded into the arena, which the caller rolls back. */
static int decoded_string(parser *ps, const uint8_t **bytes, uint32_t *len) {
    size_t start = ps->pos;
    uint32_t l;
    int rc = read_string(ps, NULL, &l);
    if (rc) return rc;
    uint8_t *buf = vigil__alloc(ps->rd, l ? l : 1);
    if (!buf) return VIGIL_E_LIMIT;
    ps->pos = start;
    read_string(ps, buf, &l);
    *bytes = buf;
    *len = l;
    return VIGIL_OK;
}

/* A string's decoded bytes (not an encoded value): the input's own when plain (inline: the usual case, a member
 * key), else decoded_string's. */
static inline __attribute__((always_inline)) int string_bytes(parser *ps, const uint8_t **bytes, uint32_t *len) {
    return plain_string(ps, bytes, len) ? VIGIL_OK : decoded_string(ps, bytes, len);
}

static int bytes_eq(const uint8_t *b, uint32_t n, const char *s) { return strlen(s) == n && memcmp(b, s, n) == 0; }

/* Checks syntax and moves past one value without building it. */
static int skip_value(parser *ps, int depth) {
    if (depth > VIGIL__MAX_DEPTH) return CTX_ERR;
    skip_ws(ps);
    if (ps->pos >= ps->n) return CTX_ERR;
    uint8_t c = ps->s[ps->pos];
    uint32_t l;
    if (c == '"') return read_string(ps, NULL, &l);
    if (c == '{' || c == '[') {
        uint8_t close = c == '{' ? '}' : ']';
        ps->pos++;
        skip_ws(ps);
        if (ps->pos < ps->n && ps->s[ps->pos] == close) { ps->pos++; return VIGIL_OK; }
        for (;;) {
            int rc;
            if (c == '{') {
                skip_ws(ps);
                if ((rc = read_string(ps, NULL, &l))) return rc;
                skip_ws(ps);
                if (ps->pos >= ps->n || ps->s[ps->pos] != ':') return CTX_ERR;
                ps->pos++;
            }
            if ((rc = skip_value(ps, depth + 1))) return rc;
            skip_ws(ps);
            if (ps->pos >= ps->n) return CTX_ERR;
            if (ps->s[ps->pos] == ',') { ps->pos++; continue; }
            if (ps->s[ps->pos] == close) { ps->pos++; return VIGIL_OK; }
            return CTX_ERR;
        }
    }
    if (lit(ps, "true") || lit(ps, "false") || lit(ps, "null")) return VIGIL_OK;
    if (c == '-' || (c >= '0' && c <= '9')) {
        if (c == '-') ps->pos++;
        size_t d0 = ps->pos;
        while (ps->pos < ps->n && ps->s[ps->pos] >= '0' && ps->s[ps->pos] <= '9') ps->pos++;
        if (ps->pos == d0 || (ps->pos - d0 > 1 && ps->s[d0] == '0')) return CTX_ERR;
        if (ps->pos < ps->n && ps->s[ps->pos] == '.') {
            size_t f0 = ++ps->pos;
            while (ps->pos < ps->n && ps->s[ps->pos] >= '0' && ps->s[ps->pos] <= '9') ps->pos++;
            if (ps->pos == f0) return CTX_ERR;
        }
        if (ps->pos < ps->n && (ps->s[ps->pos] == 'e' || ps->s[ps->pos] == 'E')) {
            ps->pos++;
            if (ps->pos < ps->n && (ps->s[ps->pos] == '+' || ps->s[ps->pos] == '-')) ps->pos++;
            size_t e0 = ps->pos;
            while (ps->pos < ps->n && ps->s[ps->pos] >= '0' && ps->s[ps->pos] <= '9') ps->pos++;
            if (ps->pos == e0) return CTX_ERR;
        }
        return VIGIL_OK;
    }
    return CTX_ERR;
}

/* What a scan of an object found without building it: its member count, the kind of its first key and where
 * that member's value starts, and where the first member named by each of up to three asked keys has its value
 * (0 when there is none: a value never starts at the input's first byte, which is the top-level `{`). */
typedef struct object_scan {
    uint32_t count;
    int first_key;           /* ESC_* of the first key */
    size_t first_value;
    size_t at[3];
} object_scan;

enum { ESC_NONE = 0, ESC_ENTITY = 1, ESC_EXTN = 2, ESC_EXPR = 3 };

/* The keys an escape's inner object (or a bare form) is read by. */
static const char *const entity_keys[3] = { "type", "id", NULL };
static const char *const extn_keys[3] = { "fn", "arg", "args" };

static int escape_kind(const uint8_t *key, uint32_t klen) {
    if (klen < 6 || key[0] != '_' || key[1] != '_') return ESC_NONE;
    return bytes_eq(key, klen, "__entity") ? ESC_ENTITY : bytes_eq(key, klen, "__extn") ? ESC_EXTN
         : bytes_eq(key, klen, "__expr") ? ESC_EXPR : ESC_NONE;
}

static int scan_escape_value(parser *ps, int depth, int kind, object_scan *in);

/* Checks the object at pos (on `{`) and moves past it without building it, noting what `sc` holds. With
 * `inner`, a first member whose key names an escape has its value scanned into it (scan_escape_value), so the
 * escape needs no second look. */
static int scan_object(parser *ps, int depth, const char *const keys[3], object_scan *sc, object_scan *inner) {
    size_t mark = ps->rd->rd_top;
    memset(sc, 0, sizeof *sc);
    ps->pos++;
    skip_ws(ps);
    if (ps->pos < ps->n && ps->s[ps->pos] == '}') { ps->pos++; return VIGIL_OK; }
    for (;;) {
        const uint8_t *key;
        uint32_t klen;
        int rc;
        skip_ws(ps);
        if ((rc = string_bytes(ps, &key, &klen))) return rc;
        int which = -1;
        for (int k = 0; k < 3; k++)
            if (keys[k] && sc->at[k] == 0 && bytes_eq(key, klen, keys[k])) { which = k; break; }
        if (sc->count == 0) sc->first_key = escape_kind(key, klen);
        ps->rd->rd_top = mark;
        skip_ws(ps);
        if (ps->pos >= ps->n || ps->s[ps->pos] != ':') return CTX_ERR;
        ps->pos++;
        skip_ws(ps);
        if (sc->count == 0) sc->first_value = ps->pos;
        if (which >= 0) sc->at[which] = ps->pos;
        sc->count++;
        if (inner && sc->count == 1 && sc->first_key) rc = scan_escape_value(ps, depth, sc->first_key, inner);
        else rc = skip_value(ps, depth + 1);
        if (rc) return rc;
        skip_ws(ps);
        if (ps->pos >= ps->n) return CTX_ERR;
        if (ps->s[ps->pos] == ',') { ps->pos++; continue; }
        if (ps->s[ps->pos] == '}') { ps->pos++; return VIGIL_OK; }
        return CTX_ERR;
    }
}

static int build_value(parser *ps, int depth, const uint8_t *ty, vigil_val *out);

/* ---- Type descriptors (ctx_types) ---- */

uint32_t vigil__type_check(const uint8_t *p, size_t n, int depth) {
    if (n < 1 || depth <= 0) return 0;                                  /* IDX-V003 applied to descriptors */
    switch (p[0]) {
    case VIGIL_T_BOOL: case VIGIL_T_LONG: case VIGIL_T_STRING:
    case VIGIL_T_IPADDR: case VIGIL_T_DECIMAL: case VIGIL_T_DATETIME: case VIGIL_T_DURATION:
        return 1;
    case VIGIL_T_ENTITY:
        return n >= 5 ? 5 : 0;
    case VIGIL_T_SET: {
        uint32_t e = vigil__type_check(p + 1, n - 1, depth - 1);
        return e ? 1 + e : 0;
    }
    case VIGIL_T_RECORD: {
        if (n < 5) return 0;
        uint32_t count = vigil__rd32(p + 1), prev = 0;
        size_t at = 5;
        for (uint32_t i = 0; i < count; i++) {
            if (n - at < 5) return 0;
            uint32_t id = vigil__rd32(p + at);
            if (i > 0 && id <= prev) return 0;                          /* sorted by name id, unique */
            prev = id;
            uint32_t sz = vigil__type_check(p + at + 5, n - at - 5, depth - 1);
            if (sz == 0) return 0;
            at += 5 + (size_t)sz;
        }
        return at <= UINT32_MAX ? (uint32_t)at : 0;
    }
    default:
        return 0;
    }
}

/* The size of a checked descriptor. */
static uint32_t type_size(const uint8_t *p) {
    switch (p[0]) {
    case VIGIL_T_ENTITY: return 5;
    case VIGIL_T_SET: return 1 + type_size(p + 1);
    case VIGIL_T_RECORD: {
        uint32_t count = vigil__rd32(p + 1), at = 5;
        for (uint32_t i = 0; i < count; i++) at += 5 + type_size(p + at + 5);
        return at;
    }
    default: return 1;
    }
}

/* The declared type of attribute `id` in a checked Record descriptor, or NULL. */
static const uint8_t *field_type(const uint8_t *ty, uint32_t id) {
    if (!ty || ty[0] != VIGIL_T_RECORD) return NULL;
    uint32_t count = vigil__rd32(ty + 1);
    const uint8_t *q = ty + 5;
    for (uint32_t i = 0; i < count; i++) {
        if (vigil__rd32(q) == id) return q + 5;
        q += 5 + type_size(q + 5);
    }
    return NULL;
}

/* The constructor of an extension type descriptor, or -1. */
static int constructor_of(const uint8_t *ty) {
    if (!ty) return -1;
    switch (ty[0]) {
    case VIGIL_T_IPADDR: return EXT_IP;
    case VIGIL_T_DECIMAL: return EXT_DECIMAL;
    case VIGIL_T_DATETIME: return EXT_DATETIME;
    case VIGIL_T_DURATION: return EXT_DURATION;
    default: return -1;
    }
}

/* Moves the value at v down to arena position start and makes it the arena's top. */
static void settle(parser *ps, size_t start, vigil_val *v) {
    uint8_t *dst = ps->rd->rd_arena + start;
    memmove(dst, v->p, v->n);
    v->p = dst;
    ps->rd->rd_top = start + v->n;
}

/* Cedar's Name::from_normalized_str: identifiers (not reserved) joined by `::`, and no `__cedar` component. */
static int valid_type_name(const uint8_t *b, uint32_t n) {
    static const char *const reserved[] = { "true", "false", "if", "then", "else", "in", "is", "like", "has" };
    uint32_t i = 0;
    for (;;) {
        uint32_t s = i;
        while (i < n && b[i] != ':') {
            uint8_t c = b[i];
            int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            if (!letter && !(i > s && c >= '0' && c <= '9')) return 0;
            i++;
        }
        if (i == s) return 0;
        for (size_t r = 0; r < sizeof reserved / sizeof reserved[0]; r++)
            if (bytes_eq(b + s, i - s, reserved[r])) return 0;
        if (bytes_eq(b + s, i - s, "__cedar")) return 0;
        if (i == n) return 1;
        if (n - i < 3 || b[i + 1] != ':') return 0;
        i += 2;
    }
}

/* An entity from the string members `type` and `id` whose values start at tpos and ipos (0 when missing): 1
 * built, 0 not that shape, or an error. */
static int build_entity(parser *ps, size_t start, size_t tpos, size_t ipos, vigil_val *out) {
    if (tpos == 0 || ipos == 0 || ps->s[tpos] != '"' || ps->s[ipos] != '"') return 0;
    size_t save = ps->pos;
    const uint8_t *tb, *ib;
    uint32_t tl, il, type, eid;
    int rc;
    ps->pos = tpos;
    if ((rc = string_bytes(ps, &tb, &tl))) return rc;
    if (!valid_type_name(tb, tl)) return CTX_ERR;
    if ((rc = vigil__name_id(ps->rd, tb, tl, &type))) return rc;
    ps->pos = ipos;
    if ((rc = string_bytes(ps, &ib, &il))) return rc;
    if ((rc = vigil__entity_id(ps->rd, type, ib, il, &eid))) return rc;
    ps->pos = save;
    ps->rd->rd_top = start;
    return (rc = vigil__make_entity(ps->rd, eid, out)) ? rc : 1;
}

/* A call from a string member `fn` (at fpos) and a member `arg` (at apos) or an array `args` (at argspos), 0
 * when missing: 1 built, 0 not that shape, or an error. */
static int build_extn(parser *ps, int depth, size_t start, size_t fpos, size_t apos, size_t argspos,
                      vigil_val *out) {
    if (fpos == 0 || ps->s[fpos] != '"') return 0;
    if (apos == 0 && (argspos == 0 || ps->s[argspos] != '[')) return 0;
    size_t save = ps->pos;
    const uint8_t *fb;
    uint32_t fl;
    int rc;
    ps->pos = fpos;
    if ((rc = string_bytes(ps, &fb, &fl))) return rc;
    int fn = vigil__ext_lookup(fb, fl);
    if (fn < 0) return CTX_ERR;                 /* unknown function, `unknown(…)` included */
    vigil_val args[VIGIL__MAX_ARGS];
    uint32_t argc = 0;
    if (apos) {
        ps->pos = apos;
        if ((rc = build_value(ps, depth + 2, NULL, &args[argc++]))) return rc;
    } else {
        ps->pos = argspos + 1;
        skip_ws(ps);
        if (ps->s[ps->pos] == ']') ps->pos++;
        else for (;;) {
            if (argc == VIGIL__MAX_ARGS) return CTX_ERR;
            if ((rc = build_value(ps, depth + 2, NULL, &args[argc++]))) return rc;
            skip_ws(ps);
            if (ps->s[ps->pos++] == ',') continue;
            break;
        }
    }
    vigil_val v;
    if (vigil__ext_call(ps->rd, (uint32_t)fn, args, argc, &v)) return CTX_ERR;
    ps->pos = save;
    settle(ps, start, &v);
    *out = v;
    return 1;
}

/* Checks the value at pos, the first member of an object whose key names escape `kind`, and moves past it; when
 * it is an object, `in` gets what the escape reads from it (else in->count is 0 and in->at all 0). */
static int scan_escape_value(parser *ps, int depth, int kind, object_scan *in) {
    memset(in, 0, sizeof *in);
    if (ps->pos < ps->n && ps->s[ps->pos] == '{' && kind != ESC_EXPR)
        return scan_object(ps, depth + 1, kind == ESC_ENTITY ? entity_keys : extn_keys, in, NULL);
    return skip_value(ps, depth + 1);
}

/* An object whose one member is escape `kind`, with its value at `value` and that value's scan in `in`: 1
 * built, 0 not that escape's shape (so an ordinary record), or an error. Schema-less, the inside needs two or
 * more members (as Swift's reader); where the schema expects the escape's type, any. */
static int build_escape(parser *ps, int depth, const uint8_t *ty, size_t start, int kind, size_t value,
                        const object_scan *in, vigil_val *out) {
    if (kind == ESC_EXPR) return ps->s[value] == '"' ? CTX_ERR : 0;  /* Cedar removed `__expr` in version 3 */
    if (ps->s[value] != '{') return 0;
    if (kind == ESC_ENTITY) {
        if (in->count < 2 && !(ty && ty[0] == VIGIL_T_ENTITY)) return 0;
        return build_entity(ps, start, in->at[0], in->at[1], out);
    }
    if (in->count < 2 && constructor_of(ty) < 0) return 0;
    return build_extn(ps, depth, start, in->at[0], in->at[1], in->at[2], out);
}

/* Where the schema expects an entity or an extension value: the escapes, then the bare forms {"type", "id"} and
 * {"fn", "arg" | "args"}. 1 built (pos after the object), 0 an ordinary record after all (pos unchanged), or an
 * error. */
static int build_typed_object(parser *ps, int depth, const uint8_t *ty, vigil_val *out) {
    size_t start = ps->rd->rd_top, open = ps->pos;
    int entity = ty[0] == VIGIL_T_ENTITY;
    object_scan sc, in;
    int rc = scan_object(ps, depth, entity ? entity_keys : extn_keys, &sc, &in);
    if (rc) return rc;
    size_t end = ps->pos;
    if (sc.count == 1 && sc.first_key) rc = build_escape(ps, depth, ty, start, sc.first_key, sc.first_value, &in, out);
    if (rc == 0) rc = entity ? build_entity(ps, start, sc.at[0], sc.at[1], out)
                             : build_extn(ps, depth, start, sc.at[0], sc.at[1], sc.at[2], out);
    ps->pos = rc == 1 ? end : open;
    return rc;
}

/* The compact spellings of the two escapes, `{"__extn":{"fn":"ip","arg":"10.0.0.1"}}` and
 * `{"__entity":{"type":"User","id":"alice"}}` with no spaces and plain strings, are recognised in place: the
 * general path below scans such an object twice before building it, and it gives the same value (an object whose
 * one member is the escape, the inner object with exactly those two members, in that order). 1 built, 0 not this
 * spelling (nothing consumed), or an error. */
static int compact_escape(parser *ps, int depth, vigil_val *out) {
    static const char extn[] = "{\"__extn\":{\"fn\":", arg[] = ",\"arg\":";
    static const char entity[] = "{\"__entity\":{\"type\":", id[] = ",\"id\":";
    /* The general path reads the inner members two levels down: near the nesting limit, leave it the error. */
    if (depth + 2 > VIGIL__MAX_DEPTH) return 0;
    size_t left = ps->n - ps->pos;
    int is_extn = left > sizeof extn && memcmp(ps->s + ps->pos, extn, sizeof extn - 1) == 0;
    if (!is_extn && !(left > sizeof entity && memcmp(ps->s + ps->pos, entity, sizeof entity - 1) == 0)) return 0;
    const char *second = is_extn ? arg : id;
    size_t second_len = is_extn ? sizeof arg - 1 : sizeof id - 1;
    parser q = *ps;
    q.pos += is_extn ? sizeof extn - 1 : sizeof entity - 1;
    const uint8_t *b, *fb;
    uint32_t l, fl;
    size_t first_at = q.pos;
    if (!plain_string(&q, &fb, &fl)) return 0;
    if (q.n - q.pos < second_len || memcmp(q.s + q.pos, second, second_len) != 0) return 0;
    q.pos += second_len;
    size_t second_at = q.pos;
    if (!plain_string(&q, &b, &l)) return 0;
    if (q.n - q.pos < 2 || q.s[q.pos] != '}' || q.s[q.pos + 1] != '}') return 0;
    size_t start = ps->rd->rd_top;
    if (is_extn && fl == 2 && fb[0] == 'i' && fb[1] == 'p') {
        /* `ip` of a plain string, the usual escape: what build_extn computes (the call on the string's bytes),
         * straight from the input. */
        uint8_t *v = vigil__alloc(ps->rd, 19);
        if (!v) return VIGIL_E_LIMIT;
        if (!vigil__ip_parse(b, l, v)) return CTX_ERR;
        *out = (vigil_val){ v, 19 };
        ps->pos = q.pos + 2;
        return 1;
    }
    int rc = is_extn ? build_extn(ps, depth, start, first_at, second_at, 0, out)
                     : build_entity(ps, start, first_at, second_at, out);
    if (rc == 1) ps->pos = q.pos + 2;
    return rc;
}

/* A member's name id and declared type: remembered by depth and position (rd_keys) when the key is the same as
 * last time there, under the same descriptor of the same snapshot. Only descriptors in the plan buffer are
 * remembered (a raw plan's lies in the map), and only stored names (a temporary id is this request's own). */
static int member_key(parser *ps, int depth, uint32_t at, const uint8_t *ty, const uint8_t *key, uint32_t klen,
                      uint32_t *id, const uint8_t **field) {
    vigil__reader *rd = ps->rd;
    int keep = depth < VIGIL__KEY_DEPTHS && at < VIGIL__KEY_SLOTS && klen <= VIGIL__KEY_LEN &&
               (!ty || (ty >= rd->rd_plan_buf && ty < rd->rd_plan_buf + VIGIL__PLAN_BYTES));
    vigil__key_memo *m = keep ? &rd->rd_keys[depth][at] : NULL;
    if (m && m->km_epoch == rd->rd_epoch && m->km_plan_epoch == rd->rd_plan_epoch && m->km_type == ty &&
        m->km_len == klen && vigil__bytes_eq(m->km_bytes, key, klen)) {
        *id = m->km_id;
        *field = m->km_field;
        return VIGIL_OK;
    }
    int rc = vigil__name_id(rd, key, klen, id);
    if (rc) return rc;
    *field = field_type(ty, *id);
    if (m && *id < VIGIL_TEMP_ID_BASE) {
        *m = (vigil__key_memo){ rd->rd_epoch, rd->rd_plan_epoch, ty, *field, *id, klen, { 0 } };
        memcpy(m->km_bytes, key, klen);
    }
    return VIGIL_OK;
}

/* Makes the `count` members at [start + 9, top), each a u32 name id and its value in input order, the canonical
 * record at start (its 9 header bytes were kept free for this). Members that arrived in ascending id order are
 * already in place; others are laid out again in id order through one copy above. A repeated key is an error. */
static int finish_record(parser *ps, size_t start, uint32_t count, int ascending, vigil_val *out) {
    vigil__reader *rd = ps->rd;
    size_t body = rd->rd_top - start - 9;
    if (body > UINT32_MAX - 9) return VIGIL_E_LIMIT;
    if (!ascending) {
        typedef struct { uint32_t id, off, len; } member;
        member *m = vigil__alloc_aligned(rd, sizeof(member) * count);
        if (!m) return VIGIL_E_LIMIT;
        size_t at = start + 9;
        for (uint32_t i = 0; i < count; i++) {
            uint32_t len = 4 + vigil__value_size(rd->rd_arena + at + 4);
            member x = { vigil__rd32(rd->rd_arena + at), (uint32_t)at, len };
            uint32_t j = i;                    /* insertion sort: records are small */
            for (; j > 0 && m[j - 1].id > x.id; j--) m[j] = m[j - 1];
            if (j > 0 && m[j - 1].id == x.id) return CTX_ERR;
            m[j] = x;
            at += len;
        }
        uint8_t *sorted = vigil__alloc(rd, body);
        if (!sorted) return VIGIL_E_LIMIT;
        size_t k = 0;
        for (uint32_t i = 0; i < count; i++) {
            memcpy(sorted + k, rd->rd_arena + m[i].off, m[i].len);
            k += m[i].len;
        }
        memcpy(rd->rd_arena + start + 9, sorted, body);
    }
    uint8_t *p = rd->rd_arena + start;
    p[0] = VIGIL_V_RECORD;
    vigil__wr32(p + 1, count);
    vigil__wr32(p + 5, (uint32_t)body);
    rd->rd_top = start + 9 + body;
    *out = (vigil_val){ p, (uint32_t)(9 + body) };
    return VIGIL_OK;
}

/* An object in one pass: each member's name id and value go back to back after room for the header, then
 * finish_record makes them the canonical record. A first key that names an escape is looked at twice: only an
 * object with that one member is the escape. */
static int build_object(parser *ps, int depth, const uint8_t *ty, vigil_val *out) {
    size_t start = ps->rd->rd_top;
    int rc, escapes = 1;
    if ((rc = compact_escape(ps, depth, out))) return rc < 0 ? rc : VIGIL_OK;
    if (ty && (ty[0] == VIGIL_T_ENTITY || constructor_of(ty) >= 0)) {
        if ((rc = build_typed_object(ps, depth, ty, out))) return rc < 0 ? rc : VIGIL_OK;
        ty = NULL;                             /* not a record type: its members are schema-less */
        escapes = 0;                           /* and its escapes were tried */
    }
    if (!vigil__alloc(ps->rd, 9)) return VIGIL_E_LIMIT;
    uint32_t count = 0, last = 0;
    int ascending = 1;
    ps->pos++;
    skip_ws(ps);
    if (ps->pos < ps->n && ps->s[ps->pos] == '}') ps->pos++;
    else for (;;) {
        size_t mark = ps->rd->rd_top;
        const uint8_t *key, *field = NULL;
        uint32_t klen, id;
        skip_ws(ps);
        if ((rc = string_bytes(ps, &key, &klen))) return rc;
        int kind = count == 0 && escapes ? escape_kind(key, klen) : ESC_NONE;
        if (kind == ESC_NONE && (rc = member_key(ps, depth, count, ty, key, klen, &id, &field))) return rc;
        ps->rd->rd_top = mark;
        skip_ws(ps);
        if (ps->pos >= ps->n || ps->s[ps->pos] != ':') return CTX_ERR;
        ps->pos++;
        skip_ws(ps);
        if (kind != ESC_NONE) {
            size_t value = ps->pos;
            object_scan in;
            if ((rc = scan_escape_value(ps, depth, kind, &in))) return rc;
            skip_ws(ps);
            if (ps->pos < ps->n && ps->s[ps->pos] == '}') {
                size_t end = ps->pos + 1;
                if ((rc = build_escape(ps, depth, ty, start, kind, value, &in, out))) {
                    ps->pos = end;
                    return rc < 0 ? rc : VIGIL_OK;
                }
            }
            /* An ordinary member named like an escape. */
            ps->pos = value;
            const char *name = kind == ESC_ENTITY ? "__entity" : kind == ESC_EXTN ? "__extn" : "__expr";
            if ((rc = vigil__name_id(ps->rd, (const uint8_t *)name, strlen(name), &id))) return rc;
            field = field_type(ty, id);
        }
        uint8_t *idp = vigil__alloc(ps->rd, 4);
        if (!idp) return VIGIL_E_LIMIT;
        vigil__wr32(idp, id);
        if (count > 0 && id <= last) ascending = 0;
        last = id;
        vigil_val v;
        if ((rc = build_value(ps, depth + 1, field, &v))) return rc;
        count++;
        skip_ws(ps);
        if (ps->pos >= ps->n) return CTX_ERR;
        if (ps->s[ps->pos] == ',') { ps->pos++; continue; }
        if (ps->s[ps->pos] == '}') { ps->pos++; break; }
        return CTX_ERR;
    }
    return finish_record(ps, start, count, ascending, out);
}

static int build_array(parser *ps, int depth, const uint8_t *ty, vigil_val *out) {
    size_t start = ps->rd->rd_top;
    const uint8_t *elem = ty && ty[0] == VIGIL_T_SET ? ty + 1 : NULL;
    uint32_t count = 0;
    int rc;
    ps->pos++;
    skip_ws(ps);
    if (ps->pos < ps->n && ps->s[ps->pos] == ']') ps->pos++;
    else for (;;) {
        vigil_val v;
        if ((rc = build_value(ps, depth + 1, elem, &v))) return rc;
        count++;
        skip_ws(ps);
        if (ps->pos >= ps->n) return CTX_ERR;
        if (ps->s[ps->pos] == ',') { ps->pos++; continue; }
        if (ps->s[ps->pos] == ']') { ps->pos++; break; }
        return CTX_ERR;
    }
    /* The elements lie back to back from start; index them, then build the canonical set. */
    vigil_val *elems = vigil__alloc_aligned(ps->rd, sizeof(vigil_val) * (count ? count : 1));
    if (!elems) return VIGIL_E_LIMIT;
    const uint8_t *q = ps->rd->rd_arena + start;
    for (uint32_t i = 0; i < count; i++) {
        elems[i].p = q;
        elems[i].n = vigil__value_size(q);
        q += elems[i].n;
    }
    vigil_val set;
    if ((rc = vigil__set_build(ps->rd, elems, count, &set))) return rc;
    settle(ps, start, &set);
    *out = set;
    return VIGIL_OK;
}

static int build_value(parser *ps, int depth, const uint8_t *ty, vigil_val *out) {
    if (depth > VIGIL__MAX_DEPTH) return CTX_ERR;
    skip_ws(ps);
    if (ps->pos >= ps->n) return CTX_ERR;
    uint8_t c = ps->s[ps->pos];
    if (c == '{') return build_object(ps, depth, ty, out);
    if (c == '[') return build_array(ps, depth, ty, out);
    int ctor = constructor_of(ty);
    if (c == '"' && ctor >= 0) {
        /* The implicit constructor of an expected extension type (IDX-T001: an invalid string is an error). */
        size_t start = ps->rd->rd_top;
        vigil_val arg;
        int rc = build_value(ps, depth, NULL, &arg);
        if (rc) return rc;
        if (vigil__ext_call(ps->rd, (uint32_t)ctor, &arg, 1, out)) return CTX_ERR;
        settle(ps, start, out);
        return VIGIL_OK;
    }
    const uint8_t *plain;
    uint32_t l;
    if (c == '"' && plain_string(ps, &plain, &l)) {
        uint8_t *p = vigil__alloc(ps->rd, 5 + (size_t)l);
        if (!p) return VIGIL_E_LIMIT;
        p[0] = VIGIL_V_STRING;
        vigil__wr32(p + 1, l);
        memcpy(p + 5, plain, l);
        out->p = p;
        out->n = 5 + l;
        return VIGIL_OK;
    }
    if (c == '"') {
        size_t save = ps->pos;
        int rc = read_string(ps, NULL, &l);
        if (rc) return rc;
        uint8_t *p = vigil__alloc(ps->rd, 5 + (size_t)l);
        if (!p) return VIGIL_E_LIMIT;
        ps->pos = save;
        read_string(ps, p + 5, &l);
        p[0] = VIGIL_V_STRING;
        vigil__wr32(p + 1, l);
        out->p = p;
        out->n = 5 + l;
        return VIGIL_OK;
    }
    if (lit(ps, "true") || lit(ps, "false")) {
        uint8_t *p = vigil__alloc(ps->rd, 2);
        if (!p) return VIGIL_E_LIMIT;
        p[0] = VIGIL_V_BOOL;
        p[1] = ps->s[ps->pos - 1] == 'e' && ps->s[ps->pos - 2] == 'u';
        out->p = p;
        out->n = 2;
        return VIGIL_OK;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        /* Only integers that fit in 64 bits are Cedar values (a fraction or an exponent is an error too);
         * accumulate negatively to reach INT64_MIN. */
        int neg = c == '-';
        size_t d0 = ps->pos + (size_t)neg, i = d0;
        int64_t v = 0;
        for (; i < ps->n && ps->s[i] >= '0' && ps->s[i] <= '9'; i++)
            if (__builtin_mul_overflow(v, (int64_t)10, &v) || __builtin_sub_overflow(v, (int64_t)(ps->s[i] - '0'), &v))
                return CTX_ERR;
        if (i == d0 || (i - d0 > 1 && ps->s[d0] == '0')) return CTX_ERR;
        if (i < ps->n && (ps->s[i] == '.' || ps->s[i] == 'e' || ps->s[i] == 'E')) return CTX_ERR;
        if (!neg) {
            if (v == INT64_MIN) return CTX_ERR;
            v = -v;
        }
        ps->pos = i;
        return vigil__make_long(ps->rd, v, VIGIL_V_LONG, out);
    }
    return CTX_ERR;                            /* null, or not JSON */
}

int vigil__context_parse(vigil__reader *rd, const char *json, size_t len, const uint8_t *type, vigil_val *out) {
    if (len > VIGIL__CONTEXT_MAX) return VIGIL_E_CONTEXT;
    parser ps = { rd, (const uint8_t *)json, len, 0 };
    skip_ws(&ps);
    if (ps.pos >= ps.n || ps.s[ps.pos] != '{') return VIGIL_E_CONTEXT;
    int rc = build_value(&ps, 0, type, out);
    if (rc) return rc;
    skip_ws(&ps);
    if (ps.pos != ps.n) return VIGIL_E_CONTEXT;
    if (out->p[0] != VIGIL_V_RECORD) return VIGIL_E_CONTEXT; /* a lone escape is not a record */
    return VIGIL_OK;
}
