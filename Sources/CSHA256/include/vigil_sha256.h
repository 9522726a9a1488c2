/*
 * vigil_sha256.h — SHA-256 (FIPS 180-4) with no allocation, for the audit trail's hash chain.
 *
 * The drain hashes every trail line (about half a kilobyte, a million lines a second): a context here is a plain
 * struct, initialised in place and kept inside the drain's own buffers, and the block function uses the CPU's SHA
 * instructions when it has them (x86-64 SHA-NI), checked once. swift-crypto's SHA256 allocates a context on the
 * heap per hash and dispatches through several layers per call, which cost the drain more than the hashing itself.
 * Tests compare every length from 0 to a few blocks, both block functions, against swift-crypto.
 */
#ifndef VIGIL_SHA256_H
#define VIGIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A hash in progress. Copyable by value (a copy continues independently). */
typedef struct vigil_sha256 {
    uint32_t state[8];
    uint64_t length;      /**< bytes hashed so far */
    uint8_t block[64];    /**< the partial block: length % 64 bytes */
    int hardware;         /**< use the SHA instructions (set by init when the CPU has them; 0 forces portable code) */
} vigil_sha256;

/** Starts a hash. */
void vigil_sha256_init(vigil_sha256 *ctx);

/** Hashes `n` more bytes. */
void vigil_sha256_update(vigil_sha256 *ctx, const void *bytes, size_t n);

/** Finishes the hash into `digest` (32 bytes). The context must be initialised again before reuse. */
void vigil_sha256_final(vigil_sha256 *ctx, uint8_t digest[32]);

/** Whether this CPU's SHA instructions are used. */
int vigil_sha256_hardware(void);

#ifdef __cplusplus
}
#endif

#endif
