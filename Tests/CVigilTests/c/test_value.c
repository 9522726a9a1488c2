/* test_value.c — checking encodings, canonical sets and records, lookups and `like`. */
#include "testing.h"

static void test_check(void) {
    vb v = { .n = 0 };
    vb_long(&v, 5);
    CHECK_EQ(vigil__value_check(v.b, v.n, 64), 9);
    CHECK_EQ(vigil__value_check(v.b, 8, 64), 0);              /* truncated */
    v.n = 0;
    vb_str(&v, "héllo");
    CHECK_EQ(vigil__value_check(v.b, v.n, 64), 11);
    CHECK_EQ(vigil__value_check(v.b, 10, 64), 0);
    v.n = 0;
    vb_u8(&v, VIGIL_V_BOOL); vb_u8(&v, 2);
    CHECK_EQ(vigil__value_check(v.b, v.n, 64), 0);             /* not canonical */
    v.n = 0;
    vb_entity(&v, VIGIL_TEMP_ID_BASE);
    CHECK_EQ(vigil__value_check(v.b, v.n, 64), 0);             /* IDX-V004 */
    /* Sets: sorted, unique, count and length agree. */
    v.n = 0;
    size_t s = vb_begin(&v, VIGIL_V_SET, 2);
    vb_long(&v, 1); vb_long(&v, 2);
    vb_end(&v, s);
    CHECK_EQ(vigil__value_check(v.b, v.n, 64), v.n);
    CHECK_EQ(vigil__value_check(v.b, v.n, 0), 0);              /* nesting limit */
    vb w = v;
    w.b[10] = 2; w.b[19] = 1;                                  /* 2 before 1: unsorted */
    CHECK_EQ(vigil__value_check(w.b, w.n, 64), 0);
    w = v;
    w.b[19] = 1;                                                /* duplicate */
    CHECK_EQ(vigil__value_check(w.b, w.n, 64), 0);
    w = v;
    w.b[1] = 3;                                                 /* count disagrees */
    CHECK_EQ(vigil__value_check(w.b, w.n, 64), 0);
    w = v;
    w.b[5] = 200;                                               /* body past the end */
    CHECK_EQ(vigil__value_check(w.b, w.n, 64), 0);
    /* Records: ids ascending and unique. */
    v.n = 0;
    s = vb_begin(&v, VIGIL_V_RECORD, 2);
    vb_u32(&v, 3); vb_bool(&v, 1);
    vb_u32(&v, 7); vb_str(&v, "x");
    vb_end(&v, s);
    CHECK_EQ(vigil__value_check(v.b, v.n, 64), v.n);
    vigil_val rec = { v.b, (uint32_t)v.n }, f;
    CHECK(vigil__record_get(rec, 7, &f) && f.p[0] == VIGIL_V_STRING);
    CHECK(vigil__record_get(rec, 3, &f) && f.n == 2);
    CHECK(!vigil__record_get(rec, 5, &f));
    w = v;
    memcpy(w.b + 9 + 6, &(uint32_t){ 3 }, 4);                   /* second id equal to the first */
    CHECK_EQ(vigil__value_check(w.b, w.n, 64), 0);
    /* ipaddr: prefix in range, IPv4 tail zero. */
    uint8_t ipv[19];
    CHECK(vigil__ip_parse((const uint8_t *)"10.0.0.0/8", 10, ipv));
    CHECK_EQ(vigil__value_check(ipv, 19, 64), 19);
    ipv[2] = 33;
    CHECK_EQ(vigil__value_check(ipv, 19, 64), 0);
    /* Every byte string is answered, never crashes: all single bytes and short garbage. */
    uint8_t junk[16];
    for (int b = 0; b < 256; b++) {
        junk[0] = (uint8_t)b;
        for (int k = 1; k < 16; k++) junk[k] = (uint8_t)(b * 31 + k * 7);
        for (size_t n = 0; n <= 16; n++) (void)vigil__value_check(junk, n, 64);
    }
}

static void test_build(vigil__reader *rd) {
    /* Sets from any order are canonical: the same bytes whatever the input order, duplicates dropped. */
    vb v = { .n = 0 };
    vb_str(&v, "b"); vb_long(&v, 300); vb_str(&v, "a"); vb_long(&v, 2); vb_str(&v, "b");
    vigil_val e1[5], e2[5], s1, s2;
    const uint8_t *q = v.b;
    for (int i = 0; i < 5; i++) { e1[i].p = q; e1[i].n = vigil__value_size(q); q += e1[i].n; }
    for (int i = 0; i < 5; i++) e2[i] = e1[4 - i];
    CHECK_EQ(vigil__set_build(rd, e1, 5, &s1), VIGIL_OK);
    CHECK_EQ(vigil__set_build(rd, e2, 5, &s2), VIGIL_OK);
    CHECK(vigil__value_eq(s1, s2));
    CHECK_EQ(vigil__rd32(s1.p + 1), 4);
    CHECK_EQ(vigil__value_check(s1.p, s1.n, 64), s1.n);
    CHECK(vigil__set_contains(s1, e1[2]));
    uint8_t three[9] = { VIGIL_V_LONG, 3 };
    CHECK(!vigil__set_contains(s1, (vigil_val){ three, 9 }));
    /* Records: sorted by id; a duplicate id is refused. */
    uint32_t ids[3] = { 9, 2, 5 };
    vigil_val vals[3] = { e1[0], e1[1], e1[2] }, r;
    CHECK_EQ(vigil__record_build(rd, ids, vals, 3, &r), VIGIL_OK);
    CHECK_EQ(vigil__value_check(r.p, r.n, 64), r.n);
    vigil_val f;
    CHECK(vigil__record_get(r, 9, &f) && vigil__value_eq(f, e1[0]));
    uint32_t dup[2] = { 4, 4 };
    CHECK_EQ(vigil__record_build(rd, dup, vals, 2, &r), 1);
    /* Comparison: bytewise, a proper prefix first. */
    uint8_t a[3] = { 1, 2, 3 }, b[2] = { 1, 2 };
    CHECK(vigil__value_cmp((vigil_val){ b, 2 }, (vigil_val){ a, 3 }) < 0);
    CHECK(vigil__value_cmp((vigil_val){ a, 3 }, (vigil_val){ b, 2 }) > 0);
    CHECK(vigil__value_cmp((vigil_val){ a, 2 }, (vigil_val){ b, 2 }) == 0);
}

static int like(const char *s, const char *pat) {
    vb p = { .n = 0 };
    vb_pattern(&p, pat);
    return vigil__like((const uint8_t *)s, (uint32_t)strlen(s), p.b + 5, vigil__rd32(p.b + 1));
}

static void test_like(void) {
    CHECK(like("", ""));
    CHECK(like("", "*"));
    CHECK(!like("a", ""));
    CHECK(like("abc", "abc"));
    CHECK(like("abc", "a*"));
    CHECK(like("abc", "*c"));
    CHECK(like("abc", "*b*"));
    CHECK(like("abc", "a*b*c"));
    CHECK(!like("abc", "a*d"));
    CHECK(like("aaa", "a*a*a"));
    CHECK(!like("aa", "a*a*a"));
    CHECK(like("mississippi", "m*iss*ppi"));
    CHECK(!like("mississippi", "m*iss*ppx"));
    CHECK(like("été", "*t*"));
    CHECK(like("été", "\xc3\xa9*"));
    CHECK(!like("été", "e*"));            /* code points, not bytes: é is not e */
    CHECK(like("😀x", "*x"));
    CHECK(like("😀", "*"));
    CHECK(!like("\xff", "a"));            /* invalid UTF-8 only matches a wildcard */
    CHECK(like("\xff", "*"));
    CHECK(like("a*b", "a*b"));            /* the pattern's own star is a wildcard; strings hold literal stars */
}

/* vigil__bytes_eq against memcmp: every length to past its word paths, a difference at every position, and the
 * compared bytes at the very end of their buffers (so ASan sees any read past n). */
static void test_bytes_eq(void) {
    enum { MAX = 40 };
    uint8_t a[MAX], b[MAX];
    for (size_t n = 0; n <= MAX; n++) {
        uint8_t *x = a + MAX - n, *y = b + MAX - n;
        for (size_t i = 0; i < n; i++) x[i] = y[i] = (uint8_t)(i * 7 + n);
        CHECK(vigil__bytes_eq(x, y, n));
        for (size_t i = 0; i < n; i++) {
            y[i] ^= 0x10;
            CHECK_EQ(vigil__bytes_eq(x, y, n), memcmp(x, y, n) == 0);
            CHECK(!vigil__bytes_eq(x, y, n));
            y[i] ^= 0x10;
        }
    }
}

void test_value(void) {
    test_bytes_eq();
    test_check();
    test_like();
    t_with_empty_index(test_build);
}
