/* testing.c — the harness, value and program builders, and the test-only index writer. */
#define _GNU_SOURCE
#include "testing.h"

#include <stdlib.h>
#include <unistd.h>

int t_checks, t_failures;

/* Counts every allocation the process makes, so a test can prove that deciding allocates nothing after a
 * thread's first decision (glibc's __libc_* entry points do the work). Left out under AddressSanitizer, which
 * replaces malloc itself. */
#ifndef __SANITIZE_ADDRESS__
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
_Atomic long t_allocations;
void *malloc(size_t n) { t_allocations++; return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { t_allocations++; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { t_allocations++; return __libc_realloc(p, n); }
void free(void *p) { __libc_free(p); }
#else
_Atomic long t_allocations = -1;
#endif

static void need(int rc, const char *what) {
    if (rc) { fprintf(stderr, "test setup failed: %s: %s\n", what, mdb_strerror(rc)); exit(2); }
}

void vb_u8(vb *v, uint8_t x) { v->b[v->n++] = x; }
void vb_u32(vb *v, uint32_t x) { memcpy(v->b + v->n, &x, 4); v->n += 4; }
void vb_i64(vb *v, int64_t x) { memcpy(v->b + v->n, &x, 8); v->n += 8; }
void vb_long(vb *v, int64_t x) { vb_u8(v, VIGIL_V_LONG); vb_i64(v, x); }
void vb_bool(vb *v, int x) { vb_u8(v, VIGIL_V_BOOL); vb_u8(v, (uint8_t)!!x); }
void vb_entity(vb *v, uint32_t eid) { vb_u8(v, VIGIL_V_ENTITY); vb_u32(v, eid); }
void vb_str(vb *v, const char *s) {
    vb_u8(v, VIGIL_V_STRING);
    vb_u32(v, (uint32_t)strlen(s));
    memcpy(v->b + v->n, s, strlen(s));
    v->n += strlen(s);
}
size_t vb_begin(vb *v, uint8_t tag, uint32_t count) {
    size_t at = v->n;
    vb_u8(v, tag);
    vb_u32(v, count);
    vb_u32(v, 0);
    return at;
}
void vb_end(vb *v, size_t pos) { uint32_t body = (uint32_t)(v->n - pos - 9); memcpy(v->b + pos + 5, &body, 4); }
void vb_pattern(vb *v, const char *pat) {
    /* Decodes UTF-8 so tests can use non-ASCII literals. */
    size_t at = v->n;
    uint32_t count = 0;
    vb_u8(v, VIGIL_V_PATTERN);
    vb_u32(v, 0);
    for (const unsigned char *s = (const unsigned char *)pat; *s;) {
        uint32_t cp;
        if (*s == '*') { cp = VIGIL_WILDCARD; s++; }
        else if (*s < 0x80) cp = *s++;
        else if (*s < 0xE0) { cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F); s += 2; }
        else if (*s < 0xF0) { cp
                = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F); s += 3; }
        else { cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 | (uint32_t)(s[2] & 0x3F) << 6 |
                (s[3] & 0x3F); s += 4; }
        vb_u32(v, cp);
        count++;
    }
    memcpy(v->b + at + 1, &count, 4);
}

uint32_t asm0(prog *p, uint8_t op) { uint32_t at = p->n; p->code[p->n++] = op; return at; }
uint32_t asm1(prog *p, uint8_t op, uint32_t a) {
    uint32_t at = asm0(p, op);
    memcpy(p->code + p->n, &a, 4);
    p->n += 4;
    return at;
}
uint32_t asm2(prog *p, uint8_t op, uint32_t a, uint32_t b) {
    uint32_t at = asm1(p, op, a);
    memcpy(p->code + p->n, &b, 4);
    p->n += 4;
    return at;
}
void asm_patch(prog *p, uint32_t at, uint32_t target) { memcpy(p->code + at + 1, &target, 4); }

void tix_create(tix *t) {
    memset(t, 0, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/vigil-ctest-XXXXXX");
    if (!mkdtemp(t->dir)) { perror("mkdtemp"); exit(2); }
    tix_reopen(t);
}

void tix_reopen(tix *t) {
    need(mdb_env_create(&t->env), "env");
    mdb_env_set_maxdbs(t->env, VIGIL_MAX_DBS);
    need(mdb_env_set_mapsize(t->env, 64u << 20), "mapsize");
    need(mdb_env_open(t->env, t->dir, 0, 0644), "open");
    need(mdb_txn_begin(t->env, NULL, 0, &t->txn), "txn");
    need(mdb_dbi_open(t->txn, VIGIL_DB_META, MDB_CREATE, &t->meta), "meta");
    need(mdb_dbi_open(t->txn, VIGIL_DB_NAMES, MDB_CREATE, &t->names), "names");
    need(mdb_dbi_open(t->txn, VIGIL_DB_NAME_TEXT, MDB_CREATE | MDB_INTEGERKEY, &t->name_text), "name_text");
    need(mdb_dbi_open(t->txn, VIGIL_DB_UIDS, MDB_CREATE, &t->uids), "uids");
    need(mdb_dbi_open(t->txn, VIGIL_DB_ENTITIES, MDB_CREATE | MDB_INTEGERKEY, &t->entities), "entities");
    need(mdb_dbi_open(t->txn, VIGIL_DB_POLICIES, MDB_CREATE | MDB_INTEGERKEY, &t->policies), "policies");
    need(mdb_dbi_open(t->txn, VIGIL_DB_BY_ACTION, MDB_CREATE | MDB_INTEGERKEY, &t->by_action), "by_action");
    need(mdb_dbi_open(t->txn, VIGIL_DB_SESSIONS, MDB_CREATE, &t->sessions), "sessions");
}

void tix_put_raw(tix *t, MDB_dbi dbi, const void *key, size_t klen, const void *val, size_t vlen) {
    MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
    need(mdb_put(t->txn, dbi, &k, &v, 0), "put");
}

uint32_t tix_name(tix *t, const char *name) {
    for (uint32_t i = 0; i < t->nnames; i++) if (strcmp(t->name_list[i], name) == 0) return i;
    uint32_t id = t->nnames++;
    snprintf(t->name_list[id], sizeof t->name_list[id], "%s", name);
    /* As the compiler's writer: LMDB keys cannot be empty, so "" is stored under the byte 0xFF. */
    tix_put_raw(t, t->names, *name ? name : "\xff", *name ? strlen(name) : 1, &id, 4);
    unsigned int k = id;
    if (*name) tix_put_raw(t, t->name_text, &k, sizeof k, name, strlen(name));
    return id;
}

uint32_t tix_entity(tix *t, const char *type, const char *id, uint32_t flags, const uint32_t *anc, uint32_t nanc,
                    const vb *attrs, const vb *tags) {
    uint32_t eid = t->nents++;
    tix_entity_put(t, eid, type, id, flags, anc, nanc, attrs, tags);
    return eid;
}

void tix_entity_put(tix *t, uint32_t eid, const char *type, const char *id, uint32_t flags, const uint32_t *anc,
                    uint32_t nanc, const vb *attrs, const vb *tags) {
    /* As the index stores it: the eid, then the record, under the uid key; and the key under the eid. */
    uint8_t val[4 + 8192], *rec = val + 4;
    vigil_entity_rec er = { 0 };
    uint32_t n = sizeof er;
    er.er_type = tix_name(t, type);
    er.er_flags = flags;
    er.er_id_off = n; er.er_id_len = (uint32_t)strlen(id);
    memcpy(rec + n, id, er.er_id_len); n += er.er_id_len;
    er.er_anc_off = n; er.er_anc_count = nanc;
    if (nanc) memcpy(rec + n, anc, 4 * (size_t)nanc);
    n += 4 * nanc;
    if (attrs) { er.er_attrs_off = n; memcpy(rec + n, attrs->b, attrs->n); n += (uint32_t)attrs->n; }
    if (tags) { er.er_tags_off = n; memcpy(rec + n, tags->b, tags->n); n += (uint32_t)tags->n; }
    memcpy(rec, &er, sizeof er);
    memcpy(val, &eid, 4);
    uint8_t key[512];
    size_t idlen = er.er_id_len;
    memcpy(key, &er.er_type, 4);
    memcpy(key + 4, id, idlen);
    tix_put_raw(t, t->uids, key, 4 + idlen, val, 4 + (size_t)n);
    unsigned int k = eid;
    tix_put_raw(t, t->entities, &k, sizeof k, key, 4 + idlen);
}

uint32_t tix_policy(tix *t, const tpolicy *p) {
    uint8_t rec[16384];
    vigil_policy_rec pr = { 0 };
    uint32_t n = sizeof pr, num = t->npols++;
    pr.pr_flags = p->flags; pr.pr_step_up = p->step_up; pr.pr_max_age = p->max_age;
    pr.pr_expires_ms = p->expires_ms ? p->expires_ms : INT64_MAX;
    pr.pr_principal = p->principal; pr.pr_resource = p->resource;
#define REGION(off, len, src, size) \
    do { (off) = n; (len) = (uint32_t)(size); memcpy(rec + n, (src), (size)); n += (uint32_t)(size); } while (0)
    const char *id = p->id ? p->id : "policy";
    REGION(pr.pr_id_off, pr.pr_id_len, id, strlen(id));
    const char *annot = p->annot ? p->annot : "";
    REGION(pr.pr_annot_off, pr.pr_annot_len, annot, strlen(annot));
    REGION(pr.pr_code_off, pr.pr_code_len, p->code->code, p->code->n);
    const char *file = p->file ? p->file : "";
    REGION(pr.pr_file_off, pr.pr_file_len, file, strlen(file));
    /* Constants: the values, then the table of their offsets. */
    uint32_t offs[64], at = 0;
    for (uint32_t i = 0; i < p->const_count; i++) {
        offs[i] = n;
        uint32_t sz = vigil__value_size(p->consts->b + at);
        memcpy(rec + n, p->consts->b + at, sz);
        n += sz;
        at += sz;
    }
    REGION(pr.pr_const_off, pr.pr_const_count, offs, 4 * (size_t)p->const_count);
    pr.pr_const_count = p->const_count;
    uint32_t dummy;
    REGION(pr.pr_span_off, dummy, p->spans ? (const void *)p->spans : (const void *)offs, 12 * (size_t)p->span_count);
    (void)dummy;
    pr.pr_span_count = p->span_count;
#undef REGION
    memcpy(rec, &pr, sizeof pr);
    unsigned int k = num;
    tix_put_raw(t, t->policies, &k, sizeof k, rec, n);
    return num;
}

void tix_by_action(tix *t, uint32_t key, const uint32_t *nums, uint32_t n) {
    unsigned int k = key;
    tix_put_raw(t, t->by_action, &k, sizeof k, nums, 4 * (size_t)n);
}

void tix_session(tix *t, const char *sid, uint32_t eid, uint32_t flags, int64_t expires) {
    vigil_session_rec s = { eid, flags, expires };
    tix_put_raw(t, t->sessions, sid, strlen(sid), &s, sizeof s);
}

void tix_ctx_type(tix *t, uint32_t action, const vb *descriptor) {
    MDB_dbi dbi;
    need(mdb_dbi_open(t->txn, VIGIL_DB_CTX_TYPES, MDB_CREATE | MDB_INTEGERKEY, &dbi), "ctx_types");
    unsigned int k = action;
    tix_put_raw(t, dbi, &k, sizeof k, descriptor->b, descriptor->n);
}

void tix_header(tix *t, uint64_t generation) {
    vigil_header h = { 0 };
    memcpy(h.vh_magic, VIGIL_MAGIC, 8);
    h.vh_version = VIGIL_FORMAT_VERSION;
    h.vh_endian = 0x01020304u;
    h.vh_generation = generation;
    h.vh_entity_count = t->nents;
    h.vh_policy_count = t->npols;
    h.vh_name_count = t->nnames;
    tix_put_raw(t, t->meta, "header", 6, &h, sizeof h);
}

void tix_commit(tix *t) {
    need(mdb_txn_commit(t->txn), "commit");
    t->txn = NULL;
    mdb_env_close(t->env);
    t->env = NULL;
}

void tix_remove(const char *dir) {
    char p[300];
    snprintf(p, sizeof p, "%s/data.mdb", dir); unlink(p);
    snprintf(p, sizeof p, "%s/lock.mdb", dir); unlink(p);
    rmdir(dir);
}

vigil__reader *t_reader(vigil_index *ix) {
    int rc = 0;
    vigil__reader *rd = vigil__reader_get(ix, &rc);
    if (!rd || vigil__reader_begin(rd)) { fprintf(stderr, "no reader\n"); exit(2); }
    return rd;
}

void t_with_empty_index(void (*fn)(vigil__reader *rd)) {
    tix t;
    tix_create(&t);
    tix_header(&t, 1);
    tix_commit(&t);
    vigil_index *ix;
    CHECK_EQ(vigil_index_open(t.dir, 0, &ix), VIGIL_OK);
    vigil__reader *rd = t_reader(ix);
    fn(rd);
    vigil__reader_end(rd);
    vigil_index_close(ix);
    tix_remove(t.dir);
}

int main(void) {
    test_ext();
    test_value();
    test_json();
    test_vm();
    test_decide();
    test_plan();
    test_snapshot();
    test_cache();
    test_batch();
    test_fuzz();
    test_ring();
    printf("%d checks, %d failures\n", t_checks, t_failures);
    return t_failures ? 1 : 0;
}
