/*
 * generation_reader: a host process that decides continuously against an index while a writer publishes, and
 * counts answers that no single generation could give. Built by GenerationTests with plain gcc against vigil.h and
 * libvigil.
 *
 * Usage: generation_reader INDEX_DIR DOCS [--parity]
 *
 * Every generation the tests publish is built from one number k (GenerationWorld.swift): each entity's `gen`
 * attribute is k, the probe policy permits only when principal and resource both have `gen == k`, action `a` is
 * allowed and `b` forbidden when k is even, the opposite when k is odd, and policy order, filler entities and so
 * eids differ between neighbouring generations. Each batch decides (probe, d0..d{DOCS-1}), (a, d0), (b, d0) in
 * one vigil_decide_batch call, which is one snapshot. A batch is *impossible* when any status is an error, the
 * results do not share one generation, a probe is not allowed by exactly one policy, `a` and `b` are not exactly
 * one allowed and one denied, or (with --parity, when k is the generation itself) `a` is not allowed exactly on
 * even generations. The generation going backwards between batches is counted apart.
 *
 * Prints `ready` after the first batch, decides until SIGTERM (or, as a safety net for a test that died, for at
 * most 300 s), then prints one line of counts and exits 0.
 */
#define _XOPEN_SOURCE 700
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vigil.h"

#define MAX_DOCS 256

static volatile sig_atomic_t stop_requested;

static void on_term(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void set_str(const char **p, size_t *n, const char *s) {
    *p = s;
    *n = strlen(s);
}

/* Describes the first few impossible batches on stderr, so a failure says what was seen. */
static void report(unsigned long long *reported, const char *what, size_t i, const vigil_result *r, int st) {
    if ((*reported)++ >= 5) return;
    fprintf(stderr, "impossible: %s at pair %zu: status %d effect %d determining %u generation %llu\n", what, i, st,
            r->effect, r->determining_count, (unsigned long long)r->generation);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: generation_reader INDEX_DIR DOCS [--parity]\n");
        return 2;
    }
    int docs = atoi(argv[2]);
    int parity = argc > 3 && strcmp(argv[3], "--parity") == 0;
    if (docs < 1 || docs > MAX_DOCS) return 2;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    /* The parent's threads may block signals, and a spawned child inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGALRM);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    alarm(300);
    /* Readers spin; a lower priority keeps them from starving the writer on a small machine. They still run
     * whenever the writer waits on the disk, which is when a mix would be visible. */
    if (nice(10) == -1) perror("nice");

    vigil_index *ix = NULL;
    int rc = vigil_index_open(argv[1], 0, &ix);
    if (rc != VIGIL_OK) {
        fprintf(stderr, "open: %s\n", vigil_strerror(rc));
        return 1;
    }

    /* pairs: docs probes, then a and b on d0. */
    static char ids[MAX_DOCS][16];
    static vigil_request pairs[MAX_DOCS + 2];
    static vigil_result results[MAX_DOCS + 2];
    size_t count = (size_t)docs + 2;
    for (int i = 0; i < docs; i++) snprintf(ids[i], sizeof ids[i], "d%d", i);
    for (size_t i = 0; i < count; i++) {
        vigil_request *p = &pairs[i];
        memset(p, 0, sizeof *p);
        set_str(&p->action_type, &p->action_type_len, "Action");
        set_str(&p->action_id, &p->action_id_len, i < (size_t)docs ? "probe" : i == (size_t)docs ? "a" : "b");
        set_str(&p->resource_type, &p->resource_type_len, "Doc");
        set_str(&p->resource_id, &p->resource_id_len, i < (size_t)docs ? ids[i] : ids[0]);
    }
    vigil_request base;
    memset(&base, 0, sizeof base);
    set_str(&base.principal_type, &base.principal_type_len, "User");
    set_str(&base.principal_id, &base.principal_id_len, "u");

    unsigned long long batches = 0, answered = 0, decisions = 0, generations = 0, impossible = 0, errors = 0;
    unsigned long long backwards = 0, reported = 0;
    uint64_t first = 0, last = 0;
    while (!stop_requested) {
        int st = vigil_decide_batch(ix, &base, count, pairs, pairs, results);
        batches++;
        decisions += count;
        if (st != VIGIL_OK) {
            errors++;
            report(&reported, vigil_strerror(st), 0, &results[0], st);
            continue;
        }
        uint64_t gen = results[0].generation;
        int bad = 0;
        for (size_t i = 0; i < count && !bad; i++) {
            if (results[i].generation != gen) { report(&reported, "mixed generations", i, &results[i], st); bad = 1; }
        }
        for (int i = 0; i < docs && !bad; i++) {
            if (results[i].effect != VIGIL_ALLOW || results[i].determining_count != 1 || results[i].error_count) {
                report(&reported, "probe not allowed by exactly one policy", (size_t)i, &results[i], st);
                bad = 1;
            }
        }
        const vigil_result *a = &results[docs], *b = &results[docs + 1];
        int a_allowed = a->effect == VIGIL_ALLOW, b_allowed = b->effect == VIGIL_ALLOW;
        if (!bad && (a_allowed == b_allowed || a->error_count || b->error_count ||
                     (!a_allowed && a->effect != VIGIL_DENY) || (!b_allowed && b->effect != VIGIL_DENY))) {
            report(&reported, "a and b not one allowed, one denied", (size_t)docs, a, st);
            bad = 1;
        }
        if (!bad && parity && a_allowed != (gen % 2 == 0)) {
            report(&reported, "a allowed on the wrong parity", (size_t)docs, a, st);
            bad = 1;
        }
        impossible += (unsigned long long)bad;
        if (++answered == 1) first = gen;
        if (gen < last) backwards++;
        if (answered == 1 || gen != last) generations++;
        last = gen;
        if (answered == 1) {
            printf("ready\n");
            fflush(stdout);
        }
    }
    vigil_index_close(ix);
    printf("batches=%llu decisions=%llu generations=%llu first=%llu last=%llu impossible=%llu errors=%llu "
           "backwards=%llu\n", batches, decisions, generations, (unsigned long long)first, (unsigned long long)last,
           impossible, errors, backwards);
    return 0;
}
