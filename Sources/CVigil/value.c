/* value.c — encoded values: checking index bytes, canonical order, building sets and records, `like`. */
#include "vigil_internal.h"

const uint8_t vigil__true_enc[2] = { VIGIL_V_BOOL, 1 };
const uint8_t vigil__false_enc[2] = { VIGIL_V_BOOL, 0 };

int vigil__value_cmp(vigil_val a, vigil_val b) {
    uint32_t n = a.n < b.n ? a.n : b.n;
    int c = memcmp(a.p, b.p, n);
    if (c != 0) return c;
    return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

/* Checks the elements of a Set or the fields of a Record: count, exact body length, order and uniqueness. */
static uint32_t check_body(const uint8_t *p, size_t n, int depth, int is_record) {
    if (n < 9 || depth <= 0) return 0;                       /* IDX-V003: header fits; nesting bounded */
    uint32_t count = vigil__rd32(p + 1), body = vigil__rd32(p + 5);
    if ((uint64_t)body + 9 > n) return 0;                    /* IDX-V003: body inside the enclosing value */
    const uint8_t *q = p + 9, *end = p + 9 + body;
    vigil_val prev = { NULL, 0 };
    uint32_t prev_id = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t id = 0;
        if (is_record) {
            if (end - q < 4) return 0;                       /* IDX-V003 */
            id = vigil__rd32(q);
            if (id >= VIGIL_TEMP_ID_BASE) return 0;          /* IDX-V004 */
            if (i > 0 && id <= prev_id) return 0;            /* IDX-V002: sorted by name id, unique */
            prev_id = id;
            q += 4;
        }
        uint32_t sz = vigil__value_check(q, (size_t)(end - q), depth - 1);
        if (sz == 0) return 0;
        vigil_val cur = { q, sz };
        if (!is_record && i > 0 && vigil__value_cmp(prev, cur) >= 0) return 0; /* IDX-V001: sorted, unique */
        prev = cur;
        q += sz;
    }
    if (q != end) return 0;                                  /* IDX-V003: the count and the length agree */
    return 9 + body;
}

uint32_t vigil__value_check(const uint8_t *p, size_t n, int depth) {
    if (n < 1) return 0;
    switch (p[0]) {
    case VIGIL_V_BOOL:
        return n >= 2 && p[1] <= 1 ? 2 : 0;
    case VIGIL_V_LONG: case VIGIL_V_DECIMAL: case VIGIL_V_DATETIME: case VIGIL_V_DURATION:
        return n >= 9 ? 9 : 0;
    case VIGIL_V_STRING: {
        if (n < 5) return 0;
        uint64_t len = vigil__rd32(p + 1);
        return len + 5 <= n ? (uint32_t)(len + 5) : 0;        /* IDX-V003 */
    }
    case VIGIL_V_ENTITY:
        if (n < 5 || vigil__rd32(p + 1) >= VIGIL_TEMP_ID_BASE) return 0; /* IDX-V004 */
        return 5;
    case VIGIL_V_SET: return check_body(p, n, depth, 0);
    case VIGIL_V_RECORD: return check_body(p, n, depth, 1);
    case VIGIL_V_IPADDR: {
        if (n < 19) return 0;
        if (p[1] == 4) {
            if (p[2] > 32) return 0;
            for (int i = 7; i < 19; i++) if (p[i] != 0) return 0; /* canonical: unused bytes zero */
            return 19;
        }
        return p[1] == 6 && p[2] <= 128 ? 19 : 0;
    }
    case VIGIL_V_PATTERN: {
        if (n < 5) return 0;
        uint64_t len = 5 + 4 * (uint64_t)vigil__rd32(p + 1);
        return len <= n ? (uint32_t)len : 0;                  /* IDX-V003 */
    }
    default:
        return 0;
    }
}

int vigil__make_long(vigil__reader *rd, int64_t v, uint8_t tag, vigil_val *out) {
    uint8_t *p = vigil__alloc(rd, 9);
    if (!p) return VIGIL_E_LIMIT;
    p[0] = tag;
    vigil__wr64(p + 1, v);
    out->p = p;
    out->n = 9;
    return VIGIL_OK;
}

int vigil__make_entity(vigil__reader *rd, uint32_t eid, vigil_val *out) {
    uint8_t *p = vigil__alloc(rd, 5);
    if (!p) return VIGIL_E_LIMIT;
    p[0] = VIGIL_V_ENTITY;
    vigil__wr32(p + 1, eid);
    out->p = p;
    out->n = 5;
    return VIGIL_OK;
}

/* Shell sort: in place, no allocation (qsort may call malloc), and fast enough for the small sets of requests. */
static void sort_vals(vigil_val *v, uint32_t n) {
    static const uint32_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        uint32_t gap = gaps[g];
        for (uint32_t i = gap; i < n; i++) {
            vigil_val t = v[i];
            uint32_t j = i;
            for (; j >= gap && vigil__value_cmp(v[j - gap], t) > 0; j -= gap) v[j] = v[j - gap];
            v[j] = t;
        }
    }
}

int vigil__set_build(vigil__reader *rd, vigil_val *elems, uint32_t count, vigil_val *out) {
    sort_vals(elems, count);
    uint64_t body = 0;
    uint32_t unique = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (i > 0 && vigil__value_eq(elems[i - 1], elems[i])) continue;
        body += elems[i].n;
        unique++;
    }
    if (body > UINT32_MAX - 9) return VIGIL_E_LIMIT;
    uint8_t *p = vigil__alloc(rd, 9 + (size_t)body);
    if (!p) return VIGIL_E_LIMIT;
    p[0] = VIGIL_V_SET;
    vigil__wr32(p + 1, unique);
    vigil__wr32(p + 5, (uint32_t)body);
    uint8_t *q = p + 9;
    for (uint32_t i = 0; i < count; i++) {
        if (i > 0 && vigil__value_eq(elems[i - 1], elems[i])) continue;
        memmove(q, elems[i].p, elems[i].n);  /* elements may live just below p in the arena */
        q += elems[i].n;
    }
    out->p = p;
    out->n = (uint32_t)(9 + body);
    return VIGIL_OK;
}

int vigil__record_build(vigil__reader *rd, uint32_t *ids, vigil_val *vals, uint32_t count, vigil_val *out) {
    /* Insertion sort by id: records are small, and this keeps ids and values paired without extra space. */
    for (uint32_t i = 1; i < count; i++) {
        uint32_t id = ids[i];
        vigil_val v = vals[i];
        uint32_t j = i;
        for (; j > 0 && ids[j - 1] > id; j--) { ids[j] = ids[j - 1]; vals[j] = vals[j - 1]; }
        ids[j] = id;
        vals[j] = v;
    }
    uint64_t body = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (i > 0 && ids[i - 1] == ids[i]) return 1;
        body += 4 + (uint64_t)vals[i].n;
    }
    if (body > UINT32_MAX - 9) return VIGIL_E_LIMIT;
    uint8_t *p = vigil__alloc(rd, 9 + (size_t)body);
    if (!p) return VIGIL_E_LIMIT;
    p[0] = VIGIL_V_RECORD;
    vigil__wr32(p + 1, count);
    vigil__wr32(p + 5, (uint32_t)body);
    uint8_t *q = p + 9;
    for (uint32_t i = 0; i < count; i++) {
        vigil__wr32(q, ids[i]);
        memmove(q + 4, vals[i].p, vals[i].n);
        q += 4 + vals[i].n;
    }
    out->p = p;
    out->n = (uint32_t)(9 + body);
    return VIGIL_OK;
}

/* vigil__value_cmp without a call for the short values sets mostly hold (entities, numbers, short strings). */
static inline int short_cmp(vigil_val a, vigil_val b) {
    uint32_t n = a.n < b.n ? a.n : b.n;
    if (n > 16) return vigil__value_cmp(a, b);
    for (uint32_t i = 0; i < n; i++)
        if (a.p[i] != b.p[i]) return a.p[i] < b.p[i] ? -1 : 1;
    return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

int vigil__set_contains(vigil_val set, vigil_val v) {
    uint32_t count;
    const uint8_t *q = vigil__set_first(set, &count);
    for (uint32_t i = 0; i < count; i++) {
        vigil_val e = { q, vigil__value_size(q) };
        int c = short_cmp(e, v);
        if (c == 0) return 1;
        if (c > 0) return 0;  /* sorted: nothing later can be equal */
        q += e.n;
    }
    return 0;
}

/* Decodes one UTF-8 code point at s (n > 0 bytes left); an invalid byte is one unit with a value no pattern
 * code point can have, so it only matches a wildcard. */
static uint32_t utf8_next(const uint8_t *s, uint32_t n, uint32_t *len) {
    uint8_t b = s[0];
    uint32_t need, cp;
    if (b < 0x80) { *len = 1; return b; }
    if (b >= 0xC2 && b <= 0xDF) { need = 1; cp = b & 0x1F; }
    else if (b >= 0xE0 && b <= 0xEF) { need = 2; cp = b & 0x0F; }
    else if (b >= 0xF0 && b <= 0xF4) { need = 3; cp = b & 0x07; }
    else { *len = 1; return 0xFFFFFFFEu; }
    if (n < need + 1) { *len = 1; return 0xFFFFFFFEu; }
    for (uint32_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80) { *len = 1; return 0xFFFFFFFEu; }
        cp = cp << 6 | (s[i] & 0x3F);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are not code points. */
    if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (need == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
        *len = 1;
        return 0xFFFFFFFEu;
    }
    *len = need + 1;
    return cp;
}

int vigil__like(const uint8_t *s, uint32_t slen, const uint8_t *pat, uint32_t count) {
    /* Greedy matching with one backtrack point: on a mismatch, the last `*` absorbs one more code point. */
    uint32_t si = 0, pi = 0, star_si = 0, len;
    int64_t star_pi = -1;
    while (si < slen) {
        uint32_t c = utf8_next(s + si, slen - si, &len);
        uint32_t pc = pi < count ? vigil__rd32(pat + 4 * (size_t)pi) : 0;
        if (pi < count && pc == VIGIL_WILDCARD) {
            star_pi = pi++;
            star_si = si;
        } else if (pi < count && pc == c) {
            si += len;
            pi++;
        } else if (star_pi >= 0) {
            pi = (uint32_t)star_pi + 1;
            utf8_next(s + star_si, slen - star_si, &len);
            star_si += len;
            si = star_si;
        } else {
            return 0;
        }
    }
    while (pi < count && vigil__rd32(pat + 4 * (size_t)pi) == VIGIL_WILDCARD) pi++;
    return pi == count;
}
