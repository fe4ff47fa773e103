/*
 * aibeian.labeling._jpegsplice: put the label plate's DCT blocks into a baseline JPEG without re-coding the
 * rest of its entropy-coded data.
 *
 * Why: splicing the plate through libjpeg-turbo's lossless transformer (_jpeg_splice._transform) still
 * Huffman-decodes and re-encodes every block of the picture, which is nearly the cost of a full re-encode.
 * The plate covers a few MCU rows; everything in the scan before its first MCU stays byte-identical, and
 * everything after its last MCU stays bit-identical (only shifted). So:
 *
 *   1. Huffman-decode (no dequantisation, no IDCT; code lengths only, plus the DC values for the
 *      predictors) from the start of the scan to the plate's first MCU, and note the exact bit position;
 *   2. from there, continuing bit-exactly: each plate MCU is skipped in the old data and encoded from the
 *      caller's blocks (computed in numpy with the file's quantisation tables) with the file's OWN Huffman
 *      tables; the MCU after each run of plate MCUs is decoded and re-encoded, because its DC differences
 *      refer to the plate's last blocks; the MCUs after it, up to the next plate MCU or the end of the scan,
 *      are decoded for their lengths only and their old bits appended unchanged, shifted to the new bit
 *      position with the 0xFF00 stuffing redone (from there every DC predictor is the file's own again);
 *   3. pad with 1-bits, EOI.
 *
 * The bytes before the join (all headers, metadata and the picture above the plate) are copied unchanged.
 * A plate at the top costs the same as one at the bottom: the rest of the scan is still decoded for its
 * lengths (that is how its end, and the MCU boundaries, are found), and copied as shifted bits.
 *
 * Anything else returns a str saying why (the caller then falls back to the lossless transformer or to a
 * full re-encode): progressive, arithmetic-coded, lossless or 12-bit JPEG, restart markers, more than one
 * scan, a symbol the file's (optimised) Huffman table cannot encode, corrupt or truncated data. The reader
 * never goes past the buffer: after the end of the data or at a marker it feeds zero bits and counts them,
 * and a scan that needed such bits is refused as truncated.
 *
 * Only the CPython C API, no libjpeg headers: the build needs gcc alone, and the extension is optional
 * (setup.py); tests compare its output with the lossless transformer's, coefficient by coefficient.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FAST_BITS 12
#define FAST_SIZE (1 << FAST_BITS)
#define MAX_COMPS 4
#define MAX_BLOCKS 10 /* blocks per MCU in a baseline scan */
/* the reader's state must live in registers in the hot loops: everything that takes it is inlined */
#define HOT static inline __attribute__((always_inline))

static const uint8_t ZIGZAG[64] = {0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,
                                   12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6,  7,  14, 21, 28,
                                   35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
                                   58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

/* ---------------------------------------------------------------- Huffman tables */

typedef struct {
    int defined;
    uint8_t huffval[256];
    int nvals;
    int32_t maxcode[17]; /* largest code of each length, -1 when none */
    int32_t valoff[17];  /* index into huffval of code c of length l: valoff[l] + c */
    uint16_t lut[FAST_SIZE];  /* codes of at most FAST_BITS: (length << 8) | symbol, 0 when longer */
    int32_t fast[FAST_SIZE];  /* decode with value: see build_fast() */
    uint16_t skip[FAST_SIZE]; /* AC lengths-only, a group of symbols per look-up: see build_table() */
    uint16_t ecode[256];      /* encoder: code and length per symbol (length 0: not in the table) */
    uint8_t esize[256];
} huff_t;

/* Build decoder and encoder views of one DHT table (the canonical code of JPEG Annex C). */
static int build_table(huff_t *t, const uint8_t bits[17], const uint8_t *vals, int ac) {
    int code = 0, k = 0;
    memset(t, 0, sizeof(*t));
    t->defined = 1;
    for (int l = 1; l <= 16; l++) {
        int n = bits[l];
        if (n == 0) {
            t->maxcode[l] = -1;
        } else {
            t->valoff[l] = k - code;
            for (int i = 0; i < n; i++, k++, code++) {
                int sym = vals[k];
                t->huffval[k] = (uint8_t)sym;
                t->ecode[sym] = (uint16_t)code;
                t->esize[sym] = (uint8_t)l;
                if (l <= FAST_BITS) {
                    int span = 1 << (FAST_BITS - l), base = code << (FAST_BITS - l);
                    for (int j = 0; j < span; j++) t->lut[base + j] = (uint16_t)((l << 8) | sym);
                }
            }
            t->maxcode[l] = code - 1;
        }
        if (code > (1 << l)) return -1; /* more codes than the length allows */
        code <<= 1;
    }
    t->nvals = k;
    /* fast tables */
    for (int i = 0; i < FAST_SIZE; i++) {
        int e = t->lut[i];
        if (!e) continue;
        int l = e >> 8, sym = e & 0xFF;
        int r = sym >> 4, s = sym & 15;
        if (ac) {
            /* bits 0-5: bits taken by a group of symbols, 6-12: coefficients the group advances, bit 13: the
               group ends the block (EOB). The group is the first symbol (its code and extra bits may reach
               past FAST_BITS) and as many following ones as lie wholly in the FAST_BITS looked up, up to an
               EOB; it stops before advancing 64, so a block's end is never passed without notice. */
            uint32_t used = 0, advance = 0, end = 0;
            for (int first = 1;; first = 0) {
                int e2 = t->lut[(i << used) & (FAST_SIZE - 1)];
                int l2 = e2 >> 8, r2 = (e2 & 0xFF) >> 4, s2 = e2 & 15;
                int adv2 = s2 ? r2 + 1 : (r2 == 15 ? 16 : 0);
                if (!first && (!e2 || used + (uint32_t)(l2 + s2) > FAST_BITS || advance + (uint32_t)adv2 >= 64))
                    break;
                used += (uint32_t)(l2 + s2);
                advance += (uint32_t)adv2;
                if (!adv2) {
                    end = 1;
                    break;
                }
                if (used >= FAST_BITS) break;
            }
            t->skip[i] = (uint16_t)(used | (advance << 6) | (end << 13));
        } else {
            s = sym; /* DC: the symbol is the size category */
        }
        if (s <= 15 && l + s <= FAST_BITS) {
            int v = 0;
            if (s) {
                v = (i >> (FAST_BITS - l - s)) & ((1 << s) - 1);
                if (v < (1 << (s - 1))) v -= (1 << s) - 1;
            }
            int adv = ac ? (s ? r + 1 : (r == 15 ? 16 : 0)) : 0;
            /* bits 0-4 total length, bits 5-11 advance, bits 12-15 unused, 16-31 value */
            t->fast[i] = (int32_t)((uint32_t)(l + s) | ((uint32_t)adv << 5) | ((uint32_t)v << 16));
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- bit reader */

typedef struct {
    const uint8_t *p, *end; /* next byte to load; end of the entropy-coded segment (its marker) */
    uint64_t buf;           /* bits left-aligned; bits below nbits are zero or those of the next byte */
    int nbits;
    int64_t loaded; /* unstuffed bytes loaded, including zero bytes fed past the end */
    int64_t real;   /* unstuffed bytes that exist in the segment */
} reader_t;

static void reader_init(reader_t *r, const uint8_t *p, const uint8_t *end) {
    r->p = p;
    r->end = end;
    r->buf = 0;
    r->nbits = 0;
    r->loaded = 0;
    r->real = 0;
}

HOT void refill(reader_t *r) {
    /* fast path: 8 bytes without 0xFF load as one big-endian word */
    if (r->end - r->p >= 8) {
        uint64_t w;
        memcpy(&w, r->p, 8);
        w = __builtin_bswap64(w);
        uint64_t x = ~w;
        if (!((x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL)) {
            int n = (63 - r->nbits) >> 3;
            r->buf |= w >> r->nbits;
            r->p += n;
            r->nbits += n << 3;
            r->loaded += n;
            r->real += n;
            return;
        }
    }
    while (r->nbits < 56) { /* at most 63: the fast path shifts by nbits */
        unsigned c = 0;
        if (r->p < r->end) {
            c = *r->p;
            if (c == 0xFF) {
                if (r->p + 1 < r->end && r->p[1] == 0) {
                    r->p += 2;
                    r->real++;
                } else {
                    r->p = r->end; /* a marker: the segment ends here */
                    c = 0;
                }
            } else {
                r->p++;
                r->real++;
            }
        }
        r->buf |= (uint64_t)c << (56 - r->nbits);
        r->nbits += 8;
        r->loaded++;
    }
}

HOT void consume(reader_t *r, int n) {
    r->buf <<= n;
    r->nbits -= n;
}

static inline int64_t bitpos(const reader_t *r) { return r->loaded * 8 - r->nbits; }

/* Symbol of a code longer than FAST_BITS (or any, from the canonical limits); -1 if none. Needs 16 bits. */
HOT int slow_symbol(reader_t *r, const huff_t *t) {
    uint32_t code16 = (uint32_t)(r->buf >> 48);
    for (int l = FAST_BITS + 1; l <= 16; l++) {
        int32_t c = (int32_t)(code16 >> (16 - l));
        if (c <= t->maxcode[l]) {
            int idx = t->valoff[l] + c;
            if (idx < 0 || idx >= t->nvals) return -1;
            consume(r, l);
            return t->huffval[idx];
        }
    }
    return -1;
}

HOT int symbol(reader_t *r, const huff_t *t) {
    int e = t->lut[r->buf >> (64 - FAST_BITS)];
    if (e) {
        consume(r, e >> 8);
        return e & 0xFF;
    }
    return slow_symbol(r, t);
}

HOT int extend(reader_t *r, int s) {
    if (!s) return 0;
    int v = (int)(r->buf >> (64 - s));
    consume(r, s);
    return v < (1 << (s - 1)) ? v - (1 << s) + 1 : v;
}

/* DC difference of one block; sets *err on a bad code. */
HOT int decode_dc(reader_t *r, const huff_t *t, int *err) {
    if (r->nbits < 32) refill(r);
    int32_t e = t->fast[r->buf >> (64 - FAST_BITS)];
    if (e) {
        consume(r, e & 31);
        return e >> 16;
    }
    int s = symbol(r, t);
    if (s < 0 || s > 15) {
        *err = 1;
        return 0;
    }
    return extend(r, s);
}

/* Skip AC coefficients symbol by symbol from position k to the block's end: long codes, and the last
   symbols of a block that fills all 64 coefficients. 0, or -1 on a bad code or overrun. */
HOT int skip_ac_exact(reader_t *r, const huff_t *t, int k) {
    for (;;) {
        refill(r);
        int rs = symbol(r, t);
        if (rs < 0) return -1;
        int run = rs >> 4, s = rs & 15;
        if (s) {
            consume(r, s);
            k += run + 1;
        } else if (run == 15) {
            k += 16;
        } else {
            return 0;
        }
        if (k >= 64) return k > 64 ? -1 : 0;
    }
}

/* Skip the AC coefficients of one block (lengths only). 0, or -1 on a bad code or overrun. One refill
   serves two groups: a group takes at most 27 bits and a refill leaves at least 56. */
HOT int skip_ac(reader_t *r, const huff_t *t) {
    int k = 1;
    for (;;) {
        refill(r);
        for (int half = 0; half < 2; half++) {
            uint32_t e = t->skip[r->buf >> (64 - FAST_BITS)];
            int after = k + (int)((e >> 6) & 127);
            if (__builtin_expect(!e || after >= 64, 0)) return skip_ac_exact(r, t, k);
            consume(r, (int)(e & 63));
            k = after;
            if (e & (1u << 13)) return 0;
        }
    }
}

/* Decode the AC coefficients of one block into coef (zig-zag order, zeroed by the caller). */
static inline int decode_ac(reader_t *r, const huff_t *t, int16_t *coef) {
    int k = 1;
    while (k < 64) {
        if (r->nbits < 32) refill(r);
        int32_t e = t->fast[r->buf >> (64 - FAST_BITS)];
        if (e) {
            consume(r, e & 31);
            int adv = (e >> 5) & 127;
            if (!adv) return 0;
            k += adv;
            if (k > 64) return -1;
            coef[k - 1] = (int16_t)(e >> 16);
        } else {
            int rs = symbol(r, t);
            if (rs < 0) return -1;
            int run = rs >> 4, s = rs & 15;
            if (s) {
                k += run;
                if (k > 63) return -1;
                coef[k++] = (int16_t)extend(r, s);
            } else if (run == 15) {
                k += 16;
            } else {
                return 0;
            }
        }
    }
    return k > 64 ? -1 : 0;
}

/* Lengths-only decode of `count` MCUs (DC predictors kept in pred, per scan component); 0 or -1. The state
   is copied into a local so that the compiler keeps it in registers (no pointer to it escapes). */
static int skip_mcus(reader_t *rp, const huff_t *const *dct, const huff_t *const *act, const int *sc,
                     int nslots, int64_t count, int *pred) {
    reader_t r = *rp;
    int err = 0;
    for (int64_t m = 0; m < count && !err; m++)
        for (int s = 0; s < nslots; s++) {
            pred[sc[s]] += decode_dc(&r, dct[s], &err);
            if (skip_ac(&r, act[s])) err = 1;
        }
    *rp = r;
    return err ? -1 : 0;
}

/* ---------------------------------------------------------------- bit writer */

typedef struct {
    uint8_t *out;
    size_t len, cap;
    uint64_t acc; /* pending bits in the low n bits */
    int n;
    int nomem;
} writer_t;

static int grow(writer_t *w, size_t need) {
    if (w->len + need <= w->cap) return 0;
    size_t cap = w->cap * 2 + need + 1024;
    uint8_t *p = realloc(w->out, cap);
    if (!p) {
        w->nomem = 1;
        return -1;
    }
    w->out = p;
    w->cap = cap;
    return 0;
}

/* Append up to 32 bits, stuffing a 0x00 after every 0xFF byte. */
static inline void put(writer_t *w, uint32_t bits, int size) {
    w->acc = (w->acc << size) | (bits & ((size == 32) ? 0xFFFFFFFFu : ((1u << size) - 1)));
    w->n += size;
    if (w->n < 8) return;
    if (grow(w, 10)) {
        w->n = 0;
        return;
    }
    while (w->n >= 8) {
        uint8_t b = (uint8_t)(w->acc >> (w->n - 8));
        w->out[w->len++] = b;
        if (b == 0xFF) w->out[w->len++] = 0;
        w->n -= 8;
    }
}

static inline int category(int v) {
    unsigned a = (unsigned)(v < 0 ? -v : v);
    return a ? 32 - __builtin_clz(a) : 0;
}

/* Encode one block (zig-zag order) with DC difference diff; -1 if a symbol is missing from the tables. */
static int encode_block(writer_t *w, const huff_t *dc, const huff_t *ac, const int16_t *coef, int diff) {
    int s = category(diff);
    if (s > 15 || !dc->esize[s]) return -1;
    put(w, dc->ecode[s], dc->esize[s]);
    if (s) put(w, (uint32_t)(diff < 0 ? diff - 1 : diff), s);
    /* the nonzero coefficients as a bit mask, walked with ctz: most plate blocks are flat (DC only) */
    uint64_t nz = 0;
    for (int k = 1; k < 64; k++) nz |= (uint64_t)(coef[k] != 0) << k;
    int last = 0;
    while (nz) {
        int k = __builtin_ctzll(nz);
        nz &= nz - 1;
        int run = k - last - 1, v = coef[k];
        last = k;
        while (run > 15) {
            if (!ac->esize[0xF0]) return -1;
            put(w, ac->ecode[0xF0], ac->esize[0xF0]);
            run -= 16;
        }
        s = category(v);
        int sym = (run << 4) | s;
        if (s > 15 || !ac->esize[sym]) return -1;
        put(w, ac->ecode[sym], ac->esize[sym]);
        put(w, (uint32_t)(v < 0 ? v - 1 : v), s);
    }
    if (last != 63) {
        if (!ac->esize[0]) return -1;
        put(w, ac->ecode[0], ac->esize[0]);
    }
    return 0;
}

/* ---------------------------------------------------------------- headers */

typedef struct {
    int id, h, v, tq;
    int frame_index;                  /* position in the frame header (the caller's block order) */
    int dc, ac;                       /* table slots, set by the scan header */
    int bx0, by0, nbx, nby;           /* plate region in this component's blocks */
    const int16_t *plate;             /* nby × nbx × 64, natural order */
} comp_t;

typedef struct {
    int width, height, ncomp, hmax, vmax;
    comp_t comp[MAX_COMPS];          /* in scan order once the SOS is read */
    huff_t dc[4], ac[4];
    size_t scan_start;               /* first byte of entropy-coded data */
    size_t scan_end;                 /* the marker after it */
} jpeg_t;

static uint32_t be16(const uint8_t *p) { return ((uint32_t)p[0] << 8) | p[1]; }

/* Parse the headers up to the first scan; NULL or the reason the file is not handled. */
static const char *parse(const uint8_t *d, size_t n, jpeg_t *j) {
    size_t pos = 2;
    int have_frame = 0;
    memset(j, 0, sizeof(*j));
    if (n < 4 || d[0] != 0xFF || d[1] != 0xD8) return "not a JPEG";
    for (;;) {
        if (pos + 4 > n) return "truncated header";
        if (d[pos] != 0xFF) return "corrupt header";
        int m = d[pos + 1];
        if (m == 0xFF) {
            pos++;
            continue;
        }
        size_t len = be16(d + pos + 2);
        if (len < 2 || pos + 2 + len > n) return "truncated header";
        const uint8_t *b = d + pos + 4;
        size_t bl = len - 2;
        if (m == 0xC4) {
            size_t i = 0;
            while (i < bl) {
                if (i + 17 > bl) return "corrupt Huffman table";
                int tc = b[i] >> 4, th = b[i] & 15;
                uint8_t bits[17] = {0};
                int total = 0;
                for (int l = 1; l <= 16; l++) total += bits[l] = b[i + l];
                if (tc > 1 || th > 3 || total > 256 || i + 17 + (size_t)total > bl) return "corrupt Huffman table";
                if (build_table(tc ? &j->ac[th] : &j->dc[th], bits, b + i + 17, tc) < 0)
                    return "corrupt Huffman table";
                i += 17 + (size_t)total;
            }
        } else if (m == 0xC0 || m == 0xC1) {
            if (have_frame) return "two frame headers";
            if (bl < 6) return "corrupt frame header";
            if (b[0] != 8) return "not 8-bit samples";
            j->height = (int)be16(b + 1);
            j->width = (int)be16(b + 3);
            j->ncomp = b[5];
            if (j->ncomp < 1 || j->ncomp > 3 || bl < 6 + 3 * (size_t)j->ncomp) return "unsupported components";
            if (j->width < 1 || j->height < 1) return "no image size (DNL)";
            for (int c = 0; c < j->ncomp; c++) {
                comp_t *cp = &j->comp[c];
                cp->id = b[6 + 3 * c];
                cp->h = b[7 + 3 * c] >> 4;
                cp->v = b[7 + 3 * c] & 15;
                cp->frame_index = c;
                if (cp->h < 1 || cp->h > 4 || cp->v < 1 || cp->v > 4) return "bad sampling factors";
                if (cp->h > j->hmax) j->hmax = cp->h;
                if (cp->v > j->vmax) j->vmax = cp->v;
            }
            have_frame = 1;
        } else if ((m >= 0xC2 && m <= 0xCF) && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            return "progressive, arithmetic-coded or lossless JPEG";
        } else if (m == 0xDD) {
            if (bl < 2) return "corrupt restart interval";
            if (be16(b)) return "restart markers";
        } else if (m == 0xDA) {
            if (!have_frame) return "scan before frame header";
            if (bl < 1) return "corrupt scan header";
            int ns = b[0];
            if (ns != j->ncomp || bl != 4 + 2 * (size_t)ns) return "more than one scan";
            if (b[1 + 2 * ns] != 0 || b[2 + 2 * ns] != 63 || b[3 + 2 * ns] != 0) return "not a sequential scan";
            comp_t ordered[MAX_COMPS];
            for (int s = 0; s < ns; s++) {
                int id = b[1 + 2 * s], c;
                for (c = 0; c < j->ncomp && j->comp[c].id != id; c++) {
                }
                if (c == j->ncomp) return "scan names an unknown component";
                for (int t = 0; t < s; t++)
                    if (ordered[t].id == id) return "component twice in the scan";
                ordered[s] = j->comp[c];
                ordered[s].dc = b[2 + 2 * s] >> 4;
                ordered[s].ac = b[2 + 2 * s] & 15;
                if (ordered[s].dc > 3 || ordered[s].ac > 3 || !j->dc[ordered[s].dc].defined ||
                    !j->ac[ordered[s].ac].defined)
                    return "Huffman table missing";
            }
            memcpy(j->comp, ordered, sizeof(ordered[0]) * (size_t)ns);
            j->scan_start = pos + 2 + len;
            /* the entropy-coded segment ends at the first marker (0xFF not followed by 0x00) */
            const uint8_t *p = d + j->scan_start, *e = d + n;
            for (;;) {
                const uint8_t *f = memchr(p, 0xFF, (size_t)(e - p));
                if (!f || f + 1 >= e) return "truncated scan (no end marker)";
                if (f[1] == 0) {
                    p = f + 2;
                    continue;
                }
                if (f[1] == 0xFF) { /* fill bytes before a marker */
                    p = f + 1;
                    continue;
                }
                j->scan_end = (size_t)(f - d);
                if (f[1] != 0xD9) return (f[1] >= 0xD0 && f[1] <= 0xD7) ? "restart markers" : "more than one scan";
                return NULL;
            }
        }
        pos += 2 + len;
    }
}

/* A position in the entropy-coded segment: file pointer of unstuffed byte number `index`; moves forward. */
typedef struct {
    const uint8_t *p, *end;
    int64_t index;
} cursor_t;

static const uint8_t *seek(cursor_t *c, int64_t index) {
    int64_t need = index - c->index;
    const uint8_t *p = c->p;
    while (need > 0) {
        const uint8_t *f = memchr(p, 0xFF, (size_t)(c->end - p));
        int64_t span = (f ? f : c->end) - p;
        if (span >= need) {
            p += need;
            break;
        }
        if (!f || f + 2 > c->end) { /* callers never ask past the data; stay inside anyway */
            p = c->end;
            break;
        }
        need -= span + 1; /* a stuffed 0xFF counts as one byte */
        p = f + 2;
    }
    c->p = p;
    c->index = index;
    return p;
}

/* Append bits [from, to) of the old segment (unstuffed bit positions) to the writer. */
static void copy_bits(writer_t *w, cursor_t *cur, int64_t from, int64_t to) {
    if (to <= from) return;
    reader_t c;
    reader_init(&c, seek(cur, from / 8), cur->end);
    refill(&c);
    consume(&c, (int)(from % 8));
    int64_t left = to - from;
    if (grow(w, (size_t)(left / 8) * 2 + 16)) return;
    while (left > 0) {
        if (c.nbits < 32) refill(&c);
        int n = left > 32 ? 32 : (int)left;
        put(w, (uint32_t)(c.buf >> (64 - n)), n);
        consume(&c, n);
        left -= n;
    }
}

/* ---------------------------------------------------------------- the splice */

typedef struct {
    int comp; /* scan position */
    int dx, dy;
} slot_t;

static PyObject *splice(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer data;
    int x, y, w, h;
    PyObject *blocks;
    if (!PyArg_ParseTuple(args, "y*iiiiO:splice", &data, &x, &y, &w, &h, &blocks)) return NULL;
    const char *why = NULL;
    PyObject *result = NULL;
    Py_buffer planes[MAX_COMPS];
    int nplanes = 0;
    writer_t wr = {0};
    jpeg_t *j = calloc(1, sizeof(jpeg_t));
    if (!j) {
        PyErr_NoMemory();
        goto done;
    }
    const uint8_t *d = data.buf;
    why = parse(d, (size_t)data.len, j);
    if (why) goto done;

    /* geometry */
    int single = j->ncomp == 1;
    int unit_x = 8 * j->hmax / (single ? j->comp[0].h : 1), unit_y = 8 * j->vmax / (single ? j->comp[0].v : 1);
    if (j->hmax % j->comp[0].h || j->vmax % j->comp[0].v) {
        why = "non-integral sampling";
        goto done;
    }
    for (int c = 0; c < j->ncomp; c++)
        if (j->hmax % j->comp[c].h || j->vmax % j->comp[c].v) {
            why = "non-integral sampling";
            goto done;
        }
    int mcus_x, mcus_y, nslots = 0;
    slot_t slots[MAX_BLOCKS];
    if (single) {
        int cw = (j->width * j->comp[0].h + j->hmax - 1) / j->hmax;
        int ch = (j->height * j->comp[0].v + j->vmax - 1) / j->vmax;
        mcus_x = (cw + 7) / 8;
        mcus_y = (ch + 7) / 8;
        slots[nslots++] = (slot_t){0, 0, 0};
    } else {
        mcus_x = (j->width + 8 * j->hmax - 1) / (8 * j->hmax);
        mcus_y = (j->height + 8 * j->vmax - 1) / (8 * j->vmax);
        for (int c = 0; c < j->ncomp; c++)
            for (int by = 0; by < j->comp[c].v; by++)
                for (int bx = 0; bx < j->comp[c].h; bx++) {
                    if (nslots == MAX_BLOCKS) {
                        why = "more than 10 blocks per MCU";
                        goto done;
                    }
                    slots[nslots++] = (slot_t){c, bx, by};
                }
    }
    if (x < 0 || y < 0 || w <= 0 || h <= 0 || x % unit_x || y % unit_y || w % unit_x || h % unit_y ||
        x + w > mcus_x * unit_x || y + h > mcus_y * unit_y) {
        why = "plate not on the MCU grid";
        goto done;
    }
    if (!PySequence_Check(blocks) || PySequence_Size(blocks) != j->ncomp) {
        why = "one block array per component expected";
        goto done;
    }
    for (int c = 0; c < j->ncomp; c++) {
        comp_t *cp = &j->comp[c];
        PyObject *item = PySequence_GetItem(blocks, cp->frame_index);
        if (!item) goto done;
        int got = PyObject_GetBuffer(item, &planes[nplanes], PyBUF_C_CONTIGUOUS);
        Py_DECREF(item);
        if (got < 0) goto done;
        Py_buffer *pb = &planes[nplanes++];
        cp->bx0 = x * cp->h / j->hmax / 8;
        cp->by0 = y * cp->v / j->vmax / 8;
        cp->nbx = w * cp->h / j->hmax / 8;
        cp->nby = h * cp->v / j->vmax / 8;
        if (pb->len != (Py_ssize_t)cp->nbx * cp->nby * 64 * (Py_ssize_t)sizeof(int16_t)) {
            why = "block array of the wrong size";
            goto done;
        }
        cp->plate = pb->buf;
    }
    int mx0 = x / unit_x, my0 = y / unit_y, mx1 = (x + w) / unit_x, my1 = (y + h) / unit_y;
    int64_t total = (int64_t)mcus_x * mcus_y;
    int64_t first = (int64_t)my0 * mcus_x + mx0;        /* first MCU re-encoded */

    const uint8_t *seg = d + j->scan_start, *seg_end = d + j->scan_end;
    reader_t r;
    reader_init(&r, seg, seg_end);
    int pred[MAX_COMPS] = {0};
    int err = 0;
    const huff_t *dct[MAX_BLOCKS], *act[MAX_BLOCKS];
    int sc[MAX_BLOCKS];
    for (int s = 0; s < nslots; s++) {
        sc[s] = slots[s].comp;
        dct[s] = &j->dc[j->comp[sc[s]].dc];
        act[s] = &j->ac[j->comp[sc[s]].ac];
    }

    /* 1. lengths-only decode up to the plate */
    Py_BEGIN_ALLOW_THREADS;
    err = skip_mcus(&r, dct, act, sc, nslots, first, pred);
    Py_END_ALLOW_THREADS;
    if (err || bitpos(&r) > r.real * 8) {
        why = "corrupt or truncated scan";
        goto done;
    }
    int64_t join = bitpos(&r);
    cursor_t cur = {seg, seg_end, 0};
    const uint8_t *join_at = seek(&cur, join / 8);
    int keep = (int)(join % 8);
    size_t prefix = (size_t)(join_at - d);
    wr.cap = prefix + (size_t)(seg_end - join_at) + 4096;
    wr.out = malloc(wr.cap);
    if (!wr.out) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(wr.out, d, prefix);
    wr.len = prefix;
    if (keep) {
        if (join_at >= seg_end) {
            why = "corrupt or truncated scan";
            goto done;
        }
        put(&wr, (uint32_t)(*join_at >> (8 - keep)), keep);
    }

    /* 2. from the plate's first MCU to the end: plate MCUs are skipped in the old data and encoded from the
       caller's blocks; the MCU after each run of plate MCUs is decoded and re-encoded (its DC differences
       refer to the plate); the MCUs after it, up to the next plate MCU, are copied as bits. */
    int newpred[MAX_COMPS];
    memcpy(newpred, pred, sizeof(pred));
    int16_t coef[64], zz[64];
    int64_t m = first;
    while (m < total) {
        int mx = (int)(m % mcus_x), my = (int)(m / mcus_x);
        int inside = my >= my0 && my < my1 && mx >= mx0 && mx < mx1;
        if (inside) {
            if (skip_mcus(&r, dct, act, sc, nslots, 1, pred)) {
                why = "corrupt or truncated scan";
                goto done;
            }
        }
        for (int s = 0; s < nslots; s++) {
            comp_t *cp = &j->comp[sc[s]];
            const int16_t *src = zz;
            if (inside) {
                int bx = (single ? mx : mx * cp->h + slots[s].dx) - cp->bx0;
                int by = (single ? my : my * cp->v + slots[s].dy) - cp->by0;
                const int16_t *nat = cp->plate + ((size_t)by * cp->nbx + bx) * 64;
                for (int k = 0; k < 64; k++) zz[k] = nat[ZIGZAG[k]];
            } else {
                memset(coef, 0, sizeof(coef));
                pred[sc[s]] += decode_dc(&r, dct[s], &err);
                if (err || decode_ac(&r, act[s], coef)) {
                    why = "corrupt or truncated scan";
                    goto done;
                }
                coef[0] = (int16_t)pred[sc[s]];
                src = coef;
            }
            if (encode_block(&wr, dct[s], act[s], src, src[0] - newpred[sc[s]])) {
                why = "a plate symbol is missing from the file's Huffman table";
                goto done;
            }
            newpred[sc[s]] = src[0];
        }
        m++;
        if (inside) continue;
        /* every predictor is the file's own again: copy the old bits up to the next plate MCU */
        int64_t next;
        if (my < my0)
            next = (int64_t)my0 * mcus_x + mx0;
        else if (my < my1 && mx < mx0)
            next = (int64_t)my * mcus_x + mx0;
        else if (my + 1 < my1)
            next = (int64_t)(my + 1) * mcus_x + mx0;
        else
            next = total;
        if (next > m) {
            int64_t from = bitpos(&r);
            Py_BEGIN_ALLOW_THREADS;
            err = skip_mcus(&r, dct, act, sc, nslots, next - m, pred);
            Py_END_ALLOW_THREADS;
            if (err || bitpos(&r) > r.real * 8) {
                why = "corrupt or truncated scan";
                goto done;
            }
            copy_bits(&wr, &cur, from, bitpos(&r));
            memcpy(newpred, pred, sizeof(pred)); /* the copied blocks keep their own DC values */
            m = next;
        }
    }
    if (bitpos(&r) > r.real * 8) {
        why = "corrupt or truncated scan";
        goto done;
    }
    if (wr.n) put(&wr, 0xFF, 8 - wr.n); /* pad with 1-bits */
    if (grow(&wr, 2)) {
        PyErr_NoMemory();
        goto done;
    }
    if (wr.nomem) {
        PyErr_NoMemory();
        goto done;
    }
    wr.out[wr.len++] = 0xFF;
    wr.out[wr.len++] = 0xD9;
    result = PyBytes_FromStringAndSize((const char *)wr.out, (Py_ssize_t)wr.len);

done:
    if (!result && !PyErr_Occurred()) result = PyUnicode_FromString(why ? why : "unknown failure");
    for (int i = 0; i < nplanes; i++) PyBuffer_Release(&planes[i]);
    PyBuffer_Release(&data);
    free(wr.out);
    free(j);
    return result;
}

PyDoc_STRVAR(splice_doc,
             "splice(data, x, y, width, height, blocks) -> bytes | str\n\n"
             "The baseline JPEG `data` with the blocks of the MCU-aligned box (x, y, width, height) replaced by\n"
             "`blocks` (one C-contiguous int16 buffer per frame component: rows × cols × 8 × 8 quantised\n"
             "coefficients in natural order), entropy data outside the box kept; or a str saying why not.");

static PyMethodDef module_methods[] = {
    {"splice", (PyCFunction)splice, METH_VARARGS, splice_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef jpegsplice_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "aibeian.labeling._jpegsplice",
    .m_doc = "Label plate spliced into a baseline JPEG's entropy data without re-coding the rest. See "
             "_native/jpegsplice.c.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__jpegsplice(void) {
    PyObject *m = PyModule_Create(&jpegsplice_module);
    if (!m) return NULL;
    if (PyModule_AddIntConstant(m, "FORMAT", 1) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
