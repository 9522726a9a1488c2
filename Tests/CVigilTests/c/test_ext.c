/* test_ext.c — the extension parsers against the cedarpy-checked tables the Swift parsers pass (ext_cases.h). */
#include "testing.h"
#include "ext_cases.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int ip(const char *s, uint8_t out[19]) { return vigil__ip_parse((const uint8_t *)s, strlen(s), out); }

static void test_ip(void) {
    for (size_t i = 0; i < COUNT(ip_cases); i++) {
        uint8_t v[19];
        int ok = ip(ip_cases[i].s, v);
        if (ok != ip_cases[i].valid) fprintf(stderr, "ip case `%s`\n", ip_cases[i].s);
        CHECK_EQ(ok, ip_cases[i].valid);
        if (!ok) continue;
        CHECK_EQ(v[1] == 4, ip_cases[i].v4);
        CHECK_EQ(vigil__value_check(v, 19, 1), 19);
        /* The predicates through the call path, as the VM makes them. */
        vigil_val arg = { v, 19 }, r;
        CHECK_EQ(vigil__ext_call(NULL, EXT_IS_LOOPBACK, &arg, 1, &r), 0);
        CHECK_EQ(r.p[1], ip_cases[i].loopback);
        CHECK_EQ(vigil__ext_call(NULL, EXT_IS_MULTICAST, &arg, 1, &r), 0);
        CHECK_EQ(r.p[1], ip_cases[i].multicast);
        CHECK_EQ(vigil__ext_call(NULL, EXT_IS_IPV6, &arg, 1, &r), 0);
        CHECK_EQ(r.p[1], !ip_cases[i].v4);
    }
    for (size_t i = 0; i < COUNT(ip_eq_cases); i++) {
        uint8_t a[19], b[19];
        CHECK(ip(ip_eq_cases[i].a, a) && ip(ip_eq_cases[i].b, b));
        CHECK_EQ(memcmp(a, b, 19) == 0, ip_eq_cases[i].expect);   /* canonical: equality is bytes */
    }
    for (size_t i = 0; i < COUNT(ip_range_cases); i++) {
        uint8_t a[19], b[19];
        CHECK(ip(ip_range_cases[i].a, a) && ip(ip_range_cases[i].b, b));
        vigil_val args[2] = { { a, 19 }, { b, 19 } }, r;
        CHECK_EQ(vigil__ext_call(NULL, EXT_IS_IN_RANGE, args, 2, &r), 0);
        if (r.p[1] != ip_range_cases[i].expect) fprintf(stderr, "range case %s in %s\n", ip_range_cases[i].a,
                ip_range_cases[i].b);
        CHECK_EQ(r.p[1], ip_range_cases[i].expect);
    }
}

/* isInRange as Cedar defines it, byte by byte: each address's network (host bits cleared) and broadcast (host
 * bits set) over its family's width, and a's range inside b's. The evaluator compares words instead. */
static int range_reference(const uint8_t *a, const uint8_t *b) {
    if (a[1] != b[1]) return 0;
    int width = a[1] == 4 ? 4 : 16;
    uint8_t lo[2][16] = { { 0 } }, hi[2][16] = { { 0 } };
    const uint8_t *ip[2] = { a, b };
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < width; k++) {
            int bits = ip[s][2] - 8 * k;
            uint8_t mask = bits >= 8 ? 0xFF : bits <= 0 ? 0 : (uint8_t)(0xFF << (8 - bits));
            lo[s][k] = ip[s][3 + k] & mask;
            hi[s][k] = ip[s][3 + k] | (uint8_t)~mask;
        }
    return memcmp(lo[1], lo[0], 16) <= 0 && memcmp(hi[0], hi[1], 16) <= 0;
}

/* The dotted IPv4 fast path: exact bytes of what it accepts, and the near misses it leaves to the general parser
 * (which refuses them); then isInRange on random ranges that share leading bits, against the reference. */
static void test_ip_fast(void) {
    uint8_t v[19];
    static const uint8_t want[19] = { VIGIL_V_IPADDR, 4, 24, 10, 72, 40, 108 };
    CHECK(ip("10.72.40.108/24", v) && memcmp(v, want, 19) == 0);
    CHECK(ip("10.72.40.108", v) && v[2] == 32 && v[6] == 108 && v[18] == 0);
    CHECK(ip("0.0.0.0/0", v) && v[2] == 0);
    CHECK(ip("1.2.3.4/9", v) && v[2] == 9);
    static const char *const bad[] = {
        "1.2.3.4/3a", "1.2.3.4a", "1234.1.1.1", "1.2.3.256", "1.2.3.4/33", "1.2.3.4/320", "1.2.3.4//8", "1..2.3",
        "1.2.3.", ".1.2.3", "1.2.3.4.", "00.1.2.3", "1.2.3.4/00", "1.2.3.4/1/", "", "1.2.3.4:80", "1.2.3.4/ 8",
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        if (ip(bad[i], v)) fprintf(stderr, "ip `%s` accepted\n", bad[i]);
        CHECK(!ip(bad[i], v));
    }
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 20000; i++) {
        uint8_t a[19] = { VIGIL_V_IPADDR }, b[19] = { VIGIL_V_IPADDR };
        int v4 = i % 2, width = v4 ? 4 : 16, bits = 8 * width;
        a[1] = b[1] = (uint8_t)(v4 ? 4 : 6);
        for (int k = 0; k < width; k++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            /* Mostly equal bytes, so that ranges nest, touch and overlap rather than miss. */
            a[3 + k] = (uint8_t)x;
            b[3 + k] = (x >> 8) % 4 ? (uint8_t)x : (uint8_t)(x >> 16);
        }
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        a[2] = (uint8_t)((x >> 24) % (unsigned)(bits + 1));
        b[2] = (uint8_t)((x >> 40) % (unsigned)(bits + 1));
        vigil_val args[2] = { { a, 19 }, { b, 19 } }, r;
        CHECK_EQ(vigil__ext_call(NULL, EXT_IS_IN_RANGE, args, 2, &r), 0);
        CHECK_EQ(r.p[1], range_reference(a, b));
    }
}

static void test_numbers(void) {
    int64_t v;
    for (size_t i = 0; i < COUNT(decimal_cases); i++) {
        int ok = vigil__decimal_parse((const uint8_t *)decimal_cases[i].s, strlen(decimal_cases[i].s), &v);
        if (ok != decimal_cases[i].valid) fprintf(stderr, "decimal case `%s`\n", decimal_cases[i].s);
        CHECK_EQ(ok, decimal_cases[i].valid);
        if (ok && decimal_cases[i].valid) CHECK_EQ(v, decimal_cases[i].v);
    }
    for (size_t i = 0; i < COUNT(datetime_cases); i++) {
        int ok = vigil__datetime_parse((const uint8_t *)datetime_cases[i].s, strlen(datetime_cases[i].s), &v);
        if (ok != datetime_cases[i].valid) fprintf(stderr, "datetime case `%s`\n", datetime_cases[i].s);
        CHECK_EQ(ok, datetime_cases[i].valid);
        if (ok && datetime_cases[i].valid) CHECK_EQ(v, datetime_cases[i].v);
    }
    for (size_t i = 0; i < COUNT(duration_cases); i++) {
        int ok = vigil__duration_parse((const uint8_t *)duration_cases[i].s, strlen(duration_cases[i].s), &v);
        if (ok != duration_cases[i].valid) fprintf(stderr, "duration case `%s`\n", duration_cases[i].s);
        CHECK_EQ(ok, duration_cases[i].valid);
        if (ok && duration_cases[i].valid) CHECK_EQ(v, duration_cases[i].v);
    }
}

/* Calls on values built in a scratch buffer (the calls that allocate need a reader, so these use fixed ones). */
static void test_calls(vigil__reader *rd) {
    uint8_t dt[9], du[9], s[16];
    vigil_val r;
    vigil_val a[2];
    for (size_t i = 0; i < COUNT(day_cases); i++) {
        dt[0] = VIGIL_V_DATETIME;
        vigil__wr64(dt + 1, day_cases[i].ms);
        a[0] = (vigil_val){ dt, 9 };
        int kind = vigil__ext_call(rd, EXT_TO_DATE, a, 1, &r);
        CHECK_EQ(kind == 0, day_cases[i].ok);
        if (!kind) { CHECK_EQ(r.p[0], VIGIL_V_DATETIME); CHECK_EQ(vigil__rdi64(r.p + 1), day_cases[i].date); }
        if (kind) CHECK_EQ(kind, VIGIL_ERR_OVERFLOW);
        CHECK_EQ(vigil__ext_call(rd, EXT_TO_TIME, a, 1, &r), 0);
        CHECK_EQ(r.p[0], VIGIL_V_DURATION);
        CHECK_EQ(vigil__rdi64(r.p + 1), day_cases[i].time);
    }
    for (size_t i = 0; i < COUNT(offset_cases); i++) {
        dt[0] = VIGIL_V_DATETIME; vigil__wr64(dt + 1, offset_cases[i].a);
        du[0] = VIGIL_V_DURATION; vigil__wr64(du + 1, offset_cases[i].b);
        a[0] = (vigil_val){ dt, 9 }; a[1] = (vigil_val){ du, 9 };
        int kind = vigil__ext_call(rd, EXT_OFFSET, a, 2, &r);
        CHECK_EQ(kind == 0, offset_cases[i].ok);
        if (!kind) CHECK_EQ(vigil__rdi64(r.p + 1), offset_cases[i].r);
    }
    for (size_t i = 0; i < COUNT(since_cases); i++) {
        uint8_t d2[9];
        dt[0] = d2[0] = VIGIL_V_DATETIME;
        vigil__wr64(dt + 1, since_cases[i].a);
        vigil__wr64(d2 + 1, since_cases[i].b);
        a[0] = (vigil_val){ dt, 9 }; a[1] = (vigil_val){ d2, 9 };
        int kind = vigil__ext_call(rd, EXT_DURATION_SINCE, a, 2, &r);
        CHECK_EQ(kind == 0, since_cases[i].ok);
        if (!kind) { CHECK_EQ(r.p[0], VIGIL_V_DURATION); CHECK_EQ(vigil__rdi64(r.p + 1), since_cases[i].r); }
    }
    for (size_t i = 0; i < COUNT(conversion_cases); i++) {
        du[0] = VIGIL_V_DURATION;
        vigil__wr64(du + 1, conversion_cases[i].ms);
        a[0] = (vigil_val){ du, 9 };
        int64_t want[5] = { conversion_cases[i].days, conversion_cases[i].hours, conversion_cases[i].minutes,
                            conversion_cases[i].seconds, conversion_cases[i].ms };
        for (int k = 0; k < 5; k++) {
            CHECK_EQ(vigil__ext_call(rd, EXT_TO_DAYS + (uint32_t)k, a, 1, &r), 0);
            CHECK_EQ(r.p[0], VIGIL_V_LONG);
            CHECK_EQ(vigil__rdi64(r.p + 1), want[k]);
        }
    }
    /* Constructors: a bad string is an extension error; a wrong type or count is a type or arity error. */
    s[0] = VIGIL_V_STRING; vigil__wr32(s + 1, 3); memcpy(s + 5, "1.5", 3);
    a[0] = (vigil_val){ s, 8 };
    CHECK_EQ(vigil__ext_call(rd, EXT_DECIMAL, a, 1, &r), 0);
    CHECK_EQ(r.p[0], VIGIL_V_DECIMAL);
    CHECK_EQ(vigil__rdi64(r.p + 1), 15000);
    vigil_val d15 = r;
    CHECK_EQ(vigil__ext_call(rd, EXT_IP, a, 1, &r), VIGIL_ERR_EXTENSION);
    CHECK_EQ(vigil__ext_call(rd, EXT_DATETIME, a, 1, &r), VIGIL_ERR_EXTENSION);
    CHECK_EQ(vigil__ext_call(rd, EXT_DURATION, a, 1, &r), VIGIL_ERR_EXTENSION);
    CHECK_EQ(vigil__ext_call(rd, EXT_DECIMAL, a, 2, &r), VIGIL_ERR_ARITY);
    CHECK_EQ(vigil__ext_call(rd, EXT_IS_IPV4, a, 1, &r), VIGIL_ERR_TYPE);
    a[0] = d15;
    CHECK_EQ(vigil__ext_call(rd, EXT_DECIMAL, a, 1, &r), VIGIL_ERR_TYPE);
    a[1] = d15;
    CHECK_EQ(vigil__ext_call(rd, EXT_LESS_THAN_OR_EQUAL, a, 2, &r), 0);
    CHECK_EQ(r.p[1], 1);
    CHECK_EQ(vigil__ext_call(rd, EXT_LESS_THAN, a, 2, &r), 0);
    CHECK_EQ(r.p[1], 0);
    CHECK_EQ(vigil__ext_call(rd, EXT_GREATER_THAN_OR_EQUAL, a, 2, &r), 0);
    CHECK_EQ(r.p[1], 1);
    CHECK_EQ(vigil__ext_call(rd, EXT_LESS_THAN, a, 1, &r), VIGIL_ERR_ARITY);
    CHECK_EQ(vigil__ext_lookup((const uint8_t *)"durationSince", 13), EXT_DURATION_SINCE);
    CHECK_EQ(vigil__ext_lookup((const uint8_t *)"unknown", 7), -1);
}

void test_ext(void) {
    test_ip();
    test_ip_fast();
    test_numbers();
    /* Calls that build values need a reader's arena. */
    t_with_empty_index(test_calls);
}
