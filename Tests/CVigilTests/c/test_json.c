/* test_json.c — context JSON into canonical records (Cedar's schema-less JSON value format). */
#include "testing.h"

static vigil__reader *rd;
static uint32_t id_a, id_b, id_user, eid_alice, id_ip, id_who, id_when, id_ds;
static uint32_t id_empty;
static const uint8_t *directed;   /* the type descriptor parse() follows, or NULL */
/* What a field read that a failed CHECK left unset points at: zeros, so the checks after it fail, not crash. */
static const uint8_t unset[32];

static int parse(const char *json, vigil_val *out) {
    rd->rd_top = 0;
    rd->rd_pool_top = 0;
    rd->rd_tname_count = rd->rd_tent_count = 0;
    return vigil__context_parse(rd, json, strlen(json), directed, out);
}

static void refused(const char *json);

/* Schema-directed parsing with a ctx_types descriptor {ip: ipaddr, who: User, when: datetime, ds: Set<decimal>}. */
static void test_directed(void) {
    vb d = { .n = 0 };
    vb_u8(&d, VIGIL_T_RECORD); vb_u32(&d, 4);
    vb_u32(&d, id_ip); vb_u8(&d, 1); vb_u8(&d, VIGIL_T_IPADDR);
    vb_u32(&d, id_who); vb_u8(&d, 0); vb_u8(&d, VIGIL_T_ENTITY); vb_u32(&d, id_user);
    vb_u32(&d, id_when); vb_u8(&d, 0); vb_u8(&d, VIGIL_T_DATETIME);
    vb_u32(&d, id_ds); vb_u8(&d, 0); vb_u8(&d, VIGIL_T_SET); vb_u8(&d, VIGIL_T_DECIMAL);
    CHECK_EQ(vigil__type_check(d.b, d.n, 64), d.n);
    CHECK_EQ(vigil__type_check(d.b, d.n - 1, 64), 0);
    CHECK_EQ(vigil__type_check(d.b, d.n, 2), 0);             /* deeper than allowed */
    vb bad = d;
    memcpy(bad.b + 5, &id_ds, 4);                              /* first id no longer below the second */
    CHECK_EQ(vigil__type_check(bad.b, bad.n, 64), 0);
    bad = d;
    bad.b[0] = 11;
    CHECK_EQ(vigil__type_check(bad.b, bad.n, 64), 0);

    directed = d.b;
    vigil_val v, f = { unset, 0 };
    CHECK_EQ(parse("{\"ip\": \"10.0.0.1\", \"who\": {\"type\": \"User\", \"id\": \"alice\"}, \"when\": \"2024-01-01\", "
                   "\"ds\": [\"1.5\", \"1.50\", \"2.0\"], \"a\": \"10.0.0.1\"}", &v), 0);
    CHECK(vigil__record_get(v, id_ip, &f) && f.p[0] == VIGIL_V_IPADDR && f.p[1] == 4);
    CHECK(vigil__record_get(v, id_who, &f) && f.p[0] == VIGIL_V_ENTITY && vigil__rd32(f.p + 1) == eid_alice);
    CHECK(vigil__record_get(v, id_when, &f) && f.p[0] == VIGIL_V_DATETIME);
    CHECK_EQ(vigil__rdi64(f.p + 1), INT64_C(1704067200000));
    CHECK(vigil__record_get(v, id_ds, &f) && f.p[0] == VIGIL_V_SET);
    CHECK(vigil__rd32(f.p + 1) == 2 && f.p[9] == VIGIL_V_DECIMAL);
    CHECK(vigil__record_get(v, id_a, &f) && f.p[0] == VIGIL_V_STRING);   /* not in the type: schema-less */
    CHECK_EQ(vigil__value_check(v.p, v.n, 64), v.n);
    /* The escapes and the bare call form still work where an extension value is expected. */
    CHECK_EQ(parse("{\"ip\": {\"__extn\": {\"fn\": \"ip\", \"arg\": \"::1\"}}}", &v), 0);
    CHECK(vigil__record_get(v, id_ip, &f) && f.p[0] == VIGIL_V_IPADDR && f.p[1] == 6);
    CHECK_EQ(parse("{\"ip\": {\"fn\": \"ip\", \"arg\": \"::1\"}}", &v), 0);
    CHECK(vigil__record_get(v, id_ip, &f) && f.p[0] == VIGIL_V_IPADDR);
    CHECK_EQ(parse("{\"who\": {\"__entity\": {\"type\": \"User\", \"id\": \"alice\"}}}", &v), 0);
    CHECK(vigil__record_get(v, id_who, &f) && f.p[0] == VIGIL_V_ENTITY && vigil__rd32(f.p + 1) == eid_alice);
    CHECK_EQ(parse("{\"ip\": 5}", &v), 0);                  /* not a string: left as it is */
    CHECK(vigil__record_get(v, id_ip, &f) && f.p[0] == VIGIL_V_LONG);
    /* IDX-T001: a string that is not valid for the expected type is a context error. */
    refused("{\"ip\": \"10.0.0\"}");
    refused("{\"when\": \"yesterday\"}");
    refused("{\"ds\": [\"1.5\", \"x\"]}");
    refused("{\"who\": {\"type\": \"Us er\", \"id\": \"x\"}}");
    directed = NULL;
}

/* Parses and copies the encoding, so two results can be compared. */
static int parse_copy(const char *json, uint8_t *buf, uint32_t *n) {
    vigil_val v;
    int rc = parse(json, &v);
    if (rc) return rc;
    memcpy(buf, v.p, v.n);
    *n = v.n;
    return 0;
}

static void same(const char *x, const char *y, int expect) {
    static uint8_t a[65536], b[65536];
    uint32_t na = 0, nb = 0;
    CHECK_EQ(parse_copy(x, a, &na), 0);
    CHECK_EQ(parse_copy(y, b, &nb), 0);
    int eq = na == nb && memcmp(a, b, na) == 0;
    if (eq != expect) fprintf(stderr, "same(%s, %s) = %d\n", x, y, eq);
    CHECK_EQ(eq, expect);
}

static void refused(const char *json) {
    vigil_val v;
    int rc = parse(json, &v);
    if (rc != VIGIL_E_CONTEXT) fprintf(stderr, "expected refusal of %s, got %d\n", json, rc);
    CHECK_EQ(rc, VIGIL_E_CONTEXT);
}

void test_json(void) {
    tix t;
    tix_create(&t);
    id_a = tix_name(&t, "a");
    id_b = tix_name(&t, "b");
    id_user = tix_name(&t, "User");
    eid_alice = tix_entity(&t, "User", "alice", VIGIL_ENT_PRESENT, NULL, 0, NULL, NULL);
    id_ip = tix_name(&t, "ip");
    id_who = tix_name(&t, "who");
    id_when = tix_name(&t, "when");
    id_ds = tix_name(&t, "ds");
    id_empty = tix_name(&t, "");
    tix_header(&t, 1);
    tix_commit(&t);
    vigil_index *ix;
    CHECK_EQ(vigil_index_open(t.dir, 0, &ix), VIGIL_OK);
    rd = t_reader(ix);

    vigil_val v, f = { unset, 0 };
    CHECK_EQ(parse("{}", &v), 0);
    CHECK_EQ(v.n, 9);
    CHECK_EQ(parse(" {\"a\": 1, \"b\": [true, \"x\", -9223372036854775808]} ", &v), 0);
    CHECK_EQ(v.p[0], VIGIL_V_RECORD);
    CHECK_EQ(vigil__rd32(v.p + 1), 2);
    CHECK(vigil__record_get(v, id_a, &f) && f.p[0] == VIGIL_V_LONG && vigil__rdi64(f.p + 1) == 1);
    CHECK(vigil__record_get(v, id_b, &f) && f.p[0] == VIGIL_V_SET && vigil__rd32(f.p + 1) == 3);
    CHECK_EQ(vigil__value_check(v.p, v.n, 64), v.n);      /* canonical, and ids known to the index */

    /* Canonical: key order, element order and duplicates do not matter. */
    same("{\"a\": 1, \"b\": 2}", "{\"b\": 2, \"a\": 1}", 1);
    same("{\"b\": {\"b\": [], \"a\": \"x\"}, \"a\": {}}", "{\"a\": {}, \"b\": {\"a\": \"x\", \"b\": []}}", 1);
    same("{\"a\": [3, 1, 2, 1]}", "{\"a\": [1, 2, 3]}", 1);
    same("{\"a\": [[2, 1], {\"b\": \"\\u00e9\", \"a\": 0}]}", "{\"a\": [{\"a\": 0, \"b\": \"é\"}, [1, 2]]}", 1);
    same("{\"a\": \"\\ud83d\\ude00\"}", "{\"a\": \"😀\"}", 1);
    same("{\"\\u0061\": 1, \"b\\u00e9\": 2}", "{\"a\": 1, \"bé\": 2}", 1);   /* keys decoded too */
    same("{\"a\": 1}", "{\"a\": 2}", 0);
    same("{\"a\": \"1\"}", "{\"a\": 1}", 0);

    /* Entities: known uids get their eid; unknown ones a temporary id, the same one throughout the request. */
    CHECK_EQ(parse("{\"a\": {\"__entity\": {\"type\": \"User\", \"id\": \"alice\"}}}", &v), 0);
    CHECK(vigil__record_get(v, id_a, &f) && f.p[0] == VIGIL_V_ENTITY && vigil__rd32(f.p + 1) == eid_alice);
    CHECK_EQ(parse("{\"a\": {\"__entity\": {\"type\": \"User\", \"id\": \"zed\"}}, "
                   "\"b\": [{\"__entity\": {\"id\": \"zed\", \"type\": \"User\", \"extra\": 1}}]}", &v), 0);
    vigil_val g = { unset, 0 };
    CHECK(vigil__record_get(v, id_a, &f) && vigil__record_get(v, id_b, &g));
    CHECK(vigil__rd32(f.p + 1) >= VIGIL_TEMP_ID_BASE);
    CHECK_EQ(vigil__rd32(g.p + 9 + 1), vigil__rd32(f.p + 1));
    same("{\"a\": {\"__entity\": {\"type\": \"Team\", \"id\": \"x\"}}}",
            "{\"a\": {\"__entity\": {\"type\": \"Team\", \"id\": \"x\"}}}", 1);
    /* Not the escape's shape: an ordinary record. */
    CHECK_EQ(parse("{\"a\": {\"__entity\": {\"type\": \"User\"}}}", &v), 0);
    CHECK(vigil__record_get(v, id_a, &f) && f.p[0] == VIGIL_V_RECORD);
    CHECK_EQ(parse("{\"a\": {\"__entity\": {\"type\": \"User\", \"id\": \"alice\"}, \"b\": 1}}", &v), 0);
    CHECK(vigil__record_get(v, id_a, &f) && f.p[0] == VIGIL_V_RECORD && vigil__rd32(f.p + 1) == 2);
    refused("{\"a\": {\"__entity\": {\"type\": \"Us er\", \"id\": \"x\"}}}");
    refused("{\"a\": {\"__entity\": {\"type\": \"A::if\", \"id\": \"x\"}}}");
    refused("{\"a\": {\"__entity\": {\"type\": \"__cedar::A\", \"id\": \"x\"}}}");
    refused("{\"a\": {\"__entity\": {\"type\": \"A::\", \"id\": \"x\"}}}");

    /* Extension escapes: any function, `arg` or `args`. */
    CHECK_EQ(parse("{\"a\": {\"__extn\": {\"fn\": \"ip\", \"arg\": \"10.0.0.1\"}}}", &v), 0);
    CHECK(vigil__record_get(v, id_a, &f) && f.p[0] == VIGIL_V_IPADDR);
    CHECK_EQ(parse("{\"a\": {\"__extn\": {\"fn\": \"decimal\", \"arg\": \"1.5\"}}}", &v), 0);
    CHECK(vigil__record_get(v, id_a, &f) && f.p[0] == VIGIL_V_DECIMAL && vigil__rdi64(f.p + 1) == 15000);
    CHECK_EQ(parse("{\"a\": {\"__extn\": {\"fn\": \"offset\", \"args\": [{\"__extn\": {\"fn\": \"datetime\", "
                   "\"arg\": \"1970-01-01\"}}, {\"__extn\": {\"fn\": \"duration\", \"arg\": \"1s\"}}]}}}", &v), 0);
    CHECK(vigil__record_get(v, id_a, &f) && f.p[0] == VIGIL_V_DATETIME && vigil__rdi64(f.p + 1) == 1000);
    CHECK_EQ(parse("{\"a\": {\"__extn\": {\"fn\": \"isIpv4\", "
                   "\"args\": [{\"__extn\": {\"fn\": \"ip\", \"arg\": \"::1\"}}]}}}", &v), 0);
    CHECK(vigil__record_get(v, id_a, &f) && f.p[0] == VIGIL_V_BOOL && f.p[1] == 0);
    refused("{\"a\": {\"__extn\": {\"fn\": \"ip\", \"arg\": \"10.0.0\"}}}");
    refused("{\"a\": {\"__extn\": {\"fn\": \"nope\", \"arg\": \"1\"}}}");
    refused("{\"a\": {\"__extn\": {\"fn\": \"unknown\", \"arg\": \"1\"}}}");
    refused("{\"a\": {\"__extn\": {\"fn\": \"ip\", \"args\": []}}}");
    refused("{\"a\": {\"__extn\": {\"fn\": \"ip\", \"arg\": 1}}}");
    refused("{\"a\": {\"__extn\": {\"fn\": \"offset\", \"args\": [{\"__extn\": {\"fn\": \"datetime\", "
            "\"arg\": \"9999-12-31\"}}, {\"__extn\": {\"fn\": \"duration\", \"arg\": \"9223372036854775807ms\"}}]}}}");
    CHECK_EQ(parse("{\"a\": {\"__extn\": {\"fn\": \"ip\"}}}", &v), 0);  /* no arg: an ordinary record */
    refused("{\"a\": {\"__expr\": \"1 + 1\"}}");

    /* The compact spellings of the escapes (read in place, json.c compact_escape) give what the spaced ones give. */
    same("{\"a\":{\"__extn\":{\"fn\":\"ip\",\"arg\":\"10.0.0.1\"}}}",
         "{\"a\": {\"__extn\": {\"fn\": \"ip\", \"arg\": \"10.0.0.1\"}}}", 1);
    same("{\"a\":{\"__extn\":{\"fn\":\"ip\",\"arg\":\"10.0.0.1\"}}}",
         "{\"a\":{\"__extn\":{\"arg\":\"10.0.0.1\",\"fn\":\"ip\"}}}", 1);
    same("{\"a\":{\"__entity\":{\"type\":\"User\",\"id\":\"alice\"}}}",
         "{\"a\": {\"__entity\": {\"type\": \"User\", \"id\": \"alice\"}}}", 1);
    same("{\"a\":{\"__entity\":{\"type\":\"User\",\"id\":\"zed\"}}}",
         "{\"a\": {\"__entity\": {\"type\": \"User\", \"id\": \"zed\"}}}", 1);
    same("{\"a\":{\"__extn\":{\"fn\":\"ip\",\"arg\":\"10.0.0.1\"},\"b\":1}}",
         "{\"a\": {\"__extn\": {\"fn\": \"ip\", \"arg\": \"10.0.0.1\"}, \"b\": 1}}", 1);
    /* `ip` is read straight from the input there: prefixes, IPv6, and names that only start like it. */
    same("{\"a\":{\"__extn\":{\"fn\":\"ip\",\"arg\":\"10.0.0.0/8\"}}}",
         "{\"a\": {\"__extn\": {\"fn\": \"ip\", \"arg\": \"10.0.0.0/8\"}}}", 1);
    same("{\"a\":{\"__extn\":{\"fn\":\"ip\",\"arg\":\"::ffff:0:1/100\"}}}",
         "{\"a\": {\"__extn\": {\"fn\": \"ip\", \"arg\": \"::ffff:0:1/100\"}}}", 1);
    same("{\"a\":{\"__extn\":{\"fn\":\"ip\",\"arg\":\"10.0.0.1\"}}}",
         "{\"a\":{\"__extn\":{\"fn\":\"ip\",\"arg\":\"10.0.0.2\"}}}", 0);
    refused("{\"a\":{\"__extn\":{\"fn\":\"ipx\",\"arg\":\"10.0.0.1\"}}}");
    refused("{\"a\":{\"__extn\":{\"fn\":\"i\",\"arg\":\"10.0.0.1\"}}}");
    refused("{\"a\":{\"__extn\":{\"fn\":\"ip\",\"arg\":\"\"}}}");
    refused("{\"a\":{\"__extn\":{\"fn\":\"ip\",\"arg\":\"10.0.0\"}}}");
    refused("{\"a\":{\"__extn\":{\"fn\":\"nope\",\"arg\":\"1\"}}}");
    refused("{\"a\":{\"__entity\":{\"type\":\"Us er\",\"id\":\"x\"}}}");
    refused("{\"__extn\":{\"fn\":\"ip\",\"arg\":\"10.0.0.1\"}}");
    /* Near the nesting limit both spellings give the same answer (accepted up to 61 arrays, refused after). */
    static const char brackets[] = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[";
    static const char closers[] = "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]";
    for (int depth = 59; depth <= 64; depth++) {
        for (int entity = 0; entity < 2; entity++) {
            static const char *const compact[2] = { "{\"__extn\":{\"fn\":\"ip\",\"arg\":\"::1\"}}",
                                                    "{\"__entity\":{\"type\":\"User\",\"id\":\"alice\"}}" };
            static const char *const spaced[2] = { "{\"__extn\": {\"fn\": \"ip\", \"arg\": \"::1\"}}",
                                                   "{\"__entity\": {\"type\": \"User\", \"id\": \"alice\"}}" };
            char a[600], b[600];
            int na = snprintf(a, sizeof a, "{\"a\":%.*s%s%.*s}", depth, brackets, compact[entity], depth, closers);
            int nb = snprintf(b, sizeof b, "{\"a\": %.*s%s%.*s}", depth, brackets, spaced[entity], depth, closers);
            CHECK(na > 0 && (size_t)na < sizeof a && nb > 0 && (size_t)nb < sizeof b);
            int ra = parse(a, &v), rb = parse(b, &v);
            if (ra != rb) fprintf(stderr, "test_json.c: %s %d arrays deep: compact %d, spaced %d\n",
                                  entity ? "entity" : "extn", depth, ra, rb);
            CHECK_EQ(ra, rb);
            CHECK_EQ(ra, depth <= 61 ? 0 : VIGIL_E_CONTEXT);
        }
    }

    /* Refusals: null, non-integers, duplicates, bad JSON, a lone escape at the top, too deep, too large. */
    refused("");
    refused("[]");
    refused("{\"a\": null}");
    refused("{\"a\": 1.5}");
    refused("{\"a\": 1e3}");
    refused("{\"a\": 9223372036854775808}");
    refused("{\"a\": -9223372036854775809}");
    refused("{\"a\": 01}");
    refused("{\"a\": 1, \"a\": 2}");
    refused("{\"a\": {\"b\": 1, \"b\": 1}}");
    refused("{\"a\": 1, \"b\": 2, \"a\": 3}");      /* a repeat out of order, in either position */
    refused("{\"b\": 1, \"a\": 2, \"b\": 3}");
    refused("{\"a\": 1,}");
    refused("{\"a\": 1} x");
    refused("{\"a\": \"\\ud800\"}");
    refused("{\"a\": \"\\udc00\"}");
    refused("{\"a\": \"\xff\"}");
    refused("{\"a\": \"\xc0\xaf\"}");
    refused("{\"a\": \"tab\there\"}");
    refused("{\"__entity\": {\"type\": \"User\", \"id\": \"alice\"}}");
    refused("{\"a\": \"\\x\"}");
    {
        static char deep[400];
        size_t n = 0;
        n += (size_t)sprintf(deep + n, "{\"a\":");
        for (int i = 0; i < 70; i++) deep[n++] = '[';
        for (int i = 0; i < 70; i++) deep[n++] = ']';
        deep[n++] = '}';
        deep[n] = 0;
        refused(deep);
        n = (size_t)sprintf(deep, "{\"a\":");
        for (int i = 0; i < 60; i++) deep[n++] = '[';
        for (int i = 0; i < 60; i++) deep[n++] = ']';
        deep[n++] = '}';
        deep[n] = 0;
        CHECK_EQ(parse(deep, &v), 0);
    }
    {
        static char big[70000];
        size_t n = (size_t)sprintf(big, "{\"a\": \"");
        memset(big + n, 'x', 66000);
        n += 66000;
        sprintf(big + n, "\"}");
        refused(big);
        /* Within the limit, the largest kinds of context still fit the arena. */
        n = (size_t)sprintf(big, "{\"a\": [");
        for (int i = 0; n < 65000; i++) n += (size_t)sprintf(big + n, "%d,", i % 10);
        sprintf(big + n - 1, "]}");
        CHECK_EQ(parse(big, &v), 0);
        n = (size_t)sprintf(big, "{\"a\": [");
        for (int i = 0; n < 65000; i++) n += (size_t)sprintf(big + n, "[%d],", i);
        sprintf(big + n - 1, "]}");
        CHECK_EQ(parse(big, &v), 0);
        CHECK_EQ(vigil__value_check(v.p, v.n, 64), v.n);
    }
    test_directed();
    /* The empty name: the writer stores it under the key 0xFF. */
    CHECK_EQ(parse("{\"\": 1}", &v), 0);
    CHECK_EQ(vigil__rd32(v.p + 9), id_empty);
    vigil__reader_end(rd);
    vigil_index_close(ix);
    tix_remove(t.dir);
}
