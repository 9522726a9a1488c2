/*
 * ring.c — the decision log: each handle's shared-memory ring of fixed-size decision records (vigil_ring.h,
 * docs/DECISION_LOG.md), the producer side that vigil_decide and friends call, and the consumer's checked calls.
 *
 * Producers are the host's deciding threads: appending is Vyukov's bounded queue (a slot sequence number per
 * slot, a compare-and-swap on the tail), lock-free, with C11 atomics on the shared mapping (lock-free 64-bit
 * atomics are address-free, so they work across processes). A full ring drops the record and counts it; the
 * producer never waits for the consumer. Creating the ring (open, ftruncate, mmap, a lock) happens in
 * vigil_index_open, the cold path; appending makes no system call and allocates nothing.
 */
#define _GNU_SOURCE  /* F_OFD_* locks; before any system header */
#include "vigil_internal.h"
#include "vigil_ring.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

_Static_assert(sizeof(vigil_ring_header) == 128, "ring header layout");
_Static_assert(sizeof(vigil_ring_record) + 8 == VIGIL_RING_SLOT_BYTES, "ring slot layout");
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "shared-memory atomics must be lock-free to be address-free");

/** A handle's ring. */
struct vigil__ring {
    uint8_t *rg_map;
    size_t rg_size;
    uint8_t *rg_slots;
    uint64_t rg_mask;
    _Atomic uint64_t *rg_tail, *rg_dropped;
    /* Wall time = CLOCK_MONOTONIC + rg_offset, so a record needs only the monotonic reading its decision took
     * anyway; the offset is re-read from CLOCK_REALTIME once a second (rg_synced, monotonic ns) to follow steps
     * of the wall clock. Benign races: any thread may refresh it, every value written is a correct offset. */
    _Atomic int64_t rg_offset;
    _Atomic uint64_t rg_synced;
    int rg_fd;
    char rg_path[4096];
};

static _Atomic uint64_t *counter(const void *map, size_t off) { return (_Atomic uint64_t *)((uint8_t *)map + off); }
static _Atomic uint64_t *slot_seq(uint8_t *slots, uint64_t mask, uint64_t pos) {
    return (_Atomic uint64_t *)(slots + (size_t)(pos & mask) * VIGIL_RING_SLOT_BYTES);
}

/* ---- Creating and closing (cold) ---- */

/* The process's start time in clock ticks after boot (/proc/self/stat field 22), or 0 where there is no /proc. */
static VIGIL__COLD uint64_t start_time(void) {
    char buf[1024];
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    /* The command name (field 2) may hold spaces and parentheses: count fields after the last ')'. */
    char *p = strrchr(buf, ')');
    if (!p) return 0;
    for (int field = 2; field < 22 && p; field++) p = strchr(p + 1, ' ');
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

static VIGIL__COLD uint32_t ring_slots(void) {
    const char *env = getenv("VIGIL_RING_SLOTS");
    unsigned long long want = env && *env ? strtoull(env, NULL, 10) : VIGIL_RING_DEFAULT_SLOTS;
    uint32_t n = VIGIL_RING_MIN_SLOTS;
    while (n < want && n < VIGIL_RING_MAX_SLOTS) n <<= 1;
    return n;
}

/* The ring directory: VIGIL_RING_DIR (created when missing), else <index>/rings when it exists. 1 with `dir`
 * set, 0 when there is none (logging off), -1 when VIGIL_RING_DIR names something unusable. */
static VIGIL__COLD int ring_dir(const char *index_path, char *dir, size_t cap) {
    struct stat st;
    const char *env = getenv("VIGIL_RING_DIR");
    if (env && *env) {
        if ((size_t)snprintf(dir, cap, "%s", env) >= cap) return -1;
        if (stat(dir, &st) != 0 && mkdir(dir, 0750) != 0 && errno != EEXIST) return -1;
        return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? 1 : -1;
    }
    if ((size_t)snprintf(dir, cap, "%s/rings", index_path) >= cap) return 0;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? 1 : 0;
}

static VIGIL__COLD int64_t realtime_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* An open-file-description lock on one byte: dropped by the kernel when the file's last descriptor closes, so
 * also when the process dies, and (unlike POSIX record locks) it conflicts within one process too. */
static int ofd_lock(int fd, short type, off_t byte) {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = byte;
    fl.l_len = 1;
    return fcntl(fd, F_OFD_SETLK, &fl);
}

/* Creates the file exclusively: the name carries pid, start time and creation time, and O_EXCL guarantees that no
 * handle ever appends to a ring another process (or an earlier one with a reused pid) wrote. */
static VIGIL__COLD int ring_create(vigil__ring *rg, const char *dir, uint32_t pid, uint64_t started, int64_t *created) {
    for (int attempt = 0; attempt < 8; attempt++) {
        *created = realtime_ns() + attempt;
        if ((size_t)snprintf(rg->rg_path, sizeof rg->rg_path, "%s/vigil-%u-%llu-%lld.ring", dir, pid,
                (unsigned long long)started, (long long)*created) >= sizeof rg->rg_path)
            return VIGIL_E_IO;
        int fd = open(rg->rg_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
        if (fd >= 0) return fd;
        if (errno != EEXIST) return VIGIL_E_IO;
    }
    return VIGIL_E_IO;
}

VIGIL__COLD void vigil__ring_open(vigil_index *ix, const char *index_path) {
    ix->ix_ring = NULL;
    ix->ix_ring_status = VIGIL_E_NOT_FOUND;
    if (ix->ix_flags & VIGIL_OPEN_NO_LOG) return;
    char dir[4096];
    int found = ring_dir(index_path, dir, sizeof dir);
    if (found <= 0) { ix->ix_ring_status = found < 0 ? VIGIL_E_IO : VIGIL_E_NOT_FOUND; return; }
    ix->ix_ring_status = VIGIL_E_IO;
    vigil__ring *rg = calloc(1, sizeof *rg);
    if (!rg) { ix->ix_ring_status = VIGIL_E_NOMEM; return; }
    uint32_t slots = ring_slots(), pid = (uint32_t)getpid();
    uint64_t started = start_time();
    int64_t created;
    rg->rg_fd = ring_create(rg, dir, pid, started, &created);
    if (rg->rg_fd < 0) { free(rg); return; }
    rg->rg_size = VIGIL_RING_HEADER_BYTES + (size_t)slots * VIGIL_RING_SLOT_BYTES;
    /* The writer's lock first: a drainer that finds the file before the header is written must not take the
     * writer for gone. fchmod because the umask may have narrowed the mode: 0640 is deliberate (the group may
     * read decisions, only the owner writes). */
    if (ofd_lock(rg->rg_fd, F_RDLCK, 0) != 0 || fchmod(rg->rg_fd, 0640) != 0 ||
        ftruncate(rg->rg_fd, (off_t)rg->rg_size) != 0)
        goto fail;
    void *map = mmap(NULL, rg->rg_size, PROT_READ | PROT_WRITE, MAP_SHARED, rg->rg_fd, 0);
    if (map == MAP_FAILED) goto fail;
    rg->rg_map = map;
    rg->rg_slots = rg->rg_map + VIGIL_RING_HEADER_BYTES;
    rg->rg_mask = slots - 1;
    uint64_t mono = vigil__mono_ns();
    atomic_init(&rg->rg_offset, realtime_ns() - (int64_t)mono);
    atomic_init(&rg->rg_synced, mono);
    rg->rg_tail = counter(map, VIGIL_RING_OFF_TAIL);
    rg->rg_dropped = counter(map, VIGIL_RING_OFF_DROPPED);
    /* Every slot's sequence starts at its index; writing them also faults every page in now, not while deciding. */
    for (uint64_t i = 0; i < slots; i++) atomic_store_explicit(slot_seq(rg->rg_slots, rg->rg_mask, i), i,
            memory_order_relaxed);
    atomic_store_explicit(rg->rg_tail, 0, memory_order_relaxed);
    atomic_store_explicit(rg->rg_dropped, 0, memory_order_relaxed);
    atomic_store_explicit(counter(map, VIGIL_RING_OFF_HEAD), 0, memory_order_relaxed);
    vigil_ring_header h;
    memset(&h, 0, sizeof h);
    h.rh_version = VIGIL_RING_VERSION;
    h.rh_endian = 0x01020304u;
    h.rh_header_bytes = VIGIL_RING_HEADER_BYTES;
    h.rh_slot_bytes = VIGIL_RING_SLOT_BYTES;
    h.rh_capacity = slots;
    h.rh_pid = pid;
    h.rh_start_time = started;
    h.rh_created_ns = created;
    memcpy(rg->rg_map + 8, (const uint8_t *)&h + 8, sizeof h - 8);
    /* The magic last, after a release fence: a consumer that sees it sees an initialised ring. */
    atomic_thread_fence(memory_order_release);
    memcpy(rg->rg_map, VIGIL_RING_MAGIC, 8);
    ix->ix_ring = rg;
    ix->ix_ring_status = VIGIL_OK;
    return;
fail:
    if (rg->rg_map) munmap(rg->rg_map, rg->rg_size);
    unlink(rg->rg_path);
    close(rg->rg_fd);
    free(rg);
}

VIGIL__COLD void vigil__ring_close(vigil_index *ix) {
    vigil__ring *rg = ix->ix_ring;
    if (!rg) return;
    _Atomic uint32_t *flags = (_Atomic uint32_t *)(rg->rg_map + offsetof(vigil_ring_header, rh_flags));
    atomic_fetch_or_explicit(flags, VIGIL_RING_CLOSED, memory_order_release);
    munmap(rg->rg_map, rg->rg_size);
    close(rg->rg_fd);   /* drops the writer's lock */
    free(rg);
    ix->ix_ring = NULL;
}

VIGIL_API int vigil_log_stats(vigil_index *ix, uint64_t *appended, uint64_t *dropped) {
    if (!ix) return VIGIL_E_INVALID_ARG;
    if (!ix->ix_ring) return ix->ix_ring_status;
    if (appended) *appended = atomic_load_explicit(ix->ix_ring->rg_tail, memory_order_relaxed);
    if (dropped) *dropped = atomic_load_explicit(ix->ix_ring->rg_dropped, memory_order_relaxed);
    return VIGIL_OK;
}

VIGIL_API int vigil_log_path(vigil_index *ix, char *buf, size_t cap) {
    if (!ix || !buf || cap == 0) return VIGIL_E_INVALID_ARG;
    buf[0] = 0;
    if (!ix->ix_ring) return ix->ix_ring_status;
    return (size_t)snprintf(buf, cap, "%s", ix->ix_ring->rg_path) >= cap ? VIGIL_E_BUFFER : VIGIL_OK;
}

/* ---- Appending (hot) ---- */

uint64_t vigil__mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);  /* vDSO, not a system call */
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Copies a caller's text into a field, cut at a UTF-8 character boundary when it does not fit. Bytes past the
 * length are left as they are (docs/DECISION_LOG.md: unspecified). */
static uint32_t put_text(vigil_ring_record *r, int field, char *dst, size_t width, const char *src, size_t len) {
    uint32_t cut_flag = 0;
    if (!src) len = 0;
    if (len > width) {
        size_t cut = width;
        while (cut > 0 && ((uint8_t)src[cut] & 0xC0) == 0x80) cut--;
        len = cut;
        cut_flag = 1u << field;
    }
    if (len) memcpy(dst, src, len);
    r->rr_len[field] = (uint8_t)len;
    return cut_flag;
}

static uint32_t stored_eid(uint32_t eid) { return eid >= VIGIL_TEMP_ID_BASE ? VIGIL_RING_NO_EID : eid; }

/* Claims the next position: its slot, or NULL when the ring is full (the record is then counted as dropped). The
 * loop retries only when another producer moved the tail (lock-free); a sequence number that never fits (a
 * damaged ring) drops too, so a producer never spins. */
static _Atomic uint64_t *ring_claim(vigil__ring *rg, uint64_t *claimed) {
    uint64_t pos = atomic_load_explicit(rg->rg_tail, memory_order_relaxed);
    for (int attempt = 0; attempt < 4096; attempt++) {
        _Atomic uint64_t *seq = slot_seq(rg->rg_slots, rg->rg_mask, pos);
        int64_t diff = (int64_t)(atomic_load_explicit(seq, memory_order_acquire) - pos);
        if (diff == 0) {
            if (atomic_compare_exchange_weak_explicit(rg->rg_tail, &pos, pos + 1, memory_order_relaxed,
                    memory_order_relaxed)) {
                *claimed = pos;
                return seq;
            }
        } else if (diff < 0) {
            break;  /* the slot still holds a record the consumer has not released: full */
        } else {
            pos = atomic_load_explicit(rg->rg_tail, memory_order_relaxed);
        }
    }
    atomic_fetch_add_explicit(rg->rg_dropped, 1, memory_order_relaxed);
    return NULL;
}

/* Wall time for a monotonic reading (see rg_offset). */
static int64_t wall_ns(vigil__ring *rg, uint64_t mono) {
    if (mono - atomic_load_explicit(&rg->rg_synced, memory_order_relaxed) > 1000000000u) {
        atomic_store_explicit(&rg->rg_synced, mono, memory_order_relaxed);
        atomic_store_explicit(&rg->rg_offset, realtime_ns() - (int64_t)vigil__mono_ns(), memory_order_relaxed);
    }
    return (int64_t)mono + atomic_load_explicit(&rg->rg_offset, memory_order_relaxed);
}

void vigil__ring_log(vigil__ring *rg, const vigil__log *lg) {
    uint64_t pos;
    _Atomic uint64_t *seq = ring_claim(rg, &pos);
    if (!seq) return;
    /* Written in place, between the claim and the release store: no copy, and only the bytes that matter. */
    vigil_ring_record *r = (vigil_ring_record *)((uint8_t *)seq + 8);
    const vigil_result *res = lg->result;
    r->rr_time_ns = wall_ns(rg, lg->end_mono);
    r->rr_generation = res->generation;
    r->rr_eval_ns = lg->eval_ns;
    r->rr_status = lg->status;
    r->rr_effect = (uint8_t)res->effect;
    r->rr_reason = (uint8_t)res->reason;
    r->rr_step_up_level = (uint8_t)res->step_up_level;
    r->rr_kind = (uint8_t)lg->kind;
    r->rr_max_age = res->max_age;
    r->rr_determining_count = res->determining_count;
    r->rr_error_count = res->error_count;
    r->rr_principal_eid = stored_eid(lg->eids[0]);
    r->rr_action_eid = stored_eid(lg->eids[1]);
    r->rr_resource_eid = stored_eid(lg->eids[2]);
    r->rr_batch_index = lg->batch_index;
    /* Only the listed numbers: past determining_count a result keeps an earlier decision's (vigil.h), and the
     * record's unused entries are zeros (docs/DECISION_LOG.md). */
    uint32_t listed = res->determining_count < VIGIL_RING_POLICIES ? res->determining_count : VIGIL_RING_POLICIES;
    memcpy(r->rr_determining, res->determining, listed * sizeof r->rr_determining[0]);
    memset(r->rr_determining + listed, 0, (VIGIL_RING_POLICIES - listed) * sizeof r->rr_determining[0]);
    const vigil_request *b = lg->base, *a = lg->act, *s = lg->res;
    uint32_t cut = 0;
    cut |= put_text(r, VIGIL_RING_F_PRINCIPAL_TYPE, r->rr_principal_type, VIGIL_RING_TYPE_LEN,
            b ? b->principal_type : NULL, b ? b->principal_type_len : 0);
    cut |= put_text(r, VIGIL_RING_F_PRINCIPAL_ID, r->rr_principal_id, VIGIL_RING_ID_LEN,
            b ? b->principal_id : NULL, b ? b->principal_id_len : 0);
    cut |= put_text(r, VIGIL_RING_F_SESSION, r->rr_session, VIGIL_RING_SESSION_LEN,
            b ? b->session_id : NULL, b ? b->session_id_len : 0);
    cut |= put_text(r, VIGIL_RING_F_ACTION_TYPE, r->rr_action_type, VIGIL_RING_TYPE_LEN,
            a ? a->action_type : NULL, a ? a->action_type_len : 0);
    cut |= put_text(r, VIGIL_RING_F_ACTION_ID, r->rr_action_id, VIGIL_RING_ACTION_LEN,
            a ? a->action_id : NULL, a ? a->action_id_len : 0);
    cut |= put_text(r, VIGIL_RING_F_RESOURCE_TYPE, r->rr_resource_type, VIGIL_RING_TYPE_LEN,
            s ? s->resource_type : NULL, s ? s->resource_type_len : 0);
    cut |= put_text(r, VIGIL_RING_F_RESOURCE_ID, r->rr_resource_id, VIGIL_RING_ID_LEN,
            s ? s->resource_id : NULL, s ? s->resource_id_len : 0);
    r->rr_truncated = cut;
    atomic_store_explicit(seq, pos + 1, memory_order_release);
    /* The ring is far larger than the caches, so every slot is cold when its turn comes, and writing it stalled on
     * memory inside the decision. Fetching the next slot now, for writing, lets that happen while the host does
     * its own work; if another thread claims it, nothing is lost but the hint. */
    uint8_t *next = (uint8_t *)slot_seq(rg->rg_slots, rg->rg_mask, pos + 1);
    for (size_t line = 0; line < VIGIL_RING_SLOT_BYTES; line += 64) __builtin_prefetch(next + line, 1, 3);
}

/* ---- The consumer's calls ---- */

VIGIL_API int vigil_ring_check(const void *map, size_t size, vigil_ring_info *info) {
    if (!map || !info || size < VIGIL_RING_HEADER_BYTES) return VIGIL_E_INVALID_ARG;
    memset(info, 0, sizeof *info);
    if (memcmp(map, VIGIL_RING_MAGIC, 8) != 0) return VIGIL_E_NOT_INDEX;
    atomic_thread_fence(memory_order_acquire);
    vigil_ring_header h;
    memcpy(&h, map, sizeof h);
    if (h.rh_version != VIGIL_RING_VERSION) return VIGIL_E_VERSION;
    uint32_t cap = h.rh_capacity;
    if (h.rh_endian != 0x01020304u || h.rh_header_bytes != VIGIL_RING_HEADER_BYTES ||
        h.rh_slot_bytes != VIGIL_RING_SLOT_BYTES || cap < VIGIL_RING_MIN_SLOTS || cap > VIGIL_RING_MAX_SLOTS ||
        (cap & (cap - 1)) != 0 || size < VIGIL_RING_HEADER_BYTES + (size_t)cap * VIGIL_RING_SLOT_BYTES)
        return VIGIL_E_CORRUPT;
    info->capacity = cap;
    info->pid = h.rh_pid;
    info->start_time = h.rh_start_time;
    info->created_ns = h.rh_created_ns;
    info->flags = atomic_load_explicit((_Atomic uint32_t *)((uint8_t *)map + offsetof(vigil_ring_header, rh_flags)),
            memory_order_acquire);
    info->appended = atomic_load_explicit(counter(map, VIGIL_RING_OFF_TAIL), memory_order_acquire);
    info->dropped = atomic_load_explicit(counter(map, VIGIL_RING_OFF_DROPPED), memory_order_relaxed);
    info->drained = atomic_load_explicit(counter(map, VIGIL_RING_OFF_HEAD), memory_order_acquire);
    return VIGIL_OK;
}

VIGIL_API size_t vigil_ring_peek(const void *map, size_t size, uint64_t from, vigil_ring_record *out,
                                 uint64_t *positions, size_t max) {
    vigil_ring_info info;
    if (!out || vigil_ring_check(map, size, &info) != VIGIL_OK) return 0;
    uint8_t *slots = (uint8_t *)map + VIGIL_RING_HEADER_BYTES;
    uint64_t mask = info.capacity - 1;
    size_t n = 0;
    while (n < max) {
        uint64_t pos = from + n;
        _Atomic uint64_t *seq = slot_seq(slots, mask, pos);
        if (atomic_load_explicit(seq, memory_order_acquire) != pos + 1) break;
        memcpy(&out[n], (uint8_t *)seq + 8, sizeof *out);
        if (positions) positions[n] = pos;
        n++;
    }
    return n;
}

VIGIL_API int vigil_ring_release(void *map, size_t size, uint64_t count) {
    vigil_ring_info info;
    if (vigil_ring_check(map, size, &info) != VIGIL_OK) return VIGIL_E_INVALID_ARG;
    uint8_t *slots = (uint8_t *)map + VIGIL_RING_HEADER_BYTES;
    uint64_t mask = info.capacity - 1, head = info.drained;
    _Atomic uint64_t *headp = counter(map, VIGIL_RING_OFF_HEAD);
    for (uint64_t i = 0; i < count; i++) {
        _Atomic uint64_t *seq = slot_seq(slots, mask, head + i);
        if (atomic_load_explicit(seq, memory_order_acquire) != head + i + 1) {
            atomic_store_explicit(headp, head + i, memory_order_release);
            return VIGIL_E_INVALID_ARG;
        }
        atomic_store_explicit(seq, head + i + info.capacity, memory_order_release);
    }
    atomic_store_explicit(headp, head + count, memory_order_release);
    return VIGIL_OK;
}

VIGIL_API int vigil_ring_skip_stalled(void *map, size_t size) {
    vigil_ring_info info;
    if (vigil_ring_check(map, size, &info) != VIGIL_OK) return VIGIL_E_INVALID_ARG;
    uint64_t head = info.drained;
    if (head >= info.appended) return 0;
    _Atomic uint64_t *seq = slot_seq((uint8_t *)map + VIGIL_RING_HEADER_BYTES, info.capacity - 1, head);
    if (atomic_load_explicit(seq, memory_order_acquire) != head) return 0;  /* claimed, never completed */
    atomic_store_explicit(seq, head + info.capacity, memory_order_release);
    atomic_store_explicit(counter(map, VIGIL_RING_OFF_HEAD), head + 1, memory_order_release);
    return 1;
}

VIGIL_API int vigil_ring_writer_gone(int fd) {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 1;
    if (fcntl(fd, F_OFD_GETLK, &fl) != 0) return VIGIL_E_IO;
    return fl.l_type == F_UNLCK;
}

VIGIL_API int vigil_ring_lock_consumer(int fd) {
    if (ofd_lock(fd, F_WRLCK, 1) == 0) return VIGIL_OK;
    return errno == EAGAIN || errno == EACCES ? VIGIL_E_LIMIT : VIGIL_E_IO;
}
