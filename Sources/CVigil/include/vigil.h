/*
 * vigil.h — deciding Cedar authorization requests against a Vigil index.
 *
 * OVERVIEW
 *   vigild (the sidecar) compiles Cedar policies and entity data into an LMDB environment, the *index*, and is its
 *   only writer. A host process opens the index read-only with vigil_index_open() and decides requests with
 *   vigil_decide(): it looks up the request's entities, picks the candidate policies through the index, runs their
 *   compiled conditions and combines the effects exactly as Cedar does. Deciding takes no lock, makes no system
 *   call and allocates nothing once a thread has made its first decision.
 *
 *   Decisions are ALLOW, DENY or STEP_UP. STEP_UP is Vigil's extension: some permit holds and every satisfied
 *   forbid carries `@step_up("N")`; the host sends the user through stronger authentication, after which the same
 *   request is allowed. Without Vigil annotations every decision equals Cedar's (STEP_UP counting as deny).
 *
 * CAVEATS
 *   - Fail closed: any error (missing, corrupt or unknown-version index, bad arguments) returns a negative status
 *     and sets the result to DENY, unless the handle was opened with VIGIL_OPEN_FAIL_OPEN, in which case errors
 *     that concern the index itself (not the request) set ALLOW. Always check the status.
 *   - fork(): do not use a handle in a child process; open a new one there (an LMDB rule).
 *   - Reader slots: every thread that decides holds one LMDB reader slot for the life of the handle. A process
 *     killed with SIGKILL leaves its slots behind until the sidecar clears them (mdb_reader_check).
 *   - Map size: the sidecar sizes the map once, up front; readers never need to handle a resize.
 *   - Memory: results are written into caller-owned structs. Nothing returned needs freeing. No pointer into the
 *     index is ever returned: ids and messages are copied into caller buffers.
 *
 * THREADS
 *   A vigil_index handle may be shared by any number of threads. Each thread gets its own read transaction and
 *   scratch space on its first decision (the only allocation); they are released by vigil_index_close().
 *
 * DECISION LOG
 *   Unless opened with VIGIL_OPEN_NO_LOG, a handle appends a fixed-size record of every decision (vigil_decide,
 *   each pair of vigil_decide_batch, vigil_explain) to a shared-memory ring file that vigild drains into the
 *   audit trail (docs/DECISION_LOG.md). The ring lives in the directory named by the environment variable
 *   VIGIL_RING_DIR, else in `<index>/rings/` when that directory exists; otherwise nothing is logged. Appending
 *   takes no lock and never waits: when the ring is full the record is dropped and counted (vigil_log_stats).
 *
 * STATUS CODES
 *   Every function returns VIGIL_OK (0) or a negative VIGIL_E_* code; vigil_strerror() describes one.
 *   The decision itself is in vigil_result.effect, never in the status.
 */
#ifndef VIGIL_H
#define VIGIL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define VIGIL_API __attribute__((visibility("default")))
#else
#define VIGIL_API
#endif

/** Library version, as numbers and as "MAJOR.MINOR.PATCH". */
#define VIGIL_VERSION_MAJOR 0
#define VIGIL_VERSION_MINOR 1
#define VIGIL_VERSION_PATCH 0

/* ---- Status codes (negative; Vigil's own range, never errno or LMDB codes passed through). ---- */
#define VIGIL_OK                0
#define VIGIL_E_INVALID_ARG   -32001 /**< a NULL pointer, a length too large, a bad flag */
#define VIGIL_E_NOT_FOUND     -32002 /**< the index directory or its files do not exist */
#define VIGIL_E_IO            -32003 /**< the index exists but cannot be opened or read (permissions, LMDB error) */
#define VIGIL_E_NOT_INDEX     -32004 /**< the environment has no Vigil header (bad magic) */
#define VIGIL_E_VERSION       -32005 /**< the index format version is not one this library reads */
#define VIGIL_E_CORRUPT       -32006 /**< a bounds or consistency check on index bytes failed */
#define VIGIL_E_STALE         -32007 /**< reserved for a staleness limit on the index; not returned by this version */
#define VIGIL_E_CONTEXT       -32008 /**< the context JSON is malformed or too large */
#define VIGIL_E_LIMIT         -32009 /**< the request needs more scratch space than the handle allows */
#define VIGIL_E_NOMEM         -32010 /**< the first decision on a thread could not allocate its scratch space */
#define VIGIL_E_BUFFER        -32011 /**< a caller buffer was too small; the output was truncated */
#define VIGIL_E_LAST          -32011

/* ---- Effects. ---- */
#define VIGIL_DENY    0
#define VIGIL_ALLOW   1
#define VIGIL_STEP_UP 2

/* ---- Why the decision came out as it did (vigil_result.reason). ---- */
#define VIGIL_REASON_POLICIES        0 /**< decided by policies: see determining[] (empty for a default deny) */
#define VIGIL_REASON_SESSION_REVOKED 1 /**< the session was revoked; no policy ran */
#define VIGIL_REASON_SESSION_EXPIRED 2 /**< the session expired; no policy ran */
#define VIGIL_REASON_SESSION_UNKNOWN 3 /**< the session id is not in the index; no policy ran */
#define VIGIL_REASON_ERROR           4 /**< the status was an error; effect follows the handle's fail mode */

/* ---- vigil_index_open() flags. ---- */
#define VIGIL_OPEN_FAIL_OPEN 0x1u /**< index errors decide ALLOW instead of DENY (explicit opt-in) */
#define VIGIL_OPEN_NO_LOG    0x2u /**< append no decision record to a ring, even where a ring directory exists */

/** Most policies listed in one result (determining or erroring); more are counted but not listed. */
#define VIGIL_RESULT_MAX_POLICIES 64

/** An opaque handle on an open index. */
typedef struct vigil_index vigil_index;

/** One request. Strings are UTF-8 with explicit lengths and need not be NUL-terminated. */
typedef struct vigil_request {
    const char *principal_type; size_t principal_type_len; /**< e.g. "User" or "NS::User" */
    const char *principal_id;   size_t principal_id_len;   /**< e.g. "alice" (not quoted) */
    const char *action_type;    size_t action_type_len;    /**< e.g. "Action" */
    const char *action_id;      size_t action_id_len;
    const char *resource_type;  size_t resource_type_len;
    const char *resource_id;    size_t resource_id_len;
    const char *context_json;   size_t context_json_len;   /**< a JSON object in Cedar's format, or NULL for {} */
    const char *session_id;     size_t session_id_len;     /**< NULL when the request has no session */
    int64_t     now_ms;         /**< the decision time (Unix ms) for expiry checks; 0 means the system clock */
} vigil_request;

/** The outcome of one decision. Policies are named by number; vigil_policy_id() gives their ids. Each array holds
 *  min(count, VIGIL_RESULT_MAX_POLICIES) meaningful entries; those after them are unspecified. */
typedef struct vigil_result {
    int32_t  effect;          /**< VIGIL_ALLOW, VIGIL_DENY or VIGIL_STEP_UP */
    int32_t  reason;          /**< a VIGIL_REASON_* */
    uint64_t generation;      /**< the index generation the decision was made at */
    uint32_t step_up_level;   /**< for STEP_UP: the highest required assurance level (1..3) */
    uint32_t max_age;         /**< for STEP_UP: the smallest required max age in seconds; UINT32_MAX if none */
    uint32_t determining_count;                          /**< policies that determined the effect (may exceed the array) */
    uint32_t error_count;                                /**< policies whose evaluation raised an error */
    uint32_t determining[VIGIL_RESULT_MAX_POLICIES];     /**< policy numbers, ascending */
    uint32_t errored[VIGIL_RESULT_MAX_POLICIES];         /**< policy numbers, ascending */
    uint32_t error_kind[VIGIL_RESULT_MAX_POLICIES];      /**< a VIGIL_ERR_* per errored policy */
    uint32_t error_pc[VIGIL_RESULT_MAX_POLICIES];        /**< where in the policy's code, for messages */
} vigil_result;

/* Evaluation error kinds (vigil_result.error_kind), as Cedar distinguishes them. */
#define VIGIL_ERR_TYPE             1 /**< an operand of the wrong type */
#define VIGIL_ERR_OVERFLOW         2 /**< integer overflow in + - * or negation, or in an extension function */
#define VIGIL_ERR_MISSING_ATTR     3 /**< attribute not present on a record or entity */
#define VIGIL_ERR_MISSING_ENTITY   4 /**< attribute or tag read on an entity that is not in the index */
#define VIGIL_ERR_MISSING_TAG      5 /**< tag not present on the entity */
#define VIGIL_ERR_EXTENSION        6 /**< an extension function rejected its argument (e.g. ip("x")) */
#define VIGIL_ERR_ARITY            7 /**< an extension function called with the wrong number of arguments */
#define VIGIL_ERR_LIMIT            8 /**< evaluation needed more scratch space or stack than allowed */

/**
 * @brief Opens an index read-only.
 * @param[in]  path   the index directory (holding data.mdb and lock.mdb); the lock file must be writable
 * @param[in]  flags  0, or VIGIL_OPEN_FAIL_OPEN and/or VIGIL_OPEN_NO_LOG
 * @param[out] out    receives the handle on success, NULL otherwise
 * @return VIGIL_OK; VIGIL_E_INVALID_ARG; VIGIL_E_NOT_FOUND (no index at path); VIGIL_E_IO; VIGIL_E_NOT_INDEX;
 *         VIGIL_E_VERSION (a format this library does not read: upgrade libvigil); VIGIL_E_CORRUPT; VIGIL_E_NOMEM.
 */
VIGIL_API int vigil_index_open(const char *path, unsigned flags, vigil_index **out);

/** @brief Closes a handle and releases every thread's reader slot. No decision may be running on it. NULL is a no-op. */
VIGIL_API void vigil_index_close(vigil_index *ix);

/**
 * @brief Decides one request.
 * @param[in]  ix   an open handle
 * @param[in]  req  the request
 * @param[out] out  the result; always written, also on error (then effect follows the fail mode)
 * @return VIGIL_OK; VIGIL_E_INVALID_ARG; VIGIL_E_CONTEXT (bad context JSON: DENY, whatever the fail mode);
 *         VIGIL_E_LIMIT; VIGIL_E_CORRUPT, VIGIL_E_IO, VIGIL_E_NOMEM (index or system trouble: fail mode applies).
 */
VIGIL_API int vigil_decide(vigil_index *ix, const vigil_request *req, vigil_result *out);

/**
 * @brief Decides many (action, resource) pairs for one principal, context and session, reading the context once.
 * @param[in]  base      principal, context, session and time; its action and resource fields are ignored
 * @param[in]  count     number of pairs
 * @param[in]  actions   count requests whose action_* fields are used
 * @param[in]  resources count requests whose resource_* fields are used (may be the same array as actions)
 * @param[out] out       count results
 * @return as vigil_decide(); the first failing status when several fail (each result is still written).
 */
VIGIL_API int vigil_decide_batch(vigil_index *ix, const vigil_request *base, size_t count,
                                 const vigil_request *actions, const vigil_request *resources, vigil_result *out);

/**
 * @brief Copies a policy's ids into caller buffers: the positional id (`policy3`, or a template link's id) and the
 *        `@id` annotation (empty when the policy has none).
 * @return VIGIL_OK; VIGIL_E_INVALID_ARG (no such policy); VIGIL_E_BUFFER (truncated, still NUL-terminated).
 */
VIGIL_API int vigil_policy_id(vigil_index *ix, uint32_t policy, char *id, size_t id_cap,
                              char *annotated_id, size_t annotated_cap);

/**
 * @brief Writes a one-line message for the i-th error of a result, with the policy's source location when the
 *        index has it: `policies/docs.cedar:12:9: attribute `owner` not found`.
 * @return VIGIL_OK; VIGIL_E_INVALID_ARG; VIGIL_E_BUFFER.
 */
VIGIL_API int vigil_error_message(vigil_index *ix, const vigil_result *res, uint32_t i, char *buf, size_t cap);

/**
 * @brief Decides a request and writes a readable trace of why: each candidate policy, its scope match, and the
 *        value of each condition or the error it raised.
 * @return as vigil_decide(), or VIGIL_E_BUFFER when the trace was truncated.
 */
VIGIL_API int vigil_explain(vigil_index *ix, const vigil_request *req, vigil_result *out, char *buf, size_t cap);

/** @brief The generation of the index as this handle sees it now. @return VIGIL_OK or an index error. */
VIGIL_API int vigil_index_generation(vigil_index *ix, uint64_t *generation);

/**
 * @brief Counts of this handle's decision log: records appended to its ring and records dropped because the
 *        ring was full (the drainer fell behind). appended + dropped is the number of decisions made.
 * @param[out] appended  may be NULL
 * @param[out] dropped   may be NULL
 * @return VIGIL_OK; VIGIL_E_INVALID_ARG; VIGIL_E_NOT_FOUND (the handle logs nothing: VIGIL_OPEN_NO_LOG, or no
 *         ring directory); VIGIL_E_IO (a ring directory exists but the ring could not be created there).
 */
VIGIL_API int vigil_log_stats(vigil_index *ix, uint64_t *appended, uint64_t *dropped);

/**
 * @brief Copies the path of this handle's ring file into buf (NUL-terminated).
 * @return VIGIL_OK; VIGIL_E_INVALID_ARG; VIGIL_E_NOT_FOUND or VIGIL_E_IO as vigil_log_stats(); VIGIL_E_BUFFER.
 */
VIGIL_API int vigil_log_path(vigil_index *ix, char *buf, size_t cap);

/** @brief The library version string, "MAJOR.MINOR.PATCH". Never NULL. */
VIGIL_API const char *vigil_version(void);

/** @brief The index format version this library reads. */
VIGIL_API uint32_t vigil_format_version(void);

/** @brief A static description of a status code, starting with its symbolic name ("VIGIL_E_CORRUPT: …"). */
VIGIL_API const char *vigil_strerror(int status);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_H */
