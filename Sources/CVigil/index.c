/*
 * index.c — opening an index, per-thread readers, and checked access to its records.
 *
 * Open and close are cold and may allocate and lock; everything a decision calls after a thread's first one
 * (vigil__reader_get on a known thread, begin/end, the lookups) uses only the thread's preallocated state and
 * LMDB reads inside its renewed transaction.
 */
#include "vigil_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Serial numbers of open handles, for the thread cache (see vigil_internal.h). */
static _Atomic uint64_t next_serial = 1;

/* The thread's most recently used (handle serial, reader); a miss walks the handle's reader list. */
static _Thread_local struct { uint64_t serial; vigil__reader *rd; } thread_cache;

/* Maps an LMDB or errno code from opening to a Vigil status (never passed through raw). */
static int open_status(int rc) {
    if (rc == ENOENT) return VIGIL_E_NOT_FOUND;
    if (rc == ENOMEM) return VIGIL_E_NOMEM;
    if (rc == MDB_INVALID) return VIGIL_E_NOT_INDEX;
    if (rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND) return VIGIL_E_CORRUPT;
    return VIGIL_E_IO;
}

/* Reads and checks the header of the transaction's generation. */
static int read_header(MDB_txn *txn, MDB_dbi meta, vigil_header *out) {
    MDB_val k = { 6, (void *)"header" }, v;
    int rc = mdb_get(txn, meta, &k, &v);
    if (rc == MDB_NOTFOUND) return VIGIL_E_NOT_INDEX;                  /* IDX-H001: no header */
    if (rc) return open_status(rc);
    if (v.mv_size < 8 || memcmp(v.mv_data, VIGIL_MAGIC, 8) != 0) return VIGIL_E_NOT_INDEX; /* IDX-H001 */
    if (v.mv_size < 12 || vigil__rd32((const uint8_t *)v.mv_data + 8) != VIGIL_FORMAT_VERSION)
        return VIGIL_E_VERSION;                                          /* IDX-H002, after the magic */
    if (v.mv_size != sizeof(vigil_header)) return VIGIL_E_CORRUPT;     /* IDX-H003 */
    memcpy(out, v.mv_data, sizeof *out);
    if (out->vh_endian != 0x01020304u) return VIGIL_E_CORRUPT;         /* IDX-H003 */
    /* IDX-V004: every stored id is below the temporary range. */
    if (out->vh_entity_count > VIGIL_TEMP_ID_BASE || out->vh_name_count > VIGIL_TEMP_ID_BASE) return VIGIL_E_CORRUPT;
    return VIGIL_OK;
}

VIGIL_API VIGIL__COLD int vigil_index_open(const char *path, unsigned flags, vigil_index **out) {
    if (out) *out = NULL;
    if (!path || !out || (flags & ~(VIGIL_OPEN_FAIL_OPEN | VIGIL_OPEN_NO_LOG))) return VIGIL_E_INVALID_ARG;
    struct stat st;
    char data[4096];
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) return VIGIL_E_NOT_FOUND;
    if ((size_t)snprintf(data, sizeof data, "%s/data.mdb", path) >= sizeof data) return VIGIL_E_INVALID_ARG;
    if (stat(data, &st) != 0) return VIGIL_E_NOT_FOUND;

    vigil_index *ix = calloc(1, sizeof *ix);
    if (!ix) return VIGIL_E_NOMEM;
    ix->ix_flags = flags;
    ix->ix_serial = atomic_fetch_add(&next_serial, 1);
    atomic_init(&ix->ix_readers, NULL);
    MDB_txn *txn = NULL;
    int rc = mdb_env_create(&ix->ix_env);
    if (rc) { free(ix); return open_status(rc); }
    mdb_env_set_maxdbs(ix->ix_env, VIGIL_MAX_DBS);
    /* Read-only, but with the lock file: readers register their slots there so the writer never overwrites
     * pages they still read. MDB_NOTLS ties a slot to a transaction, which our per-thread readers keep. */
    rc = mdb_env_open(ix->ix_env, path, MDB_RDONLY | MDB_NOTLS, 0644);
    if (rc) { rc = open_status(rc); goto fail; }
    rc = mdb_txn_begin(ix->ix_env, NULL, MDB_RDONLY, &txn);
    if (rc) { rc = open_status(rc); goto fail; }
    rc = mdb_dbi_open(txn, VIGIL_DB_META, 0, &ix->ix_meta);
    if (rc) { rc = rc == MDB_NOTFOUND ? VIGIL_E_NOT_INDEX : open_status(rc); goto fail; } /* IDX-H001 */
    vigil_header hdr;
    if ((rc = read_header(txn, ix->ix_meta, &hdr))) goto fail;
    struct { const char *name; MDB_dbi *dbi; } dbs[] = {
        { VIGIL_DB_NAMES, &ix->ix_names }, { VIGIL_DB_NAME_TEXT, &ix->ix_name_text }, { VIGIL_DB_UIDS, &ix->ix_uids },
        { VIGIL_DB_ENTITIES, &ix->ix_entities }, { VIGIL_DB_POLICIES, &ix->ix_policies },
        { VIGIL_DB_BY_ACTION, &ix->ix_by_action }, { VIGIL_DB_SESSIONS, &ix->ix_sessions },
    };
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
        rc = mdb_dbi_open(txn, dbs[i].name, 0, dbs[i].dbi);
        if (rc) { rc = rc == MDB_NOTFOUND ? VIGIL_E_CORRUPT : open_status(rc); goto fail; } /* IDX-D001 */
    }
    /* ctx_types is optional: without it every context is read schema-less. */
    rc = mdb_dbi_open(txn, VIGIL_DB_CTX_TYPES, 0, &ix->ix_ctx_types);
    if (rc && rc != MDB_NOTFOUND) { rc = open_status(rc); goto fail; }
    ix->ix_has_ctx_types = rc == 0;
    /* Committing (not aborting) keeps the database handles open for the environment's lifetime. */
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc) { rc = open_status(rc); goto fail; }
    vigil__ring_open(ix, path);
    *out = ix;
    return VIGIL_OK;
fail:
    if (txn) mdb_txn_abort(txn);
    mdb_env_close(ix->ix_env);
    free(ix);
    return rc;
}

static vigil__reader *reader_create(vigil_index *ix, pthread_t me, int *status);

static void reader_free(vigil__reader *rd) {
    if (rd->rd_txn) mdb_txn_abort(rd->rd_txn);
    free(rd->rd_arena);
    free(rd->rd_pc_buf);
    free(rd->rd_pc);
    free(rd->rd_plan_buf);
    free(rd->rd_pool);
    free(rd->rd_stack);
    free(rd->rd_resid);
    free(rd->rd_dep_out);
    free(rd);
}

VIGIL_API VIGIL__COLD void vigil_index_close(vigil_index *ix) {
    if (!ix) return;
    vigil__reader *rd = atomic_load(&ix->ix_readers);
    while (rd) {
        vigil__reader *next = rd->rd_next;
        reader_free(rd);
        rd = next;
    }
    mdb_env_close(ix->ix_env);
    vigil__ring_close(ix);
    /* This thread's cache may name the handle; other threads' caches hold its serial, never reused. */
    if (thread_cache.serial == ix->ix_serial) thread_cache.serial = 0;
    free(ix);
}

vigil__reader *vigil__reader_get(vigil_index *ix, int *status) {
    if (thread_cache.serial == ix->ix_serial) return thread_cache.rd;
    pthread_t me = pthread_self();
    for (vigil__reader *r = atomic_load_explicit(&ix->ix_readers, memory_order_acquire); r; r = r->rd_next) {
        if (pthread_equal(r->rd_owner, me)) {
            thread_cache.serial = ix->ix_serial;
            thread_cache.rd = r;
            return r;
        }
    }
    return reader_create(ix, me, status);
}

/* The thread's first decision on this handle: the only allocation. */
static VIGIL__COLD vigil__reader *reader_create(vigil_index *ix, pthread_t me, int *status) {
    vigil__reader *rd = calloc(1, sizeof *rd);
    if (!rd) { *status = VIGIL_E_NOMEM; return NULL; }
    rd->rd_owner = me;
    rd->rd_ix = ix;
    rd->rd_arena = malloc(VIGIL__ARENA_BYTES);
    rd->rd_pc_buf = malloc(VIGIL__PCACHE_BYTES);
    rd->rd_pc = calloc(VIGIL__PCACHE_MAX, sizeof *rd->rd_pc);
    rd->rd_plan_buf = malloc(VIGIL__PLAN_BYTES);
    rd->rd_pool = malloc(VIGIL__POOL_BYTES);
    rd->rd_stack = malloc(sizeof(vigil_val) * VIGIL__STACK_MAX);
    rd->rd_resid = malloc(sizeof(vigil__resid) * VIGIL__RESID_MAX);
    rd->rd_dep_out = calloc((size_t)(VIGIL__ROWS + 1) * VIGIL__DEPS, sizeof *rd->rd_dep_out);
    if (!rd->rd_arena || !rd->rd_pool || !rd->rd_stack || !rd->rd_pc_buf || !rd->rd_pc || !rd->rd_plan_buf ||
        !rd->rd_resid || !rd->rd_dep_out) {
        reader_free(rd);
        *status = VIGIL_E_NOMEM;
        return NULL;
    }
    int rc = mdb_txn_begin(ix->ix_env, NULL, MDB_RDONLY, &rd->rd_txn);
    if (rc) {
        rd->rd_txn = NULL;
        reader_free(rd);
        *status = rc == ENOMEM ? VIGIL_E_NOMEM : VIGIL_E_IO;
        return NULL;
    }
    mdb_txn_reset(rd->rd_txn);
    vigil__reader *head = atomic_load_explicit(&ix->ix_readers, memory_order_relaxed);
    do rd->rd_next = head;
    while (!atomic_compare_exchange_weak_explicit(&ix->ix_readers, &head, rd, memory_order_release,
            memory_order_relaxed));
    thread_cache.serial = ix->ix_serial;
    thread_cache.rd = rd;
    return rd;
}

int vigil__reader_begin(vigil__reader *rd) {
    int rc = mdb_txn_renew(rd->rd_txn);
    if (rc) return rc == MDB_CORRUPTED || rc == MDB_PANIC ? VIGIL_E_CORRUPT : VIGIL_E_IO;
    rd->rd_live = 1;
    rd->rd_txn_serial++;
    rd->rd_top = 0;
    rd->rd_pool_top = 0;
    rd->rd_tname_count = 0;
    rd->rd_tent_count = 0;
    size_t snapshot = mdb_txn_id(rd->rd_txn);
    /* Epochs start at 1, so the zeroed caches of a new reader never match. */
    if (rd->rd_epoch == 0 || rd->rd_snapshot != snapshot) {
        rc = read_header(rd->rd_txn, rd->rd_ix->ix_meta, &rd->rd_hdr);
        if (rc) { vigil__reader_end(rd); return rc; }
        rd->rd_epoch++;
        rd->rd_snapshot = snapshot;
    }
    return VIGIL_OK;
}

void vigil__reader_end(vigil__reader *rd) {
    if (rd->rd_live) mdb_txn_reset(rd->rd_txn);
    rd->rd_live = 0;
}

/* Copies bytes into the request's pool, which temporary ids point into. */
static const uint8_t *pool_copy(vigil__reader *rd, const uint8_t *b, size_t n) {
    if (n > VIGIL__POOL_BYTES - rd->rd_pool_top) return NULL;
    uint8_t *p = rd->rd_pool + rd->rd_pool_top;
    if (n) memcpy(p, b, n);
    rd->rd_pool_top += n;
    return p;
}

/* A lookup's LMDB code: 1 for not found, else a Vigil status. */
static int lookup_status(int rc) {
    if (rc == MDB_NOTFOUND) return 1;
    return rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND ? VIGIL_E_CORRUPT : VIGIL_E_IO;
}

/* A hash for the direct-mapped caches, in constant time: names and ids are short, so their first, middle and last
 * 8 bytes (overlapping when shorter) are nearly always enough; the caches compare the whole key anyway. */
static uint32_t key_hash(const uint8_t *b, size_t n) {
    uint64_t x = 0, y = 0, z = 0;
    if (n >= 8) {
        memcpy(&x, b, 8);
        memcpy(&y, b + n - 8, 8);
        if (n > 16) memcpy(&z, b + n / 2 - 4, 8);
    } else if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, b, 4);
        memcpy(&hi, b + n - 4, 4);
        x = lo;
        y = hi;
    } else if (n > 0) {
        x = (uint64_t)b[0] | (uint64_t)b[n / 2] << 8 | (uint64_t)b[n - 1] << 16;
    }
    uint64_t h = (x * 0x9E3779B97F4A7C15u) ^ (y * 0xC2B2AE3D27D4EB4Fu) ^ (z * 0x165667B19E3779F9u) ^ n;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9u;
    return (uint32_t)(h >> 32);
}

int vigil__name_find(vigil__reader *rd, const uint8_t *name, size_t len, uint32_t *id) {
    /* LMDB keys are at most 511 bytes; a longer name cannot be stored. */
    if (len > 511) return 0;
    vigil__ncache_entry *slot = NULL;
    if (len <= VIGIL__NCACHE_LEN) {
        slot = &rd->rd_ncache[key_hash(name, len) & (VIGIL__NCACHE - 1)];
        if (slot->nc_epoch == rd->rd_epoch && slot->nc_len == len && vigil__bytes_eq(slot->nc_bytes, name, len)) {
            *id = slot->nc_id;
            return slot->nc_id != VIGIL_NONE;
        }
    }
    MDB_val k = vigil__name_key(name, len), v;
    int rc = mdb_get(rd->rd_txn, rd->rd_ix->ix_names, &k, &v);
    if (rc == 0) {
        if (v.mv_size != 4) return VIGIL_E_CORRUPT;
        *id = vigil__rd32(v.mv_data);
        if (*id >= rd->rd_hdr.vh_name_count) return VIGIL_E_CORRUPT; /* name ids are 0 ..< vh_name_count */
    } else if ((rc = lookup_status(rc)) < 0) {
        return rc;
    } else {
        *id = VIGIL_NONE;
    }
    if (slot) {
        slot->nc_epoch = rd->rd_epoch;
        slot->nc_id = *id;
        slot->nc_len = (uint32_t)len;
        memcpy(slot->nc_bytes, name, len);
    }
    return *id != VIGIL_NONE;
}

int vigil__name_id(vigil__reader *rd, const uint8_t *name, size_t len, uint32_t *id) {
    int rc = vigil__name_find(rd, name, len, id);
    if (rc < 0) return rc;
    if (rc == 1) return VIGIL_OK;
    /* IDX-V004: the same unknown name gets the same temporary id throughout the request. */
    for (uint32_t i = 0; i < rd->rd_tname_count; i++) {
        vigil__temp *t = &rd->rd_tnames[i];
        if (t->tp_len == len && memcmp(t->tp_bytes, name, len) == 0) { *id = VIGIL_TEMP_ID_BASE + i; return VIGIL_OK; }
    }
    if (rd->rd_tname_count == VIGIL__TEMP_MAX) return VIGIL_E_LIMIT;
    const uint8_t *copy = pool_copy(rd, name, len);
    if (!copy) return VIGIL_E_LIMIT;
    vigil__temp *t = &rd->rd_tnames[rd->rd_tname_count];
    t->tp_bytes = copy;
    t->tp_len = (uint32_t)len;
    t->tp_type = 0;
    *id = VIGIL_TEMP_ID_BASE + rd->rd_tname_count++;
    return VIGIL_OK;
}

/* Of a cache set's VIGIL__WAYS entries (`used` and `epoch` of each), the one to fill: one not of this snapshot,
 * else the least recently used, by age so that serials may wrap. */
static int victim_way(const vigil__reader *rd, const uint64_t epoch[VIGIL__WAYS], const uint32_t used[VIGIL__WAYS]) {
    uint32_t now = (uint32_t)rd->rd_txn_serial, oldest = 0;
    int way = 0;
    for (int w = 0; w < VIGIL__WAYS; w++) {
        uint32_t age = epoch[w] != rd->rd_epoch ? UINT32_MAX : now - used[w];
        if (w == 0 || age > oldest) { way = w; oldest = age; }
    }
    return way;
}

/* Puts entity `eid`'s record (size bytes at rec, in the map) in its cache set, after checking the offsets that
 * every read uses (IDX-V003); attributes and tags are checked when first asked for. *out (when not NULL) gets the
 * entry. A set holds an eid in one way at most (its way is refilled in place), which lets vigil__entity_get stop
 * at the first match. */
static int cache_entity(vigil__reader *rd, uint32_t eid, const uint8_t *rec, size_t size,
                        vigil__ecache_entry **out) {
    if (size < sizeof(vigil_entity_rec)) return VIGIL_E_CORRUPT;
    vigil_entity_rec er;
    memcpy(&er, rec, sizeof er);
    if ((uint64_t)er.er_id_off + er.er_id_len > size) return VIGIL_E_CORRUPT;
    if ((uint64_t)er.er_anc_off + 4 * (uint64_t)er.er_anc_count > size) return VIGIL_E_CORRUPT;
    vigil__ecache_entry *set = vigil__ecache_set(rd, eid), *slot = NULL;
    for (int w = 0; w < VIGIL__WAYS && !slot; w++) if (set[w].ec_eid == eid) slot = &set[w];
    if (!slot) {
        uint64_t epoch[VIGIL__WAYS];
        uint32_t used[VIGIL__WAYS];
        for (int w = 0; w < VIGIL__WAYS; w++) { epoch[w] = set[w].ec_epoch; used[w] = set[w].ec_used; }
        slot = &set[victim_way(rd, epoch, used)];
    }
    slot->ec_eid = eid;
    slot->ec_checked = 0;
    slot->ec_p = rec;
    slot->ec_n = size;
    slot->ec_attrs_off = er.er_attrs_off;
    slot->ec_tags_off = er.er_tags_off;
    memset(&slot->ec_en, 0, sizeof slot->ec_en);
    slot->ec_en.en_type = er.er_type;
    slot->ec_en.en_flags = er.er_flags;
    slot->ec_en.en_anc = rec + er.er_anc_off;
    slot->ec_en.en_anc_count = er.er_anc_count;
    slot->ec_epoch = rd->rd_epoch;             /* ec_epoch starts at 0 and rd_epoch at 1 or more */
    slot->ec_used = (uint32_t)rd->rd_txn_serial;
    if (out) *out = slot;
    return VIGIL_OK;
}

int vigil__entity_id(vigil__reader *rd, uint32_t type, const uint8_t *id, size_t len, uint32_t *eid) {
    vigil__ucache_entry *set = NULL;
    if (type < VIGIL_TEMP_ID_BASE && len <= VIGIL__UCACHE_LEN) {
        set = &rd->rd_ucache[((key_hash(id, len) ^ type * 0x9E3779B1u) & (VIGIL__UCACHE / VIGIL__WAYS - 1)) *
                             VIGIL__WAYS];
        for (int w = 0; w < VIGIL__WAYS; w++) {
            vigil__ucache_entry *e = &set[w];
            if (e->uc_epoch == rd->rd_epoch && e->uc_type == type && e->uc_len == len &&
                vigil__bytes_eq(e->uc_bytes, id, len)) {
                e->uc_used = (uint32_t)rd->rd_txn_serial;
                *eid = e->uc_eid;
                return VIGIL_OK;
            }
        }
    }
    if (type < VIGIL_TEMP_ID_BASE && len + 4 <= 511) {
        uint8_t key[511];
        vigil__wr32(key, type);
        if (len) memcpy(key + 4, id, len);
        MDB_val k = { len + 4, key }, v;
        int rc = mdb_get(rd->rd_txn, rd->rd_ix->ix_uids, &k, &v);
        if (rc == 0) {
            if (v.mv_size < 4 + sizeof(vigil_entity_rec)) return VIGIL_E_CORRUPT;
            *eid = vigil__rd32(v.mv_data);
            if (*eid >= rd->rd_hdr.vh_entity_count) return VIGIL_E_CORRUPT; /* eids are 0 ..< vh_entity_count */
            /* The record came with the eid: cached now, the entity's first read by number costs no lookup. */
            if ((rc = cache_entity(rd, *eid, (const uint8_t *)v.mv_data + 4, v.mv_size - 4, NULL))) return rc;
            if (set) {
                uint64_t epoch[VIGIL__WAYS];
                uint32_t used[VIGIL__WAYS];
                for (int w = 0; w < VIGIL__WAYS; w++) { epoch[w] = set[w].uc_epoch; used[w] = set[w].uc_used; }
                vigil__ucache_entry *slot = &set[victim_way(rd, epoch, used)];
                slot->uc_epoch = rd->rd_epoch;
                slot->uc_type = type;
                slot->uc_eid = *eid;
                slot->uc_len = (uint32_t)len;
                slot->uc_used = (uint32_t)rd->rd_txn_serial;
                memcpy(slot->uc_bytes, id, len);
            }
            return VIGIL_OK;
        }
        if ((rc = lookup_status(rc)) < 0) return rc;
    }
    for (uint32_t i = 0; i < rd->rd_tent_count; i++) {
        vigil__temp *t = &rd->rd_tents[i];
        if (t->tp_type == type && t->tp_len == len && memcmp(t->tp_bytes, id, len) == 0) {
            *eid = VIGIL_TEMP_ID_BASE + i;
            return VIGIL_OK;
        }
    }
    if (rd->rd_tent_count == VIGIL__TEMP_MAX) return VIGIL_E_LIMIT;
    const uint8_t *copy = pool_copy(rd, id, len);
    if (!copy) return VIGIL_E_LIMIT;
    vigil__temp *t = &rd->rd_tents[rd->rd_tent_count];
    t->tp_bytes = copy;
    t->tp_len = (uint32_t)len;
    t->tp_type = type;
    *eid = VIGIL_TEMP_ID_BASE + rd->rd_tent_count++;
    return VIGIL_OK;
}

/* Checks a Record value at offset `off` of an entity record, or none at offset 0. */
static int entity_record(const uint8_t *rec, size_t size, uint32_t off, vigil_val *out) {
    out->p = NULL;
    out->n = 0;
    if (off == 0) return VIGIL_OK;
    if (off < sizeof(vigil_entity_rec) || off >= size) return VIGIL_E_CORRUPT;   /* IDX-V003 */
    uint32_t n = vigil__value_check(rec + off, size - off, VIGIL__MAX_DEPTH);
    if (n == 0 || rec[off] != VIGIL_V_RECORD) return VIGIL_E_CORRUPT;             /* IDX-V001..V004 */
    out->p = rec + off;
    out->n = n;
    return VIGIL_OK;
}

/* vigil__entity_get's slow path: a temporary entity, a record not cached yet, or one whose attributes or tags
 * are not checked yet. An entity known only by number (an ancestor, an attribute's value) is found through its
 * uid key in `entities`, then its record in `uids`. */
int vigil__entity_load(vigil__reader *rd, uint32_t eid, vigil__entity *out, int want) {
    if (eid >= VIGIL_TEMP_ID_BASE) {
        memset(out, 0, sizeof *out);
        out->en_type = VIGIL_NONE;
        uint32_t i = eid - VIGIL_TEMP_ID_BASE;
        if (i < rd->rd_tent_count) {
            out->en_type = rd->rd_tents[i].tp_type;
        }
        return 0;
    }
    int rc;
    vigil__ecache_entry *set = vigil__ecache_set(rd, eid), *slot = NULL;
    for (int w = 0; w < VIGIL__WAYS && !slot; w++)
        if (set[w].ec_eid == eid && set[w].ec_epoch == rd->rd_epoch) slot = &set[w];
    if (!slot) {
        unsigned int key = eid;
        MDB_val k = { sizeof key, &key }, uid, v;
        rc = mdb_get(rd->rd_txn, rd->rd_ix->ix_entities, &k, &uid);
        if (rc) {
            memset(out, 0, sizeof *out);
            out->en_type = VIGIL_NONE;
            return (rc = lookup_status(rc)) < 0 ? rc : 0;
        }
        if (uid.mv_size < 4 || uid.mv_size > 511) return VIGIL_E_CORRUPT;
        /* Every eid's uid key is in `uids`, with that eid: anything else is a damaged index. */
        rc = mdb_get(rd->rd_txn, rd->rd_ix->ix_uids, &uid, &v);
        if (rc) return rc == MDB_NOTFOUND ? VIGIL_E_CORRUPT : lookup_status(rc);
        if (v.mv_size < 4 || vigil__rd32(v.mv_data) != eid) return VIGIL_E_CORRUPT;
        if ((rc = cache_entity(rd, eid, (const uint8_t *)v.mv_data + 4, v.mv_size - 4, &slot))) return rc;
    }
    if (want & ~slot->ec_checked & VIGIL__WANT_ATTRS) {
        if ((rc = entity_record(slot->ec_p, slot->ec_n, slot->ec_attrs_off, &slot->ec_en.en_attrs))) return rc;
        slot->ec_checked |= VIGIL__WANT_ATTRS;
    }
    if (want & ~slot->ec_checked & VIGIL__WANT_TAGS) {
        if ((rc = entity_record(slot->ec_p, slot->ec_n, slot->ec_tags_off, &slot->ec_en.en_tags))) return rc;
        slot->ec_checked |= VIGIL__WANT_TAGS;
    }
    slot->ec_used = (uint32_t)rd->rd_txn_serial;
    *out = slot->ec_en;
    /* Only what was asked for (and so checked) is handed out. */
    if (!(want & VIGIL__WANT_ATTRS)) out->en_attrs = (vigil_val){ NULL, 0 };
    if (!(want & VIGIL__WANT_TAGS)) out->en_tags = (vigil_val){ NULL, 0 };
    return 1;
}

int vigil__entity_in(vigil__reader *rd, uint32_t a, uint32_t b) {
    if (a == b) return 1;
    vigil__entity en;
    int rc = vigil__entity_get(rd, a, &en, 0);
    return rc <= 0 ? rc : vigil__has_ancestor(&en, b);
}

int vigil__name_text(vigil__reader *rd, uint32_t id, char *buf, size_t cap) {
    if (cap == 0) return -1;
    buf[0] = 0;
    const uint8_t *b = NULL;
    size_t n = 0;
    if (id >= VIGIL_TEMP_ID_BASE) {
        if (id - VIGIL_TEMP_ID_BASE >= rd->rd_tname_count) return -1;
        b = rd->rd_tnames[id - VIGIL_TEMP_ID_BASE].tp_bytes;
        n = rd->rd_tnames[id - VIGIL_TEMP_ID_BASE].tp_len;
    } else {
        unsigned int key = id;
        MDB_val k = { sizeof key, &key }, v;
        if (mdb_get(rd->rd_txn, rd->rd_ix->ix_name_text, &k, &v)) return -1;
        b = v.mv_data;
        n = v.mv_size;
    }
    if (n >= cap) n = cap - 1;
    memcpy(buf, b, n);
    buf[n] = 0;
    return 0;
}

int vigil__policy_get(vigil__reader *rd, uint32_t num, vigil__policy *out) {
    if (num >= rd->rd_hdr.vh_policy_count) return VIGIL_E_CORRUPT;  /* IDX-A001: numbers below the count */
    if (rd->rd_pc_epoch != rd->rd_epoch) {
        /* A new generation: forget the old one's policies. */
        memset(rd->rd_pc, 0, VIGIL__PCACHE_MAX * sizeof *rd->rd_pc);
        rd->rd_pc_top = 0;
        rd->rd_pc_epoch = rd->rd_epoch;
    }
    if (num < VIGIL__PCACHE_MAX && rd->rd_pc[num].po_rec) {
        *out = rd->rd_pc[num];
        return VIGIL_OK;
    }
    unsigned int key = num;
    MDB_val k = { sizeof key, &key }, v;
    int rc = mdb_get(rd->rd_txn, rd->rd_ix->ix_policies, &k, &v);
    if (rc) return rc == MDB_NOTFOUND ? VIGIL_E_CORRUPT : lookup_status(rc);  /* every number has a record */
    const uint8_t *rec = v.mv_data;
    size_t size = v.mv_size;
    /* Keep a copy when there is room (8-byte aligned, as records are read with memcpy either way). */
    int cache = num < VIGIL__PCACHE_MAX && size <= VIGIL__PCACHE_BYTES - rd->rd_pc_top;
    if (cache) {
        memcpy(rd->rd_pc_buf + rd->rd_pc_top, rec, size);
        rec = rd->rd_pc_buf + rd->rd_pc_top;
        rd->rd_pc_top += (size + 7) & ~(size_t)7;
        if (rd->rd_pc_top > VIGIL__PCACHE_BYTES) rd->rd_pc_top = VIGIL__PCACHE_BYTES;
    }
    if (size < sizeof(vigil_policy_rec)) return VIGIL_E_CORRUPT;
    vigil_policy_rec pr;
    memcpy(&pr, rec, sizeof pr);
    /* IDX-V003 applied to the record: every region lies inside it. */
    if ((uint64_t)pr.pr_id_off + pr.pr_id_len > size || (uint64_t)pr.pr_annot_off + pr.pr_annot_len > size ||
        (uint64_t)pr.pr_code_off + pr.pr_code_len > size || (uint64_t)pr.pr_file_off + pr.pr_file_len > size ||
        (uint64_t)pr.pr_const_off + 4 * (uint64_t)pr.pr_const_count > size ||
        (uint64_t)pr.pr_span_off + 12 * (uint64_t)pr.pr_span_count > size)
        return VIGIL_E_CORRUPT;
    /* IDX-P002: a @step_up policy is a forbid with a level 1..3. */
    if ((pr.pr_flags & VIGIL_POL_STEP_UP) &&
        (!(pr.pr_flags & VIGIL_POL_FORBID) || pr.pr_step_up < 1 || pr.pr_step_up > 3))
        return VIGIL_E_CORRUPT;
    if (pr.pr_principal.sc_kind > VIGIL_SCOPE_IS_IN || pr.pr_resource.sc_kind > VIGIL_SCOPE_IS_IN)
        return VIGIL_E_CORRUPT;
    out->po_rec = rec;
    out->po_len = (uint32_t)size;
    out->po_flags = pr.pr_flags;
    out->po_step_up = pr.pr_step_up;
    out->po_max_age = pr.pr_max_age;
    out->po_expires_ms = pr.pr_expires_ms;
    out->po_principal = pr.pr_principal;
    out->po_resource = pr.pr_resource;
    out->po_code = rec + pr.pr_code_off;
    out->po_code_len = pr.pr_code_len;
    out->po_const_off = pr.pr_const_off;
    out->po_const_count = pr.pr_const_count;
    out->po_span_off = pr.pr_span_off;
    out->po_span_count = pr.pr_span_count;
    out->po_id = (vigil_val){ rec + pr.pr_id_off, pr.pr_id_len };
    out->po_annot = (vigil_val){ rec + pr.pr_annot_off, pr.pr_annot_len };
    out->po_file = (vigil_val){ rec + pr.pr_file_off, pr.pr_file_len };
    out->po_verified = 0;
    if (cache) rd->rd_pc[num] = *out;   /* only checked records are cached */
    return VIGIL_OK;
}

void vigil__policy_verified(vigil__reader *rd, uint32_t num, uint32_t uses) {
    if (rd->rd_pc_epoch == rd->rd_epoch && num < VIGIL__PCACHE_MAX && rd->rd_pc[num].po_rec) {
        rd->rd_pc[num].po_verified = 1;
        rd->rd_pc[num].po_uses = uses;
    }
}
