/*
 * bench-requests.h — the benchmark programs' requests: bench-common.h's TSV lines as vigil_requests, all decided
 * at the same instant (2026-01-01T12:00:00Z) so link expiries and context times compare the same every run.
 * Also opens indexes. Include after bench-common.h and vigil.h.
 */
#ifndef BENCH_REQUESTS_H
#define BENCH_REQUESTS_H

static vigil_request *bench_requests(const bench_line *lines, size_t n) {
    vigil_request *reqs = calloc(n ? n : 1, sizeof *reqs);
    if (!reqs) { perror("calloc"); exit(2); }
    for (size_t i = 0; i < n; i++) {
        const bench_line *l = &lines[i];
        vigil_request *r = &reqs[i];
        r->principal_type = l->field[0]; r->principal_type_len = l->len[0];
        r->principal_id = l->field[1];   r->principal_id_len = l->len[1];
        r->action_type = l->field[2];    r->action_type_len = l->len[2];
        r->action_id = l->field[3];      r->action_id_len = l->len[3];
        r->resource_type = l->field[4];  r->resource_type_len = l->len[4];
        r->resource_id = l->field[5];    r->resource_id_len = l->len[5];
        r->context_json = l->field[6];   r->context_json_len = l->len[6];
        r->now_ms = 1767268800000LL;
    }
    return reqs;
}

/* Opens the index in `dir` with `flags`, or exits 1 saying why. */
static vigil_index *bench_open(const char *dir, unsigned flags) {
    vigil_index *ix = NULL;
    int rc = vigil_index_open(dir, flags, &ix);
    if (rc != VIGIL_OK) { fprintf(stderr, "cannot open %s: %s\n", dir, vigil_strerror(rc)); exit(1); }
    return ix;
}

#endif
