/*
 * bench-common.h — shared by the C programs of scripts/bench-ratios.py: reading a request file into memory and
 * summarising latencies. Requests are tab-separated lines: principal type, principal id, action type, action id,
 * resource type, resource id, context JSON.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_FIELDS 7

typedef struct {
    char *field[BENCH_FIELDS];
    size_t len[BENCH_FIELDS];
} bench_line;

/* Reads every line of path; the strings point into one buffer that lives until exit. */
static bench_line *bench_read(const char *path, size_t *count) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
    buf[size] = '\0';
    fclose(f);
    size_t cap = 1024, n = 0;
    bench_line *lines = malloc(cap * sizeof *lines);
    for (char *p = buf; *p; ) {
        char *end = strchr(p, '\n');
        if (end) *end = '\0';
        if (*p) {
            if (n == cap) { cap *= 2; lines = realloc(lines, cap * sizeof *lines); }
            bench_line *l = &lines[n];
            for (int i = 0; i < BENCH_FIELDS; i++) {
                l->field[i] = p;
                char *tab = strchr(p, '\t');
                if (!tab && i < BENCH_FIELDS - 1) { fprintf(stderr, "line %zu: too few fields\n", n + 1); exit(2); }
                if (tab) *tab = '\0';
                l->len[i] = strlen(p);
                p = tab ? tab + 1 : p + l->len[i];
            }
            n++;
        }
        if (!end) break;
        p = end + 1;
    }
    *count = n;
    return lines;
}

static inline uint64_t bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bench_cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The cost of one clock_gettime pair, the median of many: subtract nothing, but report it. */
static uint64_t bench_clock_overhead(void) {
    enum { N = 10001 };
    static uint64_t s[N];
    for (int i = 0; i < N; i++) { uint64_t a = bench_now_ns(); s[i] = bench_now_ns() - a; }
    qsort(s, N, sizeof s[0], bench_cmp);
    return s[N / 2];
}

/* Prints one JSON line: percentiles of the samples (sorted here) and the loop mean. */
static void bench_report(const char *name, uint64_t *samples, size_t n, double loop_mean_ns) {
    qsort(samples, n, sizeof samples[0], bench_cmp);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (double)samples[i];
    printf("{\"name\":\"%s\",\"samples\":%zu,\"p50_ns\":%llu,\"p90_ns\":%llu,\"p99_ns\":%llu,\"p999_ns\":%llu,"
           "\"mean_ns\":%.1f,\"loop_mean_ns\":%.1f,\"clock_overhead_ns\":%llu}\n",
           name, n, (unsigned long long)samples[n / 2], (unsigned long long)samples[n * 9 / 10],
           (unsigned long long)samples[n * 99 / 100], (unsigned long long)samples[n * 999 / 1000], sum / (double)n,
           loop_mean_ns, (unsigned long long)bench_clock_overhead());
}

#endif
