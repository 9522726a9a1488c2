/*
 * ext.c — Cedar's extension functions (ipaddr, decimal, datetime, duration) on encoded values.
 *
 * The string parsers mirror Sources/VigilPolicy/Extensions/{IPAddrValue,DecimalValue,DatetimeValue,
 * DurationValue}.swift line for line, which encode Cedar's rules and were checked against cedarpy: the compiler
 * folds literal calls with the Swift code, and requests reach these, so the two must accept exactly the same
 * strings with the same results. Each parser returns 1 and writes its result, or 0 where Cedar raises an error.
 */
#include "vigil_internal.h"

const char *const vigil__ext_names[EXT__COUNT] = {                    /* ORDER EXT */
    "ip", "isIpv4", "isIpv6", "isLoopback", "isMulticast", "isInRange",
    "decimal", "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual",
    "datetime", "duration", "offset", "durationSince", "toDate", "toTime",
    "toDays", "toHours", "toMinutes", "toSeconds", "toMilliseconds",
};

int vigil__ext_lookup(const uint8_t *name, size_t n) {
    for (int i = 0; i < EXT__COUNT; i++)
        if (strlen(vigil__ext_names[i]) == n && memcmp(vigil__ext_names[i], name, n) == 0) return i;
    return -1;
}

static int is_digit(uint8_t b) { return b >= '0' && b <= '9'; }

/* Rust's u64::from_str on digits only: 1 with the value, 0 when empty, not all digits, or too large. */
static int parse_u64(const uint8_t *s, size_t n, uint64_t *out) {
    if (n == 0) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i])) return 0;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* A fixed-width run of at most 9 digits (cannot overflow); -1 when not all digits or out of bounds. */
static int small_number(const uint8_t *s, size_t n, size_t from, size_t count) {
    if (count == 0 || count > 9 || from + count > n) return -1;
    int v = 0;
    for (size_t i = from; i < from + count; i++) {
        if (!is_digit(s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* ---- ipaddr ---- */

/* Rust's Ipv4Addr parser: four octets of 1..3 digits, no leading zero, at most 255. */
static int ipv4(const uint8_t *b, size_t n, uint8_t out[4]) {
    size_t i = 0;
    for (int octet = 0; octet < 4; octet++) {
        size_t start = i;
        while (i < n && is_digit(b[i])) i++;
        size_t len = i - start;
        if (len == 0 || len > 3) return 0;
        if (len > 1 && b[start] == '0') return 0;
        int v = small_number(b, n, start, len);
        if (v < 0 || v > 255) return 0;
        out[octet] = (uint8_t)v;
        if (octet == 3) return i == n;
        if (i >= n || b[i] != '.') return 0;
        i++;
    }
    return 0;
}

static int hex_digit(uint8_t b) {
    if (b >= '0' && b <= '9') return b - '0';
    if (b >= 'A' && b <= 'F') return b - 'A' + 10;
    if (b >= 'a' && b <= 'f') return b - 'a' + 10;
    return -1;
}

/* Reads `:`-separated groups (the first without a separator) until `limit` or a group fails; a failed group,
 * separator included, consumes nothing. */
static int ipv6_groups(const uint8_t *b, size_t n, size_t *pos, int limit, uint16_t *out) {
    int count = 0;
    size_t i = *pos;
    while (count < limit) {
        size_t j = i;
        if (count > 0) {
            if (j >= n || b[j] != ':') break;
            j++;
        }
        uint32_t v = 0;
        int digits = 0, d;
        while (j < n && (d = hex_digit(b[j])) >= 0) {
            digits++;
            if (digits > 4) break;
            v = v << 4 | (uint32_t)d;
            j++;
        }
        if (digits < 1 || digits > 4) break;
        out[count++] = (uint16_t)v;
        i = j;
    }
    *pos = i;
    return count;
}

/* Rust's Ipv6Addr parser without the embedded IPv4 form (refused before): a head of up to eight groups; if
 * fewer, then `::` and a tail of at most 7 - head groups. */
static int ipv6(const uint8_t *b, size_t n, uint8_t out[16]) {
    uint16_t head[8], tail[8], all[8] = { 0 };
    size_t i = 0;
    int h = ipv6_groups(b, n, &i, 8, head);
    if (h == 8) {
        if (i != n) return 0;
        memcpy(all, head, sizeof head);
    } else {
        if (!(i + 1 < n && b[i] == ':' && b[i + 1] == ':')) return 0;
        i += 2;
        int t = ipv6_groups(b, n, &i, 8 - (h + 1), tail);
        if (i != n) return 0;
        for (int k = 0; k < h; k++) all[k] = head[k];
        for (int k = 0; k < t; k++) all[8 - t + k] = tail[k];
    }
    for (int k = 0; k < 8; k++) { out[2 * k] = (uint8_t)(all[k] >> 8); out[2 * k + 1] = (uint8_t)all[k]; }
    return 1;
}

/* Cedar's parse_prefix: digits only, bounded length, no leading zero, at most max. */
static int ip_prefix(const uint8_t *b, size_t n, int max, size_t max_digits) {
    if (n == 0 || n > max_digits) return -1;
    for (size_t i = 0; i < n; i++) if (!is_digit(b[i])) return -1;
    if (b[0] == '0' && n > 1) return -1;
    int v = small_number(b, n, 0, n);
    return v <= max ? v : -1;
}

/* The usual request address, dotted IPv4 with an optional prefix, in one pass. Accepts only what the general
 * parser below accepts, with the same result; 0 leaves anything else (IPv6, or an invalid string) to it. */
static int ipv4_fast(const uint8_t *s, size_t n, uint8_t out[19]) {
    uint8_t addr[4];
    size_t i = 0;
    for (int octet = 0; octet < 4; octet++) {
        size_t start = i;
        unsigned v = 0;
        while (i < n && i - start < 3 && is_digit(s[i])) v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || (i - start > 1 && s[start] == '0') || v > 255) return 0;
        addr[octet] = (uint8_t)v;
        if (octet < 3) {
            if (i >= n || s[i] != '.') return 0;
            i++;
        }
    }
    unsigned prefix = 32;
    if (i < n) {
        if (s[i] != '/') return 0;
        size_t start = ++i;
        prefix = 0;
        while (i < n && i - start < 2 && is_digit(s[i])) prefix = prefix * 10 + (unsigned)(s[i++] - '0');
        if (i != n || i == start || (i - start > 1 && s[start] == '0') || prefix > 32) return 0;
    }
    out[0] = VIGIL_V_IPADDR;
    out[1] = 4;
    out[2] = (uint8_t)prefix;
    memcpy(out + 3, addr, 4);
    memset(out + 7, 0, 12);
    return 1;
}

int vigil__ip_parse(const uint8_t *s, size_t n, uint8_t out[19]) {
    if (ipv4_fast(s, n, out)) return 1;
    if (n > 43) return 0;
    size_t colons = 0, dots = 0, slash = n;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ':') colons++;
        if (s[i] == '.') dots++;
        if (s[i] == '/' && slash == n) slash = i;
    }
    if (colons >= 2 && dots >= 2) return 0;
    uint8_t addr[16] = { 0 };
    int version, prefix;
    if (ipv4(s, slash, addr)) {
        version = 4;
        prefix = slash == n ? 32 : ip_prefix(s + slash + 1, n - slash - 1, 32, 2);
    } else if (ipv6(s, slash, addr)) {
        version = 6;
        prefix = slash == n ? 128 : ip_prefix(s + slash + 1, n - slash - 1, 128, 3);
    } else {
        return 0;
    }
    if (prefix < 0) return 0;
    out[0] = VIGIL_V_IPADDR;
    out[1] = (uint8_t)version;
    out[2] = (uint8_t)prefix;
    memcpy(out + 3, addr, 16);
    return 1;
}

/* The first `bits` bits of a 64-bit word (any count: none below 0, all from 64). */
static uint64_t mask64(int bits) { return bits <= 0 ? 0 : bits >= 64 ? UINT64_MAX : ~(UINT64_MAX >> bits); }

static uint64_t be64(const uint8_t *p) {
    uint64_t v = 0;
    for (int k = 0; k < 8; k++) v = v << 8 | p[k];
    return v;
}

/* Cedar's isInRange: same family and a's range (network..broadcast) inside b's. An address is compared as a
 * 128-bit big-endian number in two words, an IPv4 one in the top 32 bits (its other bytes are ignored and its
 * prefix capped at 32, so that the bits below compare equal on both sides). */
static int ip_in_range(const uint8_t *a, const uint8_t *b) {
    if (a[1] != b[1]) return 0;
    int v4 = a[1] == 4;
    uint64_t ah = v4 ? be64(a + 3) & 0xFFFFFFFF00000000u : be64(a + 3), al = v4 ? 0 : be64(a + 11);
    uint64_t bh = v4 ? be64(b + 3) & 0xFFFFFFFF00000000u : be64(b + 3), bl = v4 ? 0 : be64(b + 11);
    int pa = v4 && a[2] > 32 ? 32 : a[2], pb = v4 && b[2] > 32 ? 32 : b[2];
    uint64_t mah = mask64(pa), mal = mask64(pa - 64), mbh = mask64(pb), mbl = mask64(pb - 64);
    /* network(b) <= network(a) and broadcast(a) <= broadcast(b), each (high, low) in order */
    uint64_t anh = ah & mah, anl = al & mal, abh = ah | ~mah, abl = al | ~mal;
    uint64_t bnh = bh & mbh, bnl = bl & mbl, bbh = bh | ~mbh, bbl = bl | ~mbl;
    return (bnh < anh || (bnh == anh && bnl <= anl)) && (abh < bbh || (abh == bbh && abl <= bbl));
}

static int ip_is_loopback(const uint8_t *ip) {
    if (ip[1] == 4) return ip[3] == 127 && ip[2] >= 8;
    for (int k = 0; k < 15; k++) if (ip[3 + k] != 0) return 0;
    return ip[18] == 1 && ip[2] >= 128;
}

static int ip_is_multicast(const uint8_t *ip) {
    if (ip[1] == 4) return (ip[3] >> 4) == 0xE && ip[2] >= 4;
    return ip[3] == 0xFF && ip[2] >= 8;
}

/* ---- decimal ---- */

int vigil__decimal_parse(const uint8_t *s, size_t n, int64_t *out) {
    size_t dot = n;
    for (size_t i = 0; i < n; i++) if (s[i] == '.') { dot = i; break; }
    if (dot == n) return 0;
    int negative = n > 0 && s[0] == '-';
    size_t int_start = negative ? 1 : 0;
    if (int_start > dot) return 0;
    size_t int_len = dot - int_start, frac_len = n - dot - 1;
    for (size_t i = int_start; i < dot; i++) if (!is_digit(s[i])) return 0;
    for (size_t i = dot + 1; i < n; i++) if (!is_digit(s[i])) return 0;
    if (int_len == 0 || frac_len == 0 || frac_len > 4) return 0;
    uint64_t mag, frac;
    if (!parse_u64(s + int_start, int_len, &mag)) return 0;
    if (mag > (uint64_t)INT64_MAX + (negative ? 1u : 0u)) return 0;
    int64_t ip = negative ? (int64_t)(0 - mag) : (int64_t)mag;
    int64_t l, r, v;
    if (__builtin_mul_overflow(ip, (int64_t)10000, &l)) return 0;
    if (!parse_u64(s + dot + 1, frac_len, &frac)) return 0;
    r = (int64_t)frac;
    for (size_t k = frac_len; k < 4; k++) r *= 10;
    if (negative ? __builtin_sub_overflow(l, r, &v) : __builtin_add_overflow(l, r, &v)) return 0;
    *out = v;
    return 1;
}

/* ---- datetime ---- */

static int days_in_month(int month, int year) {
    if (month == 2) return ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0) ? 29 : 28;
    if (month == 4 || month == 6 || month == 9 || month == 11) return 30;
    return 31;
}

/* Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int year, int month, int day) {
    int64_t y = month <= 2 ? year - 1 : year;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int vigil__datetime_parse(const uint8_t *b, size_t n, int64_t *out) {
#define BYTE(at, c) ((size_t)(at) < n && b[at] == (c))
    int year = small_number(b, n, 0, 4), month = small_number(b, n, 5, 2), day = small_number(b, n, 8, 2);
    if (year < 0 || !BYTE(4, '-') || month < 0 || !BYTE(7, '-') || day < 0) return 0;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(month, year)) return 0;
    int64_t days = days_from_civil(year, month, day);
    if (n == 10) { *out = days * 86400000; return 1; }
    int hour = small_number(b, n, 11, 2), minute = small_number(b, n, 14, 2), second = small_number(b, n, 17, 2);
    if (!BYTE(10, 'T') || hour < 0 || !BYTE(13, ':') || minute < 0 || !BYTE(16, ':') || second < 0) return 0;
    size_t i = 19;
    int millis = 0, offset = 0;
    if (BYTE(i, '.')) {
        millis = small_number(b, n, i + 1, 3);
        if (millis < 0) return 0;
        i += 4;
    }
    if (BYTE(i, 'Z')) {
        i += 1;
    } else if (BYTE(i, '+') || BYTE(i, '-')) {
        int sign = BYTE(i, '+') ? 1 : -1;
        int oh = small_number(b, n, i + 1, 2), om = small_number(b, n, i + 3, 2);
        if (oh < 0 || om < 0 || oh >= 24 || om >= 60) return 0;
        offset = sign * (oh * 3600 + om * 60);
        i += 5;
    } else {
        return 0;
    }
    if (i != n || hour >= 24 || minute >= 60 || second >= 60) return 0;
    int64_t secs = (int64_t)hour * 3600 + minute * 60 + second - offset;
    *out = days * 86400000 + secs * 1000 + millis;
    return 1;
#undef BYTE
}

/* ---- duration ---- */

int vigil__duration_parse(const uint8_t *b, size_t n, int64_t *out) {
    int negative = n > 0 && b[0] == '-';
    size_t i = negative ? 1 : 0;
    if (i >= n) return 0;
    uint64_t q[5] = { 0 };     /* d h m s ms */
    int last = -1;
    while (i < n) {
        size_t start = i;
        while (i < n && is_digit(b[i])) i++;
        if (i == start || i >= n) return 0;
        int unit;
        switch (b[i]) {
        case 'd': unit = 0; break;
        case 'h': unit = 1; break;
        case 'm':
            if (i + 1 < n && b[i + 1] == 's') { unit = 4; i++; } else unit = 2;
            break;
        case 's': unit = 3; break;
        default: return 0;
        }
        if (unit <= last) return 0;
        if (!parse_u64(b + start, i - start - (unit == 4 ? 1 : 0), &q[unit])) return 0;
        last = unit;
        i++;
    }
    int64_t total;
    if (negative) {
        if (q[4] > (uint64_t)INT64_MAX + 1) return 0;
        total = (int64_t)(0 - q[4]);
    } else {
        if (q[4] > (uint64_t)INT64_MAX) return 0;
        total = (int64_t)q[4];
    }
    static const int units[4] = { 3, 2, 1, 0 };
    static const int64_t factors[4] = { 1000, 60000, 3600000, 86400000 };
    for (int k = 0; k < 4; k++) {
        uint64_t qq = q[units[k]];
        int64_t prod, sum;
        if (qq > (uint64_t)INT64_MAX) return 0;
        if (__builtin_mul_overflow((int64_t)qq, factors[k], &prod)) return 0;
        if (negative ? __builtin_sub_overflow(total, prod, &sum) : __builtin_add_overflow(total, prod, &sum)) return 0;
        total = sum;
    }
    *out = total;
    return 1;
}

/* ---- calls ---- */

/* Parameter types per function (0 ends the list), ORDER EXT. */
static const uint8_t ext_params[EXT__COUNT][3] = {
    { VIGIL_V_STRING }, { VIGIL_V_IPADDR }, { VIGIL_V_IPADDR }, { VIGIL_V_IPADDR }, { VIGIL_V_IPADDR },
    { VIGIL_V_IPADDR, VIGIL_V_IPADDR },
    { VIGIL_V_STRING }, { VIGIL_V_DECIMAL, VIGIL_V_DECIMAL }, { VIGIL_V_DECIMAL, VIGIL_V_DECIMAL },
    { VIGIL_V_DECIMAL, VIGIL_V_DECIMAL }, { VIGIL_V_DECIMAL, VIGIL_V_DECIMAL },
    { VIGIL_V_STRING }, { VIGIL_V_STRING },
    { VIGIL_V_DATETIME, VIGIL_V_DURATION }, { VIGIL_V_DATETIME, VIGIL_V_DATETIME },
    { VIGIL_V_DATETIME }, { VIGIL_V_DATETIME },
    { VIGIL_V_DURATION }, { VIGIL_V_DURATION }, { VIGIL_V_DURATION }, { VIGIL_V_DURATION }, { VIGIL_V_DURATION },
};

static int64_t i64_of(vigil_val v) { return vigil__rdi64(v.p + 1); }

int vigil__ext_call(vigil__reader *rd, uint32_t fn, const vigil_val *args, uint32_t argc, vigil_val *out) {
    if (fn >= EXT__COUNT) return VIGIL_ERR_EXTENSION;
    uint32_t arity = ext_params[fn][1] ? 2 : 1;
    if (argc != arity) return VIGIL_ERR_ARITY;
    for (uint32_t k = 0; k < arity; k++)
        if (args[k].p[0] != ext_params[fn][k]) return VIGIL_ERR_TYPE;
    const uint8_t *s = args[0].p + 5;
    uint32_t slen = args[0].p[0] == VIGIL_V_STRING ? vigil__rd32(args[0].p + 1) : 0;
    int64_t v;
    switch ((enum vigil_ext_fn)fn) {
    case EXT_IP: {
        uint8_t *p = vigil__alloc(rd, 19);
        if (!p) return VIGIL_ERR_LIMIT;
        if (!vigil__ip_parse(s, slen, p)) return VIGIL_ERR_EXTENSION;
        out->p = p; out->n = 19;
        return 0;
    }
    case EXT_IS_IPV4: *out = vigil__bool(args[0].p[1] == 4); return 0;
    case EXT_IS_IPV6: *out = vigil__bool(args[0].p[1] == 6); return 0;
    case EXT_IS_LOOPBACK: *out = vigil__bool(ip_is_loopback(args[0].p)); return 0;
    case EXT_IS_MULTICAST: *out = vigil__bool(ip_is_multicast(args[0].p)); return 0;
    case EXT_IS_IN_RANGE: *out = vigil__bool(ip_in_range(args[0].p, args[1].p)); return 0;
    case EXT_DECIMAL:
        if (!vigil__decimal_parse(s, slen, &v)) return VIGIL_ERR_EXTENSION;
        return vigil__make_long(rd, v, VIGIL_V_DECIMAL, out) ? VIGIL_ERR_LIMIT : 0;
    case EXT_LESS_THAN: *out = vigil__bool(i64_of(args[0]) < i64_of(args[1])); return 0;
    case EXT_LESS_THAN_OR_EQUAL: *out = vigil__bool(i64_of(args[0]) <= i64_of(args[1])); return 0;
    case EXT_GREATER_THAN: *out = vigil__bool(i64_of(args[0]) > i64_of(args[1])); return 0;
    case EXT_GREATER_THAN_OR_EQUAL: *out = vigil__bool(i64_of(args[0]) >= i64_of(args[1])); return 0;
    case EXT_DATETIME:
        if (!vigil__datetime_parse(s, slen, &v)) return VIGIL_ERR_EXTENSION;
        return vigil__make_long(rd, v, VIGIL_V_DATETIME, out) ? VIGIL_ERR_LIMIT : 0;
    case EXT_DURATION:
        if (!vigil__duration_parse(s, slen, &v)) return VIGIL_ERR_EXTENSION;
        return vigil__make_long(rd, v, VIGIL_V_DURATION, out) ? VIGIL_ERR_LIMIT : 0;
    case EXT_OFFSET:
        if (__builtin_add_overflow(i64_of(args[0]), i64_of(args[1]), &v)) return VIGIL_ERR_OVERFLOW;
        return vigil__make_long(rd, v, VIGIL_V_DATETIME, out) ? VIGIL_ERR_LIMIT : 0;
    case EXT_DURATION_SINCE:
        if (__builtin_sub_overflow(i64_of(args[0]), i64_of(args[1]), &v)) return VIGIL_ERR_OVERFLOW;
        return vigil__make_long(rd, v, VIGIL_V_DURATION, out) ? VIGIL_ERR_LIMIT : 0;
    case EXT_TO_DATE: case EXT_TO_TIME: {
        /* The Euclidean remainder by one day: time since UTC midnight, also before 1970. */
        int64_t ms = i64_of(args[0]), r = ms % 86400000;
        if (r < 0) r += 86400000;
        if (fn == EXT_TO_TIME) return vigil__make_long(rd, r, VIGIL_V_DURATION, out) ? VIGIL_ERR_LIMIT : 0;
        if (__builtin_sub_overflow(ms, r, &v)) return VIGIL_ERR_OVERFLOW;
        return vigil__make_long(rd, v, VIGIL_V_DATETIME, out) ? VIGIL_ERR_LIMIT : 0;
    }
    case EXT_TO_DAYS: v = i64_of(args[0]) / 1000 / 60 / 60 / 24; break;
    case EXT_TO_HOURS: v = i64_of(args[0]) / 1000 / 60 / 60; break;
    case EXT_TO_MINUTES: v = i64_of(args[0]) / 1000 / 60; break;
    case EXT_TO_SECONDS: v = i64_of(args[0]) / 1000; break;
    case EXT_TO_MILLISECONDS: v = i64_of(args[0]); break;
    default: return VIGIL_ERR_EXTENSION;
    }
    return vigil__make_long(rd, v, VIGIL_V_LONG, out) ? VIGIL_ERR_LIMIT : 0;
}
