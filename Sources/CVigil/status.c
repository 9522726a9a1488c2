/* status.c — the status-code table and version queries. */
#include "vigil.h"
#include "vigil_format.h"

#define STR2(x) #x
#define STR(x) STR2(x)

/* Indexed by -(status) - 32000; each string begins with its symbolic name (the LMDB convention). */
static const char *const vigil_status_text[] = {
    [0] = "VIGIL_OK: success",
    [1] = "VIGIL_E_INVALID_ARG: invalid argument (a NULL pointer, a length too large or a bad flag)",
    [2] = "VIGIL_E_NOT_FOUND: no index at this path",
    [3] = "VIGIL_E_IO: the index cannot be opened or read",
    [4] = "VIGIL_E_NOT_INDEX: not a Vigil index (no header or bad magic)",
    [5] = "VIGIL_E_VERSION: the index format version is not one this library reads",
    [6] = "VIGIL_E_CORRUPT: the index failed a consistency check",
    [7] = "VIGIL_E_STALE: the index is older than allowed",
    [8] = "VIGIL_E_CONTEXT: the context is not a valid JSON object in Cedar's format",
    [9] = "VIGIL_E_LIMIT: the request needs more scratch space than allowed",
    [10] = "VIGIL_E_NOMEM: out of memory",
    [11] = "VIGIL_E_BUFFER: the output buffer is too small; the output was truncated",
};

VIGIL_API const char *vigil_strerror(int status) {
    if (status == VIGIL_OK) return vigil_status_text[0];
    if (status <= -32001 && status >= VIGIL_E_LAST) return vigil_status_text[-status - 32000];
    return "VIGIL_E_UNKNOWN: not a Vigil status code";
}

VIGIL_API const char *vigil_version(void) {
    return STR(VIGIL_VERSION_MAJOR) "." STR(VIGIL_VERSION_MINOR) "." STR(VIGIL_VERSION_PATCH);
}

VIGIL_API uint32_t vigil_format_version(void) { return VIGIL_FORMAT_VERSION; }
