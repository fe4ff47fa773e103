/*
 * aibeian.corpus._cjsonl: read a block of JSONL lines in one pass, in C, without creating a Python object
 * per line.
 *
 * Why: a corpus scan must count every item (per source: items, characters) and hash every item id (the
 * reproducible sample), but it matches only the sampled ~10 %. With pyarrow's JSON reader, decoding every
 * text into a str and one BLAKE2b call per id from Python, reading cost several times what matching the
 * sample did, so the scan ran far below the matcher's speed. Here one pass over the bytes validates each
 * line as strict JSON (and its strings as UTF-8), finds the text field and the source field, counts the
 * text's code points, and hashes the item id "<relpath>:<line>" with keyed BLAKE2b exactly as
 * corpus._sampling.item_hashes does; texts() later decodes only the items the scan needs.
 *
 * The Python reference reader (json.loads per line, corpus._readers.jsonl_record) stays the definition of
 * the semantics. lex() answers only when it can prove that reader would say the same; for anything else in
 * a block — a corrupt line, a missing or non-text text field, a repeated field, a lone surrogate escape,
 * NaN, a non-string source value, deep nesting, a byte-order mark, an escaped field name — it returns None
 * and the caller reads the block the slow way. The tests compare both on random and hostile lines.
 *
 * Only the CPython C API; buffers in, bytearrays out (numpy.frombuffer on the Python side).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h> /* texts() copies plain ASCII 16 bytes at a time (SSE2: every x86-64) */
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CJK_SSSE3 1 /* texts() decodes runs of CJK with SSSE3 where the CPU has it (checked at run time) */
#endif

#define MAX_DEPTH 256

/* ------------------------------------------------------------------------------------------------ */
/* BLAKE2b (RFC 7693), keyed, 16-byte digest: the hash of corpus._sampling.item_hashes                */

static const uint64_t B2_IV[8] = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
                                  0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
                                  0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

static const uint8_t B2_SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

#define ROTR64(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
#define B2_G(a, b, c, d, x, y)         \
    do {                               \
        v[a] = v[a] + v[b] + (x);      \
        v[d] = ROTR64(v[d] ^ v[a], 32); \
        v[c] = v[c] + v[d];            \
        v[b] = ROTR64(v[b] ^ v[c], 24); \
        v[a] = v[a] + v[b] + (y);      \
        v[d] = ROTR64(v[d] ^ v[a], 16); \
        v[c] = v[c] + v[d];            \
        v[b] = ROTR64(v[b] ^ v[c], 63); \
    } while (0)

static uint64_t load64(const uint8_t *p) {
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--) x = (x << 8) | p[i];
    return x;
}

static void b2_compress(uint64_t h[8], const uint8_t block[128], uint64_t counter, int last) {
    uint64_t v[16], m[16];
    for (int i = 0; i < 16; i++) m[i] = load64(block + 8 * i);
    for (int i = 0; i < 8; i++) v[i] = h[i], v[i + 8] = B2_IV[i];
    v[12] ^= counter; /* the high word of the 128-bit counter stays 0: no message here is 2**64 bytes */
    if (last) v[14] = ~v[14];
    for (int r = 0; r < 12; r++) {
        const uint8_t *s = B2_SIGMA[r];
        B2_G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        B2_G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        B2_G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        B2_G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        B2_G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        B2_G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        B2_G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        B2_G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

/* The state after the key block (the same for every id of a run): what hashlib.blake2b(key=...) holds. */
static void b2_keyed_start(uint64_t h[8], const uint8_t *key, size_t keylen) {
    uint8_t block[128] = {0};
    memcpy(h, B2_IV, sizeof B2_IV);
    h[0] ^= 0x01010000ULL ^ ((uint64_t)keylen << 8) ^ 16u;
    memcpy(block, key, keylen);
    b2_compress(h, block, 128, 0);
}

/* digest of a non-empty message after the key block; out[0], out[1] as int.from_bytes(digest[:8], "big") */
static void b2_finish(const uint64_t start[8], const uint8_t *msg, size_t len, uint64_t out[2]) {
    uint64_t h[8];
    uint8_t block[128];
    uint64_t counter = 128;
    memcpy(h, start, sizeof h);
    while (len > 128) {
        counter += 128;
        b2_compress(h, msg, counter, 0);
        msg += 128, len -= 128;
    }
    memset(block, 0, sizeof block);
    memcpy(block, msg, len);
    b2_compress(h, block, counter + len, 1);
    for (int i = 0; i < 2; i++) {
        uint64_t x = h[i], y = 0;
        for (int j = 0; j < 8; j++) y = (y << 8) | ((x >> (8 * j)) & 0xFF); /* little-endian bytes, read big */
        out[i] = y;
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* strict JSON over one line                                                                          */

typedef struct {
    const uint8_t *p, *end;
} Cur;

static inline void skip_ws(Cur *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r')) c->p++;
}

static inline int hexval(uint8_t ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

static int hex4(const uint8_t *p, const uint8_t *end, uint32_t *out) {
    if (end - p < 4) return -1;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hexval(p[i]);
        if (d < 0) return -1;
        v = (v << 4) | (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* A string whose opening quote is at c->p. Returns 0 and leaves c->p after the closing quote, or -1 for
 * anything json.loads would refuse or read differently from a plain literal (a lone surrogate). Counts the
 * decoded code points, says whether an escape occurs, and ORs into *wide which code point classes occur
 * (WIDE_*: what texts() needs to allocate the str's final kind before decoding). */
#define WIDE_LATIN1 1 /* U+0080..U+00FF */
#define WIDE_BMP 2    /* U+0100..U+FFFF */
#define WIDE_ASTRAL 4 /* above U+FFFF */
/* 0 ASCII, 1 Latin-1, 2 BMP, 3 astral: the widest class among the bits */
#define WIDE_CLASS(w) ((w) & WIDE_ASTRAL ? 3 : (w) & WIDE_BMP ? 2 : (w) & WIDE_LATIN1 ? 1 : 0)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WORDWISE 1
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
#define HAS_ZERO(v) (((v) - ONES) & ~(v) & HIGHS)
#define HAS_LESS(v, k) (((v) - ONES * (k)) & ~(v) & HIGHS) /* for words whose bytes are all < 0x80 */
/* two 3-byte UTF-8 sequences (leads E1..EC or EE..EF: no overlong, no surrogate possible) */
#define CJK2_MASK 0x0000C0C0F0C0C0F0ULL
#define CJK2_BITS 0x00008080E08080E0ULL
#endif

static int scan_string(Cur *c, int64_t *chars, int *escaped, int *wide) {
    const uint8_t *p = c->p + 1, *end = c->end;
    int64_t n = 0;
    int esc = 0, classes = 0;
    while (p < end) {
#ifdef WORDWISE
        /* whole words of plain ASCII (no quote, backslash or control) or of two CJK characters at a time */
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if ((w & CJK2_MASK) == CJK2_BITS) {
                uint8_t a = p[0] & 0x0F, b = p[3] & 0x0F;
                if (!a || a == 0xD || !b || b == 0xD) break;
                p += 6, n += 2, classes |= WIDE_BMP;
            } else if (!(w & HIGHS) && !HAS_ZERO(w ^ (ONES * '"')) && !HAS_ZERO(w ^ (ONES * '\\')) &&
                       !HAS_LESS(w, 0x20)) {
                p += 8, n += 8;
            } else {
                break;
            }
        }
        if (p >= end) break;
#endif
        uint8_t b = *p;
        if (b >= 0xE1 && b <= 0xEC && end - p >= 3 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
            p += 3, n++, classes |= WIDE_BMP; /* the common CJK case first */
            continue;
        }
        if (b == '"') {
            c->p = p + 1;
            *chars = n, *escaped = esc, *wide |= classes;
            return 0;
        }
        if (b == '\\') {
            esc = 1;
            if (end - p < 2) return -1;
            uint8_t e = p[1];
            if (e == 'u') {
                uint32_t u;
                if (hex4(p + 2, end, &u)) return -1;
                p += 6;
                if (u >= 0xDC00 && u <= 0xDFFF) return -1;
                if (u >= 0xD800 && u <= 0xDBFF) {
                    uint32_t low;
                    if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || hex4(p + 2, end, &low)) return -1;
                    if (low < 0xDC00 || low > 0xDFFF) return -1;
                    p += 6;
                    classes |= WIDE_ASTRAL;
                } else {
                    classes |= u < 0x80 ? 0 : u < 0x100 ? WIDE_LATIN1 : WIDE_BMP;
                }
                n++;
                continue;
            }
            if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
                p += 2, n++;
                continue;
            }
            return -1;
        }
        if (b < 0x20) return -1;
        if (b < 0x80) {
            p++, n++;
            continue;
        }
        /* the rest of UTF-8, strictly (no overlongs, no surrogates, nothing above U+10FFFF) */
        Py_ssize_t left = end - p;
        if (b >= 0xC2 && b <= 0xDF) {
            if (left < 2 || (p[1] & 0xC0) != 0x80) return -1;
            p += 2;
            classes |= b <= 0xC3 ? WIDE_LATIN1 : WIDE_BMP;
        } else if (b >= 0xE0 && b <= 0xEF) {
            if (left < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return -1;
            if (b == 0xE0 && p[1] < 0xA0) return -1;
            if (b == 0xED && p[1] > 0x9F) return -1;
            p += 3;
            classes |= WIDE_BMP;
        } else if (b >= 0xF0 && b <= 0xF4) {
            if (left < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return -1;
            if (b == 0xF0 && p[1] < 0x90) return -1;
            if (b == 0xF4 && p[1] > 0x8F) return -1;
            p += 4;
            classes |= WIDE_ASTRAL;
        } else {
            return -1;
        }
        n++;
    }
    return -1; /* unterminated */
}

static int skip_value(Cur *c, int depth);

static int skip_number(Cur *c) {
    const uint8_t *p = c->p, *end = c->end;
    if (p < end && *p == '-') p++;
    if (p >= end) return -1;
    if (*p == '0') {
        p++;
    } else if (*p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') p++;
    } else {
        return -1;
    }
    if (p < end && *p == '.') {
        p++;
        if (p >= end || *p < '0' || *p > '9') return -1;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || *p < '0' || *p > '9') return -1;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    c->p = p;
    return 0;
}

static int skip_word(Cur *c, const char *word, size_t len) {
    if ((size_t)(c->end - c->p) < len || memcmp(c->p, word, len)) return -1;
    c->p += len;
    return 0;
}

static int skip_container(Cur *c, int depth, uint8_t close, int keyed) {
    if (depth >= MAX_DEPTH) return -1;
    c->p++;
    skip_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return 0;
    }
    for (;;) {
        if (keyed) {
            int64_t n;
            int e, w = 0;
            if (c->p >= c->end || *c->p != '"' || scan_string(c, &n, &e, &w)) return -1;
            skip_ws(c);
            if (c->p >= c->end || *c->p != ':') return -1;
            c->p++;
            skip_ws(c);
        }
        if (skip_value(c, depth + 1)) return -1;
        skip_ws(c);
        if (c->p >= c->end) return -1;
        if (*c->p == ',') {
            c->p++;
            skip_ws(c);
            continue;
        }
        if (*c->p == close) {
            c->p++;
            return 0;
        }
        return -1;
    }
}

static int skip_value(Cur *c, int depth) {
    if (c->p >= c->end) return -1;
    switch (*c->p) {
        case '"': {
            int64_t n;
            int e, w = 0;
            return scan_string(c, &n, &e, &w);
        }
        case '{':
            return skip_container(c, depth, '}', 1);
        case '[':
            return skip_container(c, depth, ']', 0);
        case 't':
            return skip_word(c, "true", 4);
        case 'f':
            return skip_word(c, "false", 5);
        case 'n':
            return skip_word(c, "null", 4);
        default:
            return skip_number(c);
    }
}

/* ------------------------------------------------------------------------------------------------ */
/* growable columns                                                                                   */

typedef struct {
    char *v;
    Py_ssize_t n, cap, size;
} Column;

static int col_push(Column *col, const void *item) {
    if (col->n == col->cap) {
        Py_ssize_t cap = col->cap ? 2 * col->cap : 1024;
        char *v = realloc(col->v, (size_t)(cap * col->size));
        if (!v) return -1;
        col->v = v, col->cap = cap;
    }
    memcpy(col->v + col->n * col->size, item, (size_t)col->size);
    col->n++;
    return 0;
}

static PyObject *col_bytes(const Column *col) {
    return PyByteArray_FromStringAndSize(col->v ? col->v : "", col->n * col->size);
}

/* ------------------------------------------------------------------------------------------------ */
/* lex()                                                                                              */

enum { LINE_ITEM = 0, LINE_BLANK = 1, LINE_SLOW = 2 };

typedef struct {
    const uint8_t *text, *source;
    Py_ssize_t text_field_len, source_field_len;
    int with_source;
} Fields;

typedef struct {
    int64_t chars;
    const uint8_t *text_at; /* the literal's content, between the quotes */
    Py_ssize_t text_len;
    int text_escaped, text_wide;
    const uint8_t *source_at; /* NULL: absent or null */
    Py_ssize_t source_len;
    int source_escaped;
} Found;

static uint8_t *unescape(uint8_t *o, const uint8_t *p, const uint8_t *end);

/* a source value lex_line() accepted, as a str */
static PyObject *source_value(const Found *found) {
    if (!found->source_at) Py_RETURN_NONE;
    if (!found->source_escaped)
        return PyUnicode_DecodeUTF8((const char *)found->source_at, found->source_len, "strict");
    uint8_t *buf = malloc((size_t)found->source_len + 1);
    if (!buf) return PyErr_NoMemory();
    uint8_t *o = unescape(buf, found->source_at, found->source_at + found->source_len);
    PyObject *value = PyUnicode_DecodeUTF8((const char *)buf, o - buf, "strict");
    free(buf);
    return value;
}

static int is_blank(const uint8_t *p, const uint8_t *end) {
    for (; p < end; p++)
        if (!(*p == ' ' || *p == '\t' || *p == '\r' || *p == 0x0b || *p == 0x0c)) return 0;
    return 1;
}

static int lex_line(const uint8_t *p, const uint8_t *end, const Fields *f, Found *out) {
    if (is_blank(p, end)) return LINE_BLANK;
    Cur c = {p, end};
    int text_seen = 0, source_seen = 0;
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{') return LINE_SLOW;
    c.p++;
    skip_ws(&c);
    if (c.p < c.end && *c.p == '}') return LINE_SLOW; /* no text field: the reference reader says so */
    for (;;) {
        if (c.p >= c.end || *c.p != '"') return LINE_SLOW;
        const uint8_t *key = c.p + 1;
        int64_t kn;
        int kesc, kwide = 0;
        if (scan_string(&c, &kn, &kesc, &kwide)) return LINE_SLOW;
        Py_ssize_t klen = c.p - 1 - key;
        uint8_t *plain = NULL;
        if (kesc) { /* compare the name json.loads would see */
            if (!(plain = malloc((size_t)klen + 1))) return LINE_SLOW;
            klen = unescape(plain, key, key + klen) - plain;
            key = plain;
        }
        int is_text = klen == f->text_field_len && !memcmp(key, f->text, (size_t)klen);
        int is_source = f->with_source && klen == f->source_field_len && !memcmp(key, f->source, (size_t)klen);
        free(plain);
        skip_ws(&c);
        if (c.p >= c.end || *c.p != ':') return LINE_SLOW;
        c.p++;
        skip_ws(&c);
        if (c.p >= c.end) return LINE_SLOW;
        if (is_text) {
            if (text_seen++ || *c.p != '"') return LINE_SLOW;
            out->text_at = c.p + 1;
            if (scan_string(&c, &out->chars, &out->text_escaped, &out->text_wide)) return LINE_SLOW;
            out->text_len = c.p - 1 - out->text_at;
        } else if (is_source) {
            if (source_seen++) return LINE_SLOW;
            if (*c.p == '"') {
                int64_t sn;
                int swide = 0;
                out->source_at = c.p + 1;
                if (scan_string(&c, &sn, &out->source_escaped, &swide)) return LINE_SLOW;
                out->source_len = c.p - 1 - out->source_at;
            } else if (skip_word(&c, "null", 4)) {
                return LINE_SLOW; /* a number or object names no source the same way: let Python decide */
            }
        } else if (skip_value(&c, 1)) {
            return LINE_SLOW;
        }
        skip_ws(&c);
        if (c.p >= c.end) return LINE_SLOW;
        if (*c.p == ',') {
            c.p++;
            skip_ws(&c);
            continue;
        }
        if (*c.p != '}') return LINE_SLOW;
        c.p++;
        skip_ws(&c);
        if (c.p != c.end || !text_seen) return LINE_SLOW;
        return LINE_ITEM;
    }
}

PyDoc_STRVAR(lex_doc,
             "lex(data, text_field, source_field, prefix, first, seed_key) -> None or (lines, line, chars,\n"
             "text_offset, text_length, escaped, tech, manual, sources)\n\n"
             "Every line of data (whole lines, the first numbered `first`) read as the reference reader\n"
             "would, or None when one line needs it. Columns are bytearrays: int64 line numbers, int64\n"
             "code-point lengths, int64 offsets and lengths of the text literals' raw bytes, uint8 flags (bit 0:\n"
             "the literal has escapes; bits 1-2: its widest code point, 0 ASCII, 1 Latin-1, 2 BMP, 3 astral),\n"
             "and uint64 (technical, manual) hashes of prefix + str(line) keyed with seed_key;\n"
             "sources is a list of str or None per item (None when source_field is None).");

static PyObject *lex(PyObject *module, PyObject *args) {
    Py_buffer data, prefix, seed;
    const char *text_field, *source_field;
    Py_ssize_t text_len, source_len;
    long long first;
    (void)module;
    if (!PyArg_ParseTuple(args, "y*y#z#y*Ly*", &data, &text_field, &text_len, &source_field, &source_len,
                          &prefix, &first, &seed))
        return NULL;
    PyObject *result = NULL, *sources = NULL;
    Column line = {0, 0, 0, 8}, chars = {0, 0, 0, 8}, toff = {0, 0, 0, 8}, tlen = {0, 0, 0, 8};
    Column esc = {0, 0, 0, 1}, tech = {0, 0, 0, 8}, manual = {0, 0, 0, 8};
    uint8_t *key = NULL;
    if (seed.len > 64) goto slow; /* hashlib refuses such a key: let the reference path raise */
    Fields f = {(const uint8_t *)text_field, (const uint8_t *)source_field, text_len, source_len, source_field != NULL};
    if (f.with_source && !(sources = PyList_New(0))) goto fail;
    uint64_t start[8];
    b2_keyed_start(start, seed.buf, (size_t)seed.len);
    key = malloc((size_t)prefix.len + 24);
    if (!key) {
        PyErr_NoMemory();
        goto fail;
    }
    memcpy(key, prefix.buf, (size_t)prefix.len);
    const uint8_t *base = data.buf, *p = base, *end = base + data.len;
    long long number = first;
    long long lines = 0;
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        const uint8_t *stop = nl ? nl : end;
        Found found = {0};
        int kind = lex_line(p, stop, &f, &found);
        if (kind == LINE_SLOW) goto slow;
        if (kind == LINE_ITEM) {
            int64_t off = found.text_at - base, len = found.text_len, num = number;
            uint8_t e = (uint8_t)(found.text_escaped | WIDE_CLASS(found.text_wide) << 1);
            int digits = snprintf((char *)key + prefix.len, 24, "%lld", number);
            uint64_t hashes[2];
            b2_finish(start, key, (size_t)prefix.len + (size_t)digits, hashes);
            if (col_push(&line, &num) || col_push(&chars, &found.chars) || col_push(&toff, &off) ||
                col_push(&tlen, &len) || col_push(&esc, &e) || col_push(&tech, &hashes[0]) ||
                col_push(&manual, &hashes[1])) {
                PyErr_NoMemory();
                goto fail;
            }
            if (sources) {
                PyObject *value = source_value(&found);
                if (!value || PyList_Append(sources, value)) {
                    Py_XDECREF(value);
                    goto fail;
                }
                Py_DECREF(value);
            }
        }
        number++, lines++;
        p = nl ? nl + 1 : end;
    }
    {
        PyObject *cols[7] = {col_bytes(&line), col_bytes(&chars), col_bytes(&toff), col_bytes(&tlen),
                             col_bytes(&esc),  col_bytes(&tech),  col_bytes(&manual)};
        int ok = 1;
        for (int i = 0; i < 7; i++) ok &= cols[i] != NULL;
        if (ok)
            result = Py_BuildValue("(LOOOOOOOO)", lines, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5],
                                   cols[6], sources ? sources : Py_None);
        for (int i = 0; i < 7; i++) Py_XDECREF(cols[i]);
    }
    goto fail; /* shared clean-up; result is set */
slow:
    result = Py_None;
    Py_INCREF(result);
fail:
    free(key);
    free(line.v), free(chars.v), free(toff.v), free(tlen.v), free(esc.v), free(tech.v), free(manual.v);
    Py_XDECREF(sources);
    PyBuffer_Release(&data), PyBuffer_Release(&prefix), PyBuffer_Release(&seed);
    return result;
}

/* ------------------------------------------------------------------------------------------------ */
/* texts()                                                                                            */

static uint8_t *put_utf8(uint8_t *o, uint32_t u) {
    if (u < 0x80) {
        *o++ = (uint8_t)u;
    } else if (u < 0x800) {
        *o++ = (uint8_t)(0xC0 | (u >> 6));
        *o++ = (uint8_t)(0x80 | (u & 0x3F));
    } else if (u < 0x10000) {
        *o++ = (uint8_t)(0xE0 | (u >> 12));
        *o++ = (uint8_t)(0x80 | ((u >> 6) & 0x3F));
        *o++ = (uint8_t)(0x80 | (u & 0x3F));
    } else {
        *o++ = (uint8_t)(0xF0 | (u >> 18));
        *o++ = (uint8_t)(0x80 | ((u >> 12) & 0x3F));
        *o++ = (uint8_t)(0x80 | ((u >> 6) & 0x3F));
        *o++ = (uint8_t)(0x80 | (u & 0x3F));
    }
    return o;
}

/* the content of a literal lex() accepted, unescaped (never longer than the literal) */
static uint8_t *unescape(uint8_t *o, const uint8_t *p, const uint8_t *end) {
    while (p < end) {
        const uint8_t *bs = memchr(p, '\\', (size_t)(end - p));
        const uint8_t *stop = bs ? bs : end;
        memcpy(o, p, (size_t)(stop - p));
        o += stop - p;
        if (!bs) break;
        uint8_t e = bs[1];
        p = bs + 2;
        switch (e) {
            case 'b': *o++ = '\b'; break;
            case 'f': *o++ = '\f'; break;
            case 'n': *o++ = '\n'; break;
            case 'r': *o++ = '\r'; break;
            case 't': *o++ = '\t'; break;
            case 'u': {
                uint32_t u = 0, low = 0;
                hex4(p, end, &u);
                p += 4;
                if (u >= 0xD800 && u <= 0xDBFF) { /* lex() saw its low half */
                    hex4(p + 2, end, &low);
                    p += 6;
                    u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
                }
                o = put_utf8(o, u);
                break;
            }
            default: *o++ = e; /* " \ / */
        }
    }
    return o;
}

/* One literal lex() accepted (content between the quotes, escapes and all), decoded straight into the
 * kind-byte code units of the final str at out[*at], exactly `n` code points. The bytes were validated by
 * lex(), so the fast paths only check what picks them; but columns of some other data must not make it read
 * past the literal or write past the n code points, so every step is bounded by both, and anything that is
 * not what lex() accepted (or a code point above `top`) is refused. ORs the WIDE_* classes written into
 * *wide. Returns 0, or -1 when the literal does not decode to exactly n code points up to `top`. */
#define STORE(kind, out, j, u)                                     \
    do {                                                           \
        if ((kind) == 1) ((Py_UCS1 *)(out))[j] = (Py_UCS1)(u);     \
        else if ((kind) == 2) ((Py_UCS2 *)(out))[j] = (Py_UCS2)(u); \
        else ((Py_UCS4 *)(out))[j] = (Py_UCS4)(u);                 \
    } while (0)

#ifdef CJK_SSSE3
/* decode_literal's run of 3-byte sequences into UCS-2, five per 16-byte load (the lanes' arithmetic is
 * the scalar pair loop's) */
__attribute__((target("ssse3"))) static void cjk_ssse3(const uint8_t **pp, const uint8_t *end, void *out,
                                                       Py_ssize_t *oo, Py_ssize_t lim) {
    const uint8_t *p = *pp;
    Py_ssize_t o = *oo;
    const __m128i mask = _mm_setr_epi8((char)0xF0, (char)0xC0, (char)0xC0, (char)0xF0, (char)0xC0, (char)0xC0,
                                       (char)0xF0, (char)0xC0, (char)0xC0, (char)0xF0, (char)0xC0, (char)0xC0,
                                       (char)0xF0, (char)0xC0, (char)0xC0, 0);
    const __m128i bits = _mm_setr_epi8((char)0xE0, (char)0x80, (char)0x80, (char)0xE0, (char)0x80, (char)0x80,
                                       (char)0xE0, (char)0x80, (char)0x80, (char)0xE0, (char)0x80, (char)0x80,
                                       (char)0xE0, (char)0x80, (char)0x80, 0);
    /* 16-bit lane j: (byte 3j+1) << 8 | byte 3j+2, and byte 3j << 8 */
    const __m128i tails = _mm_setr_epi8(2, 1, 5, 4, 8, 7, 11, 10, 14, 13, -1, -1, -1, -1, -1, -1);
    const __m128i leads = _mm_setr_epi8(-1, 0, -1, 3, -1, 6, -1, 9, -1, 12, -1, -1, -1, -1, -1, -1);
    while (end - p >= 16 && lim - o >= 8) { /* writes 8 code units, the first 5 final */
        __m128i v = _mm_loadu_si128((const __m128i *)p);
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(v, mask), bits)) != 0xFFFF) break;
        __m128i t = _mm_shuffle_epi8(v, tails), l = _mm_shuffle_epi8(v, leads);
        __m128i r = _mm_or_si128(_mm_and_si128(_mm_srli_epi16(t, 2), _mm_set1_epi16(0x0FC0)),
                                 _mm_and_si128(t, _mm_set1_epi16(0x3F)));
        r = _mm_or_si128(r, _mm_slli_epi16(l, 4));
        _mm_storeu_si128((__m128i *)((Py_UCS2 *)out + o), r);
        p += 15, o += 5;
    }
    *pp = p, *oo = o;
}
#endif

static inline __attribute__((always_inline)) int decode_literal(int kind, int simd, void *out,
                                                                Py_ssize_t *at, Py_ssize_t n, const uint8_t *p,
                                                                const uint8_t *end, Py_UCS4 top, int *wide) {
    Py_ssize_t o = *at, lim = o + n;
    int w = 0;
    (void)simd;
    while (p < end) {
#ifdef WORDWISE
        if (kind >= 2) { /* 3-byte sequences (all of BMP CJK; E0 and ED leads: lex() checked their ranges),
                          * five or two at a time, then plain ASCII words */
            const uint8_t *from = p;
#ifdef CJK_SSSE3
            if (kind == 2 && simd) cjk_ssse3(&p, end, out, &o, lim);
#endif
            while (end - p >= 8 && lim - o >= 2) {
                uint64_t x;
                memcpy(&x, p, 8);
                if ((x & 0x0000C0C0F0C0C0F0ULL) != 0x00008080E08080E0ULL) break;
                STORE(kind, out, o, ((x & 0x0F) << 12) | ((x >> 2) & 0xFC0) | ((x >> 16) & 0x3F));
                STORE(kind, out, o + 1, ((x >> 12) & 0xF000) | ((x >> 26) & 0xFC0) | ((x >> 40) & 0x3F));
                p += 6, o += 2;
            }
            if (p != from) w |= WIDE_BMP;
        }
#ifdef __SSE2__
        if (kind <= 2) { /* plain ASCII (no backslash), 16 bytes at a time, copied or widened */
            const __m128i slash = _mm_set1_epi8('\\'), zero = _mm_setzero_si128();
            while (end - p >= 16 && lim - o >= 16) {
                __m128i v = _mm_loadu_si128((const __m128i *)p);
                if (_mm_movemask_epi8(_mm_or_si128(v, _mm_cmpeq_epi8(v, slash)))) break;
                if (kind == 1) {
                    _mm_storeu_si128((__m128i *)((Py_UCS1 *)out + o), v);
                } else {
                    _mm_storeu_si128((__m128i *)((Py_UCS2 *)out + o), _mm_unpacklo_epi8(v, zero));
                    _mm_storeu_si128((__m128i *)((Py_UCS2 *)out + o + 8), _mm_unpackhi_epi8(v, zero));
                }
                p += 16, o += 16;
            }
        }
#endif
        while (end - p >= 8 && lim - o >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            if ((x & HIGHS) || HAS_ZERO(x ^ (ONES * '\\'))) break;
            if (kind == 1) memcpy((Py_UCS1 *)out + o, &x, 8);
            else for (int j = 0; j < 8; j++) STORE(kind, out, o + j, p[j]);
            p += 8, o += 8;
        }
        if (p >= end) break;
#endif
        if (o >= lim) return -1;
        uint8_t b = *p;
        Py_ssize_t left = end - p;
        uint32_t u;
        if (b < 0x80) {
            if (b != '\\') {
                STORE(kind, out, o++, b);
                p++;
                continue;
            }
            if (left < 2) return -1;
            switch (p[1]) {
                case 'b': u = '\b'; break;
                case 'f': u = '\f'; break;
                case 'n': u = '\n'; break;
                case 'r': u = '\r'; break;
                case 't': u = '\t'; break;
                case '"': case '\\': case '/': u = p[1]; break;
                case 'u': {
                    if (hex4(p + 2, end, &u)) return -1;
                    p += 4; /* with the p += 2 below: past the six bytes of \uXXXX */
                    if (u >= 0xDC00 && u <= 0xDFFF) return -1;
                    if (u >= 0xD800 && u <= 0xDBFF) {
                        uint32_t low;
                        if (end - p < 8 || p[2] != '\\' || p[3] != 'u' || hex4(p + 4, end, &low)) return -1;
                        if (low < 0xDC00 || low > 0xDFFF) return -1;
                        u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
                        p += 6;
                    }
                    break;
                }
                default: return -1;
            }
            p += 2;
        } else if (b >= 0xC2 && b <= 0xDF) {
            if (left < 2 || (p[1] & 0xC0) != 0x80) return -1;
            u = ((uint32_t)(b & 0x1F) << 6) | (p[1] & 0x3F);
            p += 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            if (left < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return -1;
            u = ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
            if (u < 0x800 || (u >= 0xD800 && u <= 0xDFFF)) return -1;
            p += 3;
        } else if (b >= 0xF0 && b <= 0xF4) {
            if (left < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return -1;
            u = ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) | ((uint32_t)(p[2] & 0x3F) << 6) |
                (p[3] & 0x3F);
            if (u < 0x10000 || u > 0x10FFFF) return -1;
            p += 4;
        } else {
            return -1;
        }
        if (u > top) return -1;
        w |= u < 0x80 ? 0 : u < 0x100 ? WIDE_LATIN1 : u < 0x10000 ? WIDE_BMP : WIDE_ASTRAL;
        STORE(kind, out, o++, u);
    }
    if (o != lim) return -1;
    *at = o, *wide |= w;
    return 0;
}

typedef int (*Decoder)(void *, Py_ssize_t *, Py_ssize_t, const uint8_t *, const uint8_t *, Py_UCS4, int *);

static int decode_ucs1(void *out, Py_ssize_t *at, Py_ssize_t n, const uint8_t *p, const uint8_t *end,
                       Py_UCS4 top, int *wide) {
    return decode_literal(1, 0, out, at, n, p, end, top, wide);
}
static int decode_ucs2(void *out, Py_ssize_t *at, Py_ssize_t n, const uint8_t *p, const uint8_t *end,
                       Py_UCS4 top, int *wide) {
    return decode_literal(2, 0, out, at, n, p, end, top, wide);
}
#ifdef CJK_SSSE3
__attribute__((target("ssse3"))) static int decode_ucs2_ssse3(void *out, Py_ssize_t *at, Py_ssize_t n,
                                                              const uint8_t *p, const uint8_t *end, Py_UCS4 top,
                                                              int *wide) {
    return decode_literal(2, 1, out, at, n, p, end, top, wide);
}
#endif
static int decode_ucs4(void *out, Py_ssize_t *at, Py_ssize_t n, const uint8_t *p, const uint8_t *end,
                       Py_UCS4 top, int *wide) {
    return decode_literal(4, 0, out, at, n, p, end, top, wide);
}

static Decoder ucs2_decoder(void) {
#ifdef CJK_SSSE3
    if (__builtin_cpu_supports("ssse3")) return decode_ucs2_ssse3;
#endif
    return decode_ucs2;
}

PyDoc_STRVAR(texts_doc,
             "texts(data, text_offset, text_length, escaped, chars, index) -> str\n\n"
             "The texts of the items at index (an int64 buffer; None for all), decoded and joined by '\\n'.\n"
             "Only for columns lex() returned for this very data (chars: its code-point lengths).");

/* Why this shape: the str is allocated once at its final length and kind (the code-point counts and the
 * widest class lex() recorded per item) and each literal is decoded into it directly, instead of copying
 * UTF-8 into a buffer and decoding (validating again, upgrading the kind on the way) with
 * PyUnicode_DecodeUTF8. */
static PyObject *texts(PyObject *module, PyObject *args) {
    static const Py_UCS4 TOP[4] = {0x7F, 0xFF, 0xFFFF, 0x10FFFF};
    Py_buffer data, toff, tlen, esc, nchars, index = {0};
    PyObject *index_obj;
    (void)module;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*O", &data, &toff, &tlen, &esc, &nchars, &index_obj)) return NULL;
    PyObject *result = NULL;
    int all = index_obj == Py_None;
    Py_ssize_t items = tlen.len / 8;
    if (toff.len != tlen.len || nchars.len != tlen.len || esc.len != items || tlen.len % 8) {
        PyErr_SetString(PyExc_ValueError, "columns of different lengths");
        goto done;
    }
    if (!all && PyObject_GetBuffer(index_obj, &index, PyBUF_SIMPLE)) goto done;
    Py_ssize_t count = all ? items : index.len / 8;
    const int64_t *off = toff.buf, *len = tlen.buf, *chars = nchars.buf, *at = all ? NULL : index.buf;
    const uint8_t *flags = esc.buf, *base = data.buf;
    Py_ssize_t total = count ? count - 1 : 0;
    int widest = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        int64_t i = all ? k : at[k];
        if (i < 0 || i >= items || off[i] < 0 || len[i] < 0 || off[i] > data.len - len[i]) {
            PyErr_SetString(PyExc_IndexError, "item outside the block");
            goto done;
        }
        if (chars[i] < 0 || chars[i] > len[i] || flags[i] >> 3) {
            PyErr_SetString(PyExc_ValueError, "columns that lex() did not return for this data");
            goto done;
        }
        total += (Py_ssize_t)chars[i];
        int c = flags[i] >> 1;
        if (c > widest) widest = c;
    }
    if (!(result = PyUnicode_New(total, TOP[widest]))) goto done;
    int kind = PyUnicode_KIND(result);
    void *out = PyUnicode_DATA(result);
    Decoder decode =
        kind == PyUnicode_1BYTE_KIND ? decode_ucs1 : kind == PyUnicode_2BYTE_KIND ? ucs2_decoder() : decode_ucs4;
    Py_ssize_t o = 0;
    int wide = 0;
    for (Py_ssize_t k = 0; k < count; k++) {
        int64_t i = all ? k : at[k];
        if (k) STORE(kind, out, o++, '\n');
        const uint8_t *p = base + off[i];
        if (decode(out, &o, (Py_ssize_t)chars[i], p, p + len[i], TOP[widest], &wide)) break;
    }
    /* a str must be canonical: its kind exactly that of its widest code point */
    if (o != total || WIDE_CLASS(wide) != widest) {
        Py_CLEAR(result);
        PyErr_SetString(PyExc_ValueError, "columns that lex() did not return for this data");
    }
done:
    if (!all && index.obj) PyBuffer_Release(&index);
    PyBuffer_Release(&data), PyBuffer_Release(&toff), PyBuffer_Release(&tlen), PyBuffer_Release(&esc);
    PyBuffer_Release(&nchars);
    return result;
}

/* ------------------------------------------------------------------------------------------------ */
/* newlines(): how a plan numbers the first line of each part of a big file                           */

PyDoc_STRVAR(newlines_doc,
             "newlines(data) -> int\n\n"
             "The number of b'\\n' bytes in data (any buffer). bytes.count runs at ~1.5 GB/s; memchr at memory "
             "speed, so cutting a big JSONL file into parts costs little more than reading it.");

static PyObject *newlines(PyObject *module, PyObject *arg) {
    Py_buffer data;
    (void)module;
    if (PyObject_GetBuffer(arg, &data, PyBUF_SIMPLE)) return NULL;
    const uint8_t *p = data.buf, *end = p + data.len;
    Py_ssize_t n = 0;
    Py_BEGIN_ALLOW_THREADS
    while (p < end) {
        const uint8_t *hit = memchr(p, '\n', (size_t)(end - p));
        if (!hit) break;
        n++;
        p = hit + 1;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&data);
    return PyLong_FromSsize_t(n);
}

static PyMethodDef module_methods[] = {
    {"lex", (PyCFunction)lex, METH_VARARGS, lex_doc},
    {"texts", (PyCFunction)texts, METH_VARARGS, texts_doc},
    {"newlines", (PyCFunction)newlines, METH_O, newlines_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef cjsonl_module = {
    PyModuleDef_HEAD_INIT, "aibeian.corpus._cjsonl",
    "A block of JSONL lines read in one pass in C: validation, text fields, lengths, item hashes.", -1,
    module_methods,
};

PyMODINIT_FUNC PyInit__cjsonl(void) { return PyModule_Create(&cjsonl_module); }
