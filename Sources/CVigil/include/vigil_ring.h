/*
 * vigil_ring.h — the decision ring: its layout (docs/DECISION_LOG.md, ring format version 1) and the calls a
 * consumer (vigild's drainer) makes. Host processes never include this: libvigil appends to its own ring.
 *
 * THE RING
 *   A file of VIGIL_RING_HEADER_BYTES of header, then `capacity` (a power of two) slots of VIGIL_RING_SLOT_BYTES.
 *   Slot i starts with a u64 sequence number followed by one vigil_ring_record. Producers (the host's deciding
 *   threads) and the single consumer follow Vyukov's bounded queue: a producer claims position p by a
 *   compare-and-swap on the tail when slot p % capacity has sequence p, writes the record, then stores p + 1; the
 *   consumer reads slot p once its sequence is p + 1 and gives it back by storing p + capacity. A producer that
 *   finds the slot not yet given back drops the record and counts it: the ring never blocks.
 *
 * CONSUMERS
 *   Map the whole file shared, read-write (the consumer writes sequence numbers and the head), check it with
 *   vigil_ring_check(), copy complete records with vigil_ring_peek(), store them durably, then
 *   vigil_ring_release() them. Only one consumer may drain a ring at a time: vigil_ring_lock_consumer().
 *   Every function here re-checks what it reads from the mapping: a ring is written by another process and is
 *   never trusted.
 */
#ifndef VIGIL_RING_H
#define VIGIL_RING_H

#include <stddef.h>
#include <stdint.h>

#include "vigil.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_RING_MAGIC        "VIGILRNG"  /**< 8 bytes, no NUL */
#define VIGIL_RING_VERSION      1u
#define VIGIL_RING_HEADER_BYTES 4096u
#define VIGIL_RING_SLOT_BYTES   512u
#define VIGIL_RING_MIN_SLOTS    64u
#define VIGIL_RING_MAX_SLOTS    (1u << 24)
#define VIGIL_RING_DEFAULT_SLOTS 16384u      /**< 8 MiB of slots; VIGIL_RING_SLOTS overrides */

/* Header offsets (little-endian, naturally aligned). Counters live on their own cache lines. */
#define VIGIL_RING_OFF_TAIL     128u  /**< u64, atomic: positions claimed by producers = records appended */
#define VIGIL_RING_OFF_DROPPED  192u  /**< u64, atomic: records dropped because the ring was full */
#define VIGIL_RING_OFF_HEAD     256u  /**< u64, atomic: positions released by the consumer = records drained */

/** rh_flags bits. */
#define VIGIL_RING_CLOSED 0x1u   /**< the writer closed its handle: no record will be appended any more */

/** The first 128 bytes of a ring file; the counters follow at the VIGIL_RING_OFF_* offsets. */
typedef struct vigil_ring_header {
    char     rh_magic[8];        /**< VIGIL_RING_MAGIC */
    uint32_t rh_version;         /**< VIGIL_RING_VERSION */
    uint32_t rh_endian;          /**< 0x01020304 as the writer stored it */
    uint32_t rh_header_bytes;    /**< VIGIL_RING_HEADER_BYTES */
    uint32_t rh_slot_bytes;      /**< VIGIL_RING_SLOT_BYTES */
    uint32_t rh_capacity;        /**< slots, a power of two in VIGIL_RING_MIN_SLOTS..VIGIL_RING_MAX_SLOTS */
    uint32_t rh_pid;             /**< the writer's process id (in its own pid namespace) */
    uint64_t rh_start_time;      /**< the writer's start time, clock ticks after boot (/proc/self/stat field 22) */
    int64_t  rh_created_ns;      /**< when the ring was created, Unix ns */
    uint32_t rh_flags;           /**< VIGIL_RING_CLOSED; written atomically */
    uint32_t rh_reserved0;
    uint8_t  rh_reserved[72];
} vigil_ring_header;

/* Widths of the text fields of a record, in bytes. Longer texts are cut at a UTF-8 boundary and flagged. */
#define VIGIL_RING_TYPE_LEN    40
#define VIGIL_RING_ID_LEN      80
#define VIGIL_RING_ACTION_LEN  64
#define VIGIL_RING_SESSION_LEN 56
/** Policy numbers listed per record; rr_determining_count counts them all. */
#define VIGIL_RING_POLICIES    8

/** rr_truncated bits: which text did not fit its field. */
#define VIGIL_RING_TRUNC_PRINCIPAL_TYPE 0x01u
#define VIGIL_RING_TRUNC_PRINCIPAL_ID   0x02u
#define VIGIL_RING_TRUNC_ACTION_TYPE    0x04u
#define VIGIL_RING_TRUNC_ACTION_ID      0x08u
#define VIGIL_RING_TRUNC_RESOURCE_TYPE  0x10u
#define VIGIL_RING_TRUNC_RESOURCE_ID    0x20u
#define VIGIL_RING_TRUNC_SESSION        0x40u

/** rr_kind: which call made the decision. */
#define VIGIL_RING_KIND_DECIDE  0
#define VIGIL_RING_KIND_BATCH   1
#define VIGIL_RING_KIND_EXPLAIN 2

/** Text fields, in record order: indexes into rr_len, and bit numbers of rr_truncated. */
#define VIGIL_RING_F_PRINCIPAL_TYPE 0
#define VIGIL_RING_F_PRINCIPAL_ID   1
#define VIGIL_RING_F_ACTION_TYPE    2
#define VIGIL_RING_F_ACTION_ID      3
#define VIGIL_RING_F_RESOURCE_TYPE  4
#define VIGIL_RING_F_RESOURCE_ID    5
#define VIGIL_RING_F_SESSION        6
#define VIGIL_RING_F__COUNT         7

/** One decision: 504 bytes, after the slot's u64 sequence number. */
typedef struct vigil_ring_record {
    int64_t  rr_time_ns;         /**< when the decision ended, Unix ns (CLOCK_REALTIME) */
    uint64_t rr_generation;      /**< the index generation decided at (0 when the index could not be read) */
    uint64_t rr_eval_ns;         /**< how long the decision took, ns (CLOCK_MONOTONIC) */
    int32_t  rr_status;          /**< what the call returned for this decision: VIGIL_OK or a VIGIL_E_* */
    uint8_t  rr_effect;          /**< VIGIL_ALLOW, VIGIL_DENY, VIGIL_STEP_UP */
    uint8_t  rr_reason;          /**< a VIGIL_REASON_* */
    uint8_t  rr_step_up_level;   /**< for STEP_UP: 1..3 */
    uint8_t  rr_kind;            /**< a VIGIL_RING_KIND_* */
    uint32_t rr_max_age;         /**< for STEP_UP: seconds; UINT32_MAX when none */
    uint32_t rr_determining_count;
    uint32_t rr_error_count;
    uint32_t rr_truncated;       /**< VIGIL_RING_TRUNC_* bits */
    uint32_t rr_principal_eid;   /**< the entity's number in rr_generation, or VIGIL_RING_NO_EID */
    uint32_t rr_action_eid;
    uint32_t rr_resource_eid;
    uint32_t rr_batch_index;     /**< the pair's position in a vigil_decide_batch call, else 0 */
    uint32_t rr_determining[VIGIL_RING_POLICIES]; /**< the first determining policy numbers, ascending */
    uint8_t  rr_len[VIGIL_RING_F__COUNT + 1];     /**< bytes used in each text field (the last byte is padding) */
    char     rr_principal_type[VIGIL_RING_TYPE_LEN];
    char     rr_principal_id[VIGIL_RING_ID_LEN];
    char     rr_action_type[VIGIL_RING_TYPE_LEN];
    char     rr_action_id[VIGIL_RING_ACTION_LEN];
    char     rr_resource_type[VIGIL_RING_TYPE_LEN];
    char     rr_resource_id[VIGIL_RING_ID_LEN];
    char     rr_session[VIGIL_RING_SESSION_LEN];  /**< the request's session id; rr_len 0 without one */
} vigil_ring_record;

/** rr_*_eid when the index does not know the entity (or the decision failed before resolving it). */
#define VIGIL_RING_NO_EID 0xFFFFFFFFu

/** What vigil_ring_check() read from a header: a snapshot. */
typedef struct vigil_ring_info {
    uint32_t capacity;
    uint32_t pid;
    uint64_t start_time;
    int64_t  created_ns;
    uint32_t flags;              /**< VIGIL_RING_CLOSED */
    uint64_t appended;           /**< the tail */
    uint64_t dropped;
    uint64_t drained;            /**< the head */
} vigil_ring_info;

/**
 * @brief Checks a mapped ring file and reads its header.
 * @param[in]  map   the file, mapped whole
 * @param[in]  size  the mapping's size in bytes
 * @param[out] info  the header's values
 * @return VIGIL_OK; VIGIL_E_INVALID_ARG; VIGIL_E_NOT_INDEX (not a ring: bad magic); VIGIL_E_VERSION;
 *         VIGIL_E_CORRUPT (sizes or capacity inconsistent with the file's size).
 */
VIGIL_API int vigil_ring_check(const void *map, size_t size, vigil_ring_info *info);

/**
 * @brief Copies complete records in order, starting at position `from` (the head, or past records already
 *        copied and not yet released), stopping at the first slot whose record is not complete.
 * @param[out] out        room for `max` records
 * @param[out] positions  NULL, or room for `max` u64: each record's position
 * @return the number of records copied (0 when the ring is not valid).
 */
VIGIL_API size_t vigil_ring_peek(const void *map, size_t size, uint64_t from, vigil_ring_record *out,
                                 uint64_t *positions, size_t max);

/**
 * @brief Gives `count` slots from the head back to the producers and advances the head. The caller must have
 *        copied them (vigil_ring_peek) or be skipping them (vigil_ring_skip_stalled).
 * @return VIGIL_OK; VIGIL_E_INVALID_ARG when the ring is not valid or `count` passes a slot not yet complete.
 */
VIGIL_API int vigil_ring_release(void *map, size_t size, uint64_t count);

/**
 * @brief When the writer is gone (vigil_ring_writer_gone() said so), releases the slot at the head if a
 *        producer claimed it but never completed its record (the process died while writing).
 * @return 1 when a slot was skipped, 0 when the head slot is not stalled, VIGIL_E_INVALID_ARG.
 */
VIGIL_API int vigil_ring_skip_stalled(void *map, size_t size);

/**
 * @brief Whether the process that writes the ring open on `fd` is gone (closed its handle, exited or was
 *        killed). Writers hold a shared open-file-description lock on byte 0 for their handle's lifetime; the
 *        kernel drops it when the process dies, whatever its pid namespace.
 * @return 1 gone, 0 still writing, VIGIL_E_IO when the lock cannot be tested.
 */
VIGIL_API int vigil_ring_writer_gone(int fd);

/**
 * @brief Makes the caller the ring's only consumer while `fd` stays open (an exclusive lock on byte 1).
 * @return VIGIL_OK; VIGIL_E_LIMIT when another consumer holds it; VIGIL_E_IO.
 */
VIGIL_API int vigil_ring_lock_consumer(int fd);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_RING_H */
