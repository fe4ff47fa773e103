/*
 * aibeian.keywords._cmatch: the matcher's hot path in one pass over the text, in C.
 *
 * Why: the pure-Python path (numpy normalisation + daachorse + numpy span checks) spends most of its time
 * handing every match to Python as a tuple and converting lists to arrays; on match-dense Chinese text
 * (~27,000 matches per MB) that bounds it far below the target. Here the whole pipeline runs over
 * the str's own code points without creating a Python object per character or per candidate:
 *
 *   1. normalise through one 32-bit "scan table" per code point (derived from _normalise.table(): the
 *      character class of the folded character in the automaton's alphabet, plus the flag bits), keeping
 *      the original index of every surviving character, the longest visible-noise run before it and the
 *      folds that changed it;
 *   2. leftmost-longest matching (exact semantics of daachorse's MATCH_KIND_LEFTMOST_LONGEST): positions
 *      where no keyword can start are sieved out, the others walk a double-array trie built here (build());
 *   3. the same validity rules and the same repair of rejected matches as _matcher.py (noise gap, Latin
 *      word boundaries), the allow-list, span mapping and evasion bits;
 *
 * Scanner.scan() returns columns (bytearrays for numpy.frombuffer); Scanner.find() builds the Match tuples
 * directly. Nothing here decides policy: every rule mirrors the Python fallback, and the tests compare the
 * two engines on random text (tests/keywords/test_engines.py).
 *
 * Only the CPython C API; no numpy headers (buffers in, bytearrays out), so the build needs gcc alone.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define UNICODE_SIZE 0x110000
#define CODE_MASK 0x1FFFFFu

/* flag bits of the packed normalisation table (mirror of _normalise.py) */
#define P_TRADITIONAL (1u << 21)
#define P_WIDTH (1u << 22)
#define P_CASE (1u << 23)
#define P_NOISE (1u << 24)
#define P_VISIBLE (1u << 25)
#define P_OTHER (1u << 26)

/* our scan table: per code point the automaton class of the folded character (low 24 bits) and flags */
#define S_CLASS 0xFFFFFFu
#define S_NOISE (1u << 24)
#define S_VISIBLE (1u << 25)
#define S_OTHER (1u << 26)
#define S_TRAD (1u << 27) /* the same bits as in a normalised word (N_*, below) */
#define S_WIDTH (1u << 28)
#define S_CASE (1u << 29)
#define S_WORD (1u << 30)

/* per-pattern flags (built in _compiled.py) */
#define F_LATIN_START 1u
#define F_LATIN_END 2u
#define F_PINYIN 4u
#define F_RECHECK 8u

/* evasion bits (mirror of _evasion.py) plus the "ask Python" marker */
#define E_TRADITIONAL 1
#define E_FULLWIDTH 2
#define E_CASE 4
#define E_NOISE 8
#define E_PINYIN 16
#define E_RECHECK 256

#define ALLOW_KEYWORD (-1)

/* ------------------------------------------------------------------------------------------------ */
/* growable arrays of matches                                                                        */

typedef struct {
    uint32_t s, e; /* normalised offsets */
    int32_t pid;
    uint32_t long_gap; /* a noise run longer than allowed lies inside */
} Hit;

typedef struct {
    Hit *v;
    Py_ssize_t n, cap;
} Hits;

static int hits_push(Hits *h, Py_ssize_t s, Py_ssize_t e, int32_t pid, int long_gap) {
    if (h->n == h->cap) {
        Py_ssize_t cap = h->cap ? h->cap * 2 : 1024;
        Hit *v = (Hit *)realloc(h->v, (size_t)cap * sizeof(Hit));
        if (!v) return -1;
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n].s = (uint32_t)s;
    h->v[h->n].e = (uint32_t)e;
    h->v[h->n].pid = pid;
    h->v[h->n].long_gap = (uint32_t)long_gap;
    h->n++;
    return 0;
}

/* ------------------------------------------------------------------------------------------------ */
/* the Scanner object                                                                                */

typedef struct {
    int32_t base2; /* base << 1 | 1 when a pattern ends here */
    int32_t check; /* parent slot; -1 free, -2 the root */
} Node;

/* Working arrays of one scan. A scanner keeps one set between calls (no allocation and page faults per
 * call); a second thread scanning with the same scanner at the same time gets a set of its own. */
typedef struct {
    uint32_t *cls, *idx; /* per surviving character: class | noise gap before it; original offset */
    uint8_t *flag;       /* a pattern may start here (first pass) */
    Py_ssize_t cap;
    Hits first, final; /* first-pass matches; matches after the repair */
    char *ok;          /* first-pass match passes the rules */
    Py_ssize_t ok_cap;
} Scratch;

static void scratch_free(Scratch *w) {
    free(w->cls), free(w->idx), free(w->flag), free(w->first.v), free(w->final.v), free(w->ok);
    memset(w, 0, sizeof(*w));
}

static int scratch_reserve(Scratch *w, Py_ssize_t n) {
    if (n <= w->cap) return 0;
    free(w->cls), free(w->idx), free(w->flag);
    w->cls = (uint32_t *)malloc((size_t)n * 4);
    w->idx = (uint32_t *)malloc((size_t)n * 4);
    w->flag = (uint8_t *)malloc((size_t)n + 8);
    w->cap = n;
    if (w->cls && w->idx && w->flag) return 0;
    free(w->cls), free(w->idx), free(w->flag);
    w->cls = w->idx = NULL, w->flag = NULL, w->cap = 0;
    return -1;
}

/* A normalised character in one word: its class (24 bits), the longest visible-noise run just before it
 * (3 bits, capped at 7), the folds that changed it, and whether noise (other than spaces) was removed just
 * before it. The evasion flags of a match are the OR of these words over it: no second look at the text. */
#define CLASS_MASK 0xFFFFFFu
#define GAP_SHIFT 24
#define GAP_CAP 7u
#define N_TRAD (1u << 27)
#define N_WIDTH (1u << 28)
#define N_CASE (1u << 29)
#define N_NOISE_BEFORE (1u << 30)
#define N_OTHER_BEFORE (1u << 31)
#define N_OWN (N_TRAD | N_WIDTH | N_CASE)
_Static_assert(S_TRAD == N_TRAD && S_WIDTH == N_WIDTH && S_CASE == N_CASE, "fold flags are copied as they are");
_Static_assert(S_CLASS == CLASS_MASK, "classes are copied as they are");
#define N_BEFORE (N_NOISE_BEFORE | N_OTHER_BEFORE)
#define VARIANT_MEMO_MAX 100000

typedef struct {
    PyObject_HEAD
    uint32_t *stab;   /* UNICODE_SIZE entries */
    Node *nodes;      /* double array */
    int32_t *value;   /* pattern id ending at a slot, or -1 */
    Node *root;       /* per class: slot reached from the root (check field; 0 for none) and its base2 */
    Py_ssize_t size;  /* slots */
    Py_ssize_t nclasses;
    int32_t *pkw;     /* keyword index of each pattern, ALLOW_KEYWORD for allow-list phrases */
    uint8_t *pflags;
    Py_ssize_t npatterns;
    int gap_max;
    /* for find(): the Match type, (keyword, risk) per keyword, evasion names per bit set, literals */
    PyObject *match_type, *owners, *names, *literals;
    PyObject *namer;    /* namer(text, start, end, keyword index) -> bits of a variant-written keyword */
    PyObject *variants; /* dict (keyword index, written) -> bits: namer's answers */
    Scratch scratch; /* reused between calls, unless busy (another thread is scanning) */
    int scratch_busy;
} Scanner;

static int Scanner_traverse(Scanner *self, visitproc visit, void *arg) {
    Py_VISIT(self->match_type);
    Py_VISIT(self->owners);
    Py_VISIT(self->names);
    Py_VISIT(self->literals);
    Py_VISIT(self->namer);
    Py_VISIT(self->variants);
    return 0;
}

static int Scanner_clear(Scanner *self) {
    Py_CLEAR(self->match_type);
    Py_CLEAR(self->owners);
    Py_CLEAR(self->names);
    Py_CLEAR(self->literals);
    Py_CLEAR(self->namer);
    Py_CLEAR(self->variants);
    return 0;
}

static void Scanner_free_arrays(Scanner *self) {
    free(self->stab), free(self->nodes), free(self->value), free(self->root), free(self->pkw);
    free(self->pflags);
    self->stab = NULL, self->nodes = NULL, self->value = NULL, self->root = NULL, self->pkw = NULL;
    self->pflags = NULL;
    if (!self->scratch_busy) scratch_free(&self->scratch);
}

static void Scanner_dealloc(Scanner *self) {
    PyObject_GC_UnTrack(self);
    Scanner_clear(self);
    Scanner_free_arrays(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static void *copy_buffer(Py_buffer *view, Py_ssize_t itemsize, Py_ssize_t *count, const char *what) {
    if (view->len % itemsize) {
        PyErr_Format(PyExc_ValueError, "%s: buffer of %zd bytes is not a whole number of %zd-byte items", what,
                     view->len, itemsize);
        return NULL;
    }
    *count = view->len / itemsize;
    void *out = malloc(view->len ? (size_t)view->len : 1);
    if (!out) {
        PyErr_NoMemory();
        return NULL;
    }
    memcpy(out, view->buf, (size_t)view->len);
    return out;
}

static int Scanner_init(Scanner *self, PyObject *args, PyObject *kwds) {
    static char *kwlist[] = {"table", "alphabet", "base", "check", "value", "pattern_keyword", "pattern_flags",
                             "gap_max", "match_type", "owners", "names", "literals", "namer", NULL};
    Py_buffer table = {0}, alphabet = {0}, base = {0}, check = {0}, value = {0}, pkw = {0}, pflags = {0};
    int gap_max;
    PyObject *match_type, *owners, *names, *literals, *namer;
    int ok = -1;
    uint32_t *classes = NULL;
    int32_t *b = NULL, *c = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "y*y*y*y*y*y*y*iO!O!O!O!O", kwlist, &table, &alphabet, &base,
                                     &check, &value, &pkw, &pflags, &gap_max, &PyType_Type, &match_type,
                                     &PyTuple_Type, &owners, &PyTuple_Type, &names, &PyTuple_Type, &literals,
                                     &namer))
        return -1;
    Py_ssize_t n_alpha, n_base, n_check, n_value, n_pkw, n_flags;
    const uint32_t *packed = (const uint32_t *)table.buf;
    if (self->stab) { /* another thread may be scanning with these arrays right now */
        PyErr_SetString(PyExc_TypeError, "Scanner is already initialised");
        goto done_unowned;
    }
    if (table.len != (Py_ssize_t)UNICODE_SIZE * 4) {
        PyErr_SetString(PyExc_ValueError, "table: expected 0x110000 int32 entries");
        goto done;
    }
    if (alphabet.len % 4 || alphabet.len / 4 >= (Py_ssize_t)CLASS_MASK) {
        PyErr_SetString(PyExc_ValueError, "alphabet: expected uint32 code points");
        goto done;
    }
    if (!PyType_IsSubtype((PyTypeObject *)match_type, &PyTuple_Type) || PyTuple_GET_SIZE(names) < 32 ||
        !PyCallable_Check(namer)) {
        PyErr_SetString(PyExc_TypeError, "match_type must be a tuple subclass, names hold 32 tuples, namer be callable");
        goto done;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(owners); i++) {
        PyObject *o = PyTuple_GET_ITEM(owners, i);
        if (!PyTuple_Check(o) || PyTuple_GET_SIZE(o) != 2) {
            PyErr_SetString(PyExc_TypeError, "owners must hold (keyword, risk) tuples");
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < 32; i++) {
        if (!PyTuple_Check(PyTuple_GET_ITEM(names, i))) {
            PyErr_SetString(PyExc_TypeError, "names must hold tuples");
            goto done;
        }
    }
    n_alpha = alphabet.len / 4;
    if (!(b = (int32_t *)copy_buffer(&base, 4, &n_base, "base"))) goto done;
    if (!(c = (int32_t *)copy_buffer(&check, 4, &n_check, "check"))) goto done;
    if (!(self->value = (int32_t *)copy_buffer(&value, 4, &n_value, "value"))) goto done;
    if (!(self->pkw = (int32_t *)copy_buffer(&pkw, 4, &n_pkw, "pattern_keyword"))) goto done;
    if (!(self->pflags = (uint8_t *)copy_buffer(&pflags, 1, &n_flags, "pattern_flags"))) goto done;
    if (n_base != n_check || n_base != n_value || n_base <= n_alpha + 1 || n_pkw != n_flags ||
        n_base > (INT32_MAX >> 1) || PyTuple_GET_SIZE(literals) != n_pkw) {
        PyErr_SetString(PyExc_ValueError, "inconsistent automaton arrays");
        goto done;
    }
    self->size = n_base;
    self->nclasses = n_alpha;
    self->npatterns = n_pkw;
    /* every transition the walk can compute must stay inside the arrays: checked once, here */
    for (Py_ssize_t i = 0; i < n_base; i++) {
        if (b[i] < 0 || (Py_ssize_t)b[i] + n_alpha >= n_base || c[i] < -2 || c[i] >= n_base ||
            self->value[i] < -1 || self->value[i] >= n_pkw) {
            PyErr_SetString(PyExc_ValueError, "corrupt automaton arrays");
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < n_pkw; i++) {
        if (self->pkw[i] < ALLOW_KEYWORD || self->pkw[i] >= PyTuple_GET_SIZE(owners) ||
            !PyUnicode_Check(PyTuple_GET_ITEM(literals, i)) || PyUnicode_READY(PyTuple_GET_ITEM(literals, i))) {
            PyErr_SetString(PyExc_ValueError, "corrupt pattern arrays");
            goto done;
        }
    }
    self->nodes = (Node *)malloc((size_t)n_base * sizeof(Node));
    self->root = (Node *)calloc((size_t)n_alpha + 1, sizeof(Node));
    classes = (uint32_t *)calloc(UNICODE_SIZE, sizeof(uint32_t));
    self->stab = (uint32_t *)malloc(UNICODE_SIZE * sizeof(uint32_t));
    if (!self->nodes || !self->root || !classes || !self->stab) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n_base; i++) {
        self->nodes[i].base2 = (b[i] << 1) | (self->value[i] >= 0);
        self->nodes[i].check = c[i];
    }
    for (Py_ssize_t k = 1; k <= n_alpha; k++) {
        if (c[b[0] + k] == 0) {
            self->root[k].check = (int32_t)(b[0] + k);
            self->root[k].base2 = self->nodes[b[0] + k].base2;
        }
    }
    const uint32_t *alpha = (const uint32_t *)alphabet.buf;
    for (Py_ssize_t k = 0; k < n_alpha; k++) {
        if (alpha[k] >= UNICODE_SIZE) {
            PyErr_SetString(PyExc_ValueError, "alphabet: code point out of range");
            goto done;
        }
        classes[alpha[k]] = (uint32_t)(k + 1);
    }
    for (uint32_t cp = 0; cp < UNICODE_SIZE; cp++) {
        uint32_t p = packed[cp], s = 0, code = p & CODE_MASK;
        if (p & P_NOISE) {
            s = S_NOISE | ((p & P_VISIBLE) ? S_VISIBLE : 0) | ((p & P_OTHER) ? S_OTHER : 0);
        } else {
            s = ((p & P_TRADITIONAL) ? S_TRAD : 0) | ((p & P_WIDTH) ? S_WIDTH : 0) | ((p & P_CASE) ? S_CASE : 0);
            if ((code >= 'a' && code <= 'z') || (code >= '0' && code <= '9')) s |= S_WORD;
            if (code < UNICODE_SIZE) s |= classes[code];
        }
        self->stab[cp] = s;
    }
    if (!(self->variants = PyDict_New())) goto done;
    if (gap_max < 0 || gap_max >= (int)GAP_CAP) {
        PyErr_SetString(PyExc_ValueError, "gap_max: 0 to 6 noise characters");
        goto done;
    }
    self->gap_max = gap_max;
    Py_INCREF(match_type), Py_INCREF(owners), Py_INCREF(names), Py_INCREF(literals), Py_INCREF(namer);
    self->match_type = match_type, self->owners = owners, self->names = names, self->literals = literals;
    self->namer = namer;
    ok = 0;
done:
    if (ok) Scanner_free_arrays(self);
done_unowned:
    free(classes), free(b), free(c);
    PyBuffer_Release(&table), PyBuffer_Release(&alphabet), PyBuffer_Release(&base), PyBuffer_Release(&check);
    PyBuffer_Release(&value), PyBuffer_Release(&pkw), PyBuffer_Release(&pflags);
    return ok;
}

/* ------------------------------------------------------------------------------------------------ */
/* scanning                                                                                          */

typedef struct {
    const Scanner *sc;
    int kind;
    const void *data;
    Py_ssize_t n;      /* original code points */
    uint32_t *cls;     /* per surviving character: class (0: in no pattern) | longest noise run before it */
    uint32_t *idx;     /* its original offset */
    Py_ssize_t m;      /* surviving characters */
    Scratch *work;     /* where cls, idx and the matches live */
    Scratch own;       /* used when the scanner's scratch is busy */
    const Hits *hits;  /* the resolved matches */
} Text;

static inline uint32_t stab_at(const Text *t, Py_ssize_t i) {
    return t->sc->stab[PyUnicode_READ(t->kind, t->data, i)];
}

static inline unsigned gap_at(const Text *t, Py_ssize_t q) { return (t->cls[q] >> GAP_SHIFT) & GAP_CAP; }

#define NORMALISE_LOOP(TYPE)                                                                                 \
    do {                                                                                                     \
        const TYPE *src = (const TYPE *)t->data;                                                             \
        for (Py_ssize_t i = 0; i < n; i++) {                                                                 \
            uint32_t e = stab[src[i]];                                                                       \
            if (e & S_NOISE) {                                                                               \
                run = (e & S_VISIBLE) ? run + 1 : 0;                                                         \
                if (run > gmax) gmax = run;                                                                  \
                before |= N_NOISE_BEFORE | ((e & S_OTHER) ? N_OTHER_BEFORE : 0);                             \
                continue;                                                                                    \
            }                                                                                                \
            cls[m] = (e & (S_CLASS | N_OWN)) | ((gmax > GAP_CAP ? GAP_CAP : gmax) << GAP_SHIFT) | before;     \
            idx[m] = (uint32_t)i;                                                                            \
            m++;                                                                                             \
            run = gmax = before = 0;                                                                         \
        }                                                                                                    \
    } while (0)

static void normalise_text(Text *t) {
    const uint32_t *stab = t->sc->stab;
    uint32_t *cls = t->cls, *idx = t->idx;
    Py_ssize_t n = t->n, m = 0;
    unsigned run = 0, gmax = 0;
    uint32_t before = 0;
    if (t->kind == PyUnicode_1BYTE_KIND)
        NORMALISE_LOOP(Py_UCS1);
    else if (t->kind == PyUnicode_2BYTE_KIND)
        NORMALISE_LOOP(Py_UCS2);
    else
        NORMALISE_LOOP(Py_UCS4);
    t->m = m;
}

/* Whether the candidate [s, e) (normalised offsets), whose noise runs are known to be short enough, passes
 * the Latin word-boundary rule of Matcher._valid. */
static inline int latin_ok(const Text *t, Py_ssize_t s, Py_ssize_t e, int32_t pid) {
    const Scanner *sc = t->sc;
    uint8_t f = sc->pflags[pid];
    if (!(f & (F_LATIN_START | F_LATIN_END))) return 1;
    if (f & F_LATIN_START) {
        Py_ssize_t o = t->idx[s];
        if (o > 0) {
            uint32_t b = stab_at(t, o - 1);
            if ((b & S_WORD) && !(b & S_NOISE)) return 0;
        }
    }
    if (f & F_LATIN_END) {
        Py_ssize_t o = (Py_ssize_t)t->idx[e - 1] + 1;
        if (o < t->n) {
            uint32_t a = stab_at(t, o);
            if ((a & S_WORD) && !(a & S_NOISE)) return 0;
        }
    }
    return 1;
}

/* The longest candidate starting at p and ending by stop: the trie is walked as far as the text allows.
 * With `checked`, only candidates passing the rules count (no long noise run, Latin word boundaries); without,
 * a long noise run inside the winner is noted for resolve(). Returns the end, or -1. */
static inline __attribute__((always_inline)) Py_ssize_t longest_at(const Text *t, Py_ssize_t p, Py_ssize_t stop,
                                                                   int checked, int32_t *pid, int *long_gap_out) {
    const Scanner *sc = t->sc;
    const Node *nodes = sc->nodes;
    const uint32_t *cls = t->cls;
    unsigned gap_max = (unsigned)sc->gap_max;
    Node node = sc->root[cls[p] & CLASS_MASK]; /* the first step from a small table that stays in cache */
    int32_t s = node.check;
    Py_ssize_t best = -1, q = p;
    int long_gap = 0;
    if (!s) return -1;
    for (;;) {
        if (node.base2 & 1) {
            int32_t v = sc->value[s];
            if (!checked || latin_ok(t, p, q + 1, v)) {
                best = q + 1;
                *pid = v;
                *long_gap_out = long_gap;
            }
        }
        if (++q >= stop) break;
        uint32_t c = cls[q];
        if (!(c & CLASS_MASK)) break;
        if (((c >> GAP_SHIFT) & GAP_CAP) > gap_max) {
            if (checked) break; /* every longer candidate holds this gap */
            long_gap = 1;
        }
        int32_t next = (node.base2 >> 1) + (int32_t)(c & CLASS_MASK);
        node = nodes[next];
        if (node.check != s) break;
        s = next;
    }
    return best;
}

/* Leftmost-longest over [from, stop) among the candidates passing the rules (the repair of
 * Matcher._repair: every valid overlapping candidate, resolved leftmost-longest). */
static int leftmost_longest_valid(const Text *t, Py_ssize_t from, Py_ssize_t stop, Hits *out) {
    Py_ssize_t p = from;
    while (p < stop) {
        int32_t pid = -1;
        int long_gap = 0;
        Py_ssize_t end = longest_at(t, p, stop, 1, &pid, &long_gap);
        if (end < 0) {
            p++;
            continue;
        }
        if (hits_push(out, p, end, pid, 0)) return -1;
        p = end;
    }
    return 0;
}

/* The first pass: leftmost-longest over the whole text, every candidate counted (daachorse's
 * MATCH_KIND_LEFTMOST_LONGEST). Positions where no pattern can start (no one-character pattern, no
 * two-character prefix) are sieved out first in a loop without branches on the text, then only the rest
 * are walked: most positions of Chinese text start no keyword, and walking them costs a mispredicted
 * branch each. */
static int leftmost_longest(const Text *t, Hits *out) {
    const Scanner *sc = t->sc;
    const Node *nodes = sc->nodes, *root = sc->root;
    const uint32_t *cls = t->cls;
    Py_ssize_t m = t->m;
    uint8_t *flag = t->work->flag;
    for (Py_ssize_t p = 0; p + 1 < m; p++) {
        uint32_t c2 = cls[p + 1] & CLASS_MASK;
        Node r = root[cls[p] & CLASS_MASK];
        Node n2 = nodes[(r.base2 >> 1) + (int32_t)c2];
        flag[p] = (uint8_t)((((n2.check == r.check) & (c2 != 0)) | (r.base2 & 1)) & (r.check != 0));
    }
    if (m) {
        Node r = root[cls[m - 1] & CLASS_MASK];
        flag[m - 1] = (uint8_t)((r.base2 & 1) & (r.check != 0));
    }
    memset(flag + m, 0, 8);
    Py_ssize_t p = 0;
    while (p < m) {
        uint64_t word;
        memcpy(&word, flag + p, 8);
        if (!word) {
            p += 8;
            continue;
        }
        p += __builtin_ctzll(word) >> 3;
        if (p >= m) break;
        int32_t pid = -1;
        int long_gap = 0;
        Py_ssize_t end = longest_at(t, p, m, 0, &pid, &long_gap);
        if (end < 0) {
            p++;
            continue;
        }
        if (hits_push(out, p, end, pid, long_gap)) return -1;
        p = end;
    }
    return 0;
}

/* Matcher._valid + Matcher._repair: keep the valid first-pass matches; each stretch from a rejected match
 * to the next accepted one (rejected matches sharing that stop share the stretch) is re-resolved. */
static int resolve(Text *t) {
    Scratch *w = t->work;
    const Hits *first = &w->first;
    Hits *out = &w->final;
    Py_ssize_t n = first->n, bad = 0;
    if (w->ok_cap < n) {
        free(w->ok);
        if (!(w->ok = (char *)malloc((size_t)n))) {
            w->ok_cap = 0;
            return -1;
        }
        w->ok_cap = n;
    }
    char *ok = w->ok;
    for (Py_ssize_t i = 0; i < n; i++) {
        const Hit *h = &first->v[i];
        ok[i] = (char)(!h->long_gap && latin_ok(t, h->s, h->e, h->pid));
        bad += !ok[i];
    }
    out->n = 0;
    if (!bad) {
        t->hits = first;
        return 0;
    }
    for (Py_ssize_t i = 0; i < n;) {
        if (ok[i]) {
            if (hits_push(out, first->v[i].s, first->v[i].e, first->v[i].pid, 0)) return -1;
            i++;
            continue;
        }
        /* a stretch: from this rejected match up to the next accepted start (or the end of the text) */
        Py_ssize_t j = i;
        while (j < n && !ok[j]) j++;
        Py_ssize_t stop = j < n ? (Py_ssize_t)first->v[j].s : t->m;
        if (leftmost_longest_valid(t, (Py_ssize_t)first->v[i].s, stop, out)) return -1;
        i = j;
    }
    t->hits = out;
    return 0;
}

/* Normalise and match `text` (the GIL released for the C part); t->hits gets the resolved matches. */
static int run(Scanner *self, PyObject *text, Text *t) {
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "expected a str");
        return -1;
    }
    if (PyUnicode_READY(text) < 0) return -1;
    t->sc = self;
    t->kind = PyUnicode_KIND(text);
    t->data = PyUnicode_DATA(text);
    t->n = PyUnicode_GET_LENGTH(text);
    if (t->n >= (Py_ssize_t)UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "text too long for one scan: cut it at line breaks");
        return -1;
    }
    if (self->scratch_busy) {
        t->work = &t->own;
    } else {
        t->work = &self->scratch;
        self->scratch_busy = 1;
    }
    if (scratch_reserve(t->work, t->n ? t->n : 1)) {
        PyErr_NoMemory();
        return -1;
    }
    t->cls = t->work->cls, t->idx = t->work->idx;
    t->work->first.n = 0;
    int failed;
    Py_BEGIN_ALLOW_THREADS;
    normalise_text(t);
    failed = leftmost_longest(t, &t->work->first) || resolve(t);
    Py_END_ALLOW_THREADS;
    if (failed) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

#define SCRATCH_KEEP (1 << 24) /* characters: the arrays of a longer text are not kept after the call */

static void release(Scanner *self, Text *t) {
    if (t->work == &t->own) {
        scratch_free(&t->own);
    } else if (t->work == &self->scratch) {
        if (self->scratch.cap > SCRATCH_KEEP) scratch_free(&self->scratch);
        self->scratch_busy = 0;
    }
    t->work = NULL;
}

/* The evasion bits of the match [s, e) (normalised offsets): the OR of the table flags over its original
 * span, as EvasionNamer.bits, read from the normalised words (noise before the first character is not in
 * the span). */
static int64_t evasion_bits(const Text *t, const Hit *h, uint8_t f) {
    uint32_t ors = t->cls[h->s] & N_OWN;
    for (uint32_t q = h->s + 1; q < h->e; q++) ors |= t->cls[q];
    int pinyin = (f & F_PINYIN) != 0;
    int64_t e = ((ors & N_TRAD) ? E_TRADITIONAL : 0) | ((ors & N_WIDTH) ? E_FULLWIDTH : 0) |
                ((ors & N_CASE) ? E_CASE : 0);
    if (pinyin) e &= ~(E_TRADITIONAL | E_CASE); /* a Latin spelling has no characters or case to vary */
    if (pinyin ? (ors & N_OTHER_BEFORE) : (ors & N_NOISE_BEFORE)) e |= E_NOISE;
    if (pinyin) e |= E_PINYIN;
    else if (f & F_RECHECK) e |= E_RECHECK;
    return e;
}

/* A keyword written in a variant form itself (臺灣獨立, AV): which forms differ is Python's per-character
 * comparison (EvasionNamer), asked once per (keyword, written form) and remembered. */
static int64_t variant_bits(Scanner *self, PyObject *text, int64_t a, int64_t b, int32_t keyword, int64_t e) {
    PyObject *written = PyUnicode_Substring(text, (Py_ssize_t)a, (Py_ssize_t)b);
    if (!written) return -1;
    PyObject *key = Py_BuildValue("(iN)", keyword, written);
    if (!key) return -1;
    PyObject *known = PyDict_GetItemWithError(self->variants, key); /* borrowed */
    int64_t bits = -1;
    if (known) {
        bits = PyLong_AsLongLong(known);
    } else if (!PyErr_Occurred()) {
        PyObject *answer = PyObject_CallFunction(self->namer, "OLLi", text, (long long)a, (long long)b, keyword);
        if (answer) {
            bits = PyLong_AsLongLong(answer);
            if (bits >= 0 && bits < 32 && PyDict_GET_SIZE(self->variants) < VARIANT_MEMO_MAX &&
                PyDict_SetItem(self->variants, key, answer) < 0)
                bits = -1;
            Py_DECREF(answer);
        }
    }
    Py_DECREF(key);
    if (bits == -1 && PyErr_Occurred()) return -1;
    if (bits < 0 || bits >= 32) {
        PyErr_SetString(PyExc_ValueError, "namer returned bits out of range");
        return -1;
    }
    return (e & (E_NOISE | E_PINYIN)) | bits;
}

static PyObject *new_column(Py_ssize_t count, Py_ssize_t itemsize, char **data) {
    PyObject *col = PyByteArray_FromStringAndSize(NULL, count * itemsize);
    if (col) *data = PyByteArray_AS_STRING(col);
    return col;
}

static Py_ssize_t kept_matches(const Scanner *self, const Hits *final) {
    Py_ssize_t kept = 0;
    for (Py_ssize_t i = 0; i < final->n; i++) kept += self->pkw[final->v[i].pid] != ALLOW_KEYWORD;
    return kept;
}

PyDoc_STRVAR(Scanner_scan_doc,
             "scan(text) -> (start, end, keyword, evasion): bytearrays of int64, int64, int32, int64 — the\n"
             "matches of text in order, offsets in code points of text, keyword indexes and evasion bit sets.");

static PyObject *Scanner_scan(Scanner *self, PyObject *text) {
    Text t = {0};
    PyObject *result = NULL;
    if (run(self, text, &t)) goto done;
    const Hits *final = t.hits;
    Py_ssize_t kept = kept_matches(self, final);
    char *c_start = NULL, *c_end = NULL, *c_kw = NULL, *c_bits = NULL;
    PyObject *start = new_column(kept, 8, &c_start), *end = new_column(kept, 8, &c_end);
    PyObject *kw = new_column(kept, 4, &c_kw), *bits = new_column(kept, 8, &c_bits);
    if (!start || !end || !kw || !bits) goto columns_failed;
    int64_t *o_start = (int64_t *)c_start, *o_end = (int64_t *)c_end, *o_bits = (int64_t *)c_bits;
    int32_t *o_kw = (int32_t *)c_kw;
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < final->n; i++) {
        const Hit *h = &final->v[i];
        int32_t keyword = self->pkw[h->pid];
        if (keyword == ALLOW_KEYWORD) continue;
        int64_t a = t.idx[h->s], b = (int64_t)t.idx[h->e - 1] + 1;
        int64_t e = evasion_bits(&t, h, self->pflags[h->pid]);
        if (e & E_RECHECK && (e = variant_bits(self, text, a, b, keyword, e)) < 0) goto columns_failed;
        o_start[k] = a, o_end[k] = b, o_kw[k] = keyword, o_bits[k] = e;
        k++;
    }
    result = PyTuple_Pack(4, start, end, kw, bits);
columns_failed:
    Py_XDECREF(start), Py_XDECREF(end), Py_XDECREF(kw), Py_XDECREF(bits);
done:
    release(self, &t);
    return result;
}

static int same_text(const Text *t, Py_ssize_t a, Py_ssize_t b, PyObject *literal) {
    if (PyUnicode_GET_LENGTH(literal) != b - a) return 0;
    int lk = PyUnicode_KIND(literal);
    const void *ld = PyUnicode_DATA(literal);
    for (Py_ssize_t i = 0; i < b - a; i++)
        if (PyUnicode_READ(t->kind, t->data, a + i) != PyUnicode_READ(lk, ld, i)) return 0;
    return 1;
}

PyDoc_STRVAR(Scanner_find_doc,
             "find(text, offset=0) -> list of match_type: (start + offset, end + offset, text[start:end],\n"
             "keyword, risk, evasion names) for every match of text, in order. The matched text reuses the\n"
             "pattern's literal object when the text spells it exactly (the common case: no new string).");

static PyObject *Scanner_find(Scanner *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t offset = 0;
    if (!PyArg_ParseTuple(args, "U|n", &text, &offset)) return NULL;
    Text t = {0};
    PyObject *out = NULL;
    if (run(self, text, &t)) goto done;
    const Hits *final = t.hits;
    PyTypeObject *type = (PyTypeObject *)self->match_type;
    out = PyList_New(kept_matches(self, final));
    if (!out) goto done;
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < final->n; i++) {
        const Hit *h = &final->v[i];
        int32_t keyword = self->pkw[h->pid];
        if (keyword == ALLOW_KEYWORD) continue;
        int64_t a = t.idx[h->s], b = (int64_t)t.idx[h->e - 1] + 1;
        int64_t e = evasion_bits(&t, h, self->pflags[h->pid]);
        if (e & E_RECHECK && (e = variant_bits(self, text, a, b, keyword, e)) < 0) goto fail;
        PyObject *literal = PyTuple_GET_ITEM(self->literals, h->pid), *piece;
        if (same_text(&t, (Py_ssize_t)a, (Py_ssize_t)b, literal)) {
            piece = literal;
            Py_INCREF(piece);
        } else if (!(piece = PyUnicode_Substring(text, (Py_ssize_t)a, (Py_ssize_t)b))) {
            goto fail;
        }
        PyObject *pa = PyLong_FromSsize_t((Py_ssize_t)a + offset), *pb = PyLong_FromSsize_t((Py_ssize_t)b + offset);
        PyObject *m = type->tp_alloc(type, 6);
        if (!pa || !pb || !m) {
            Py_XDECREF(pa), Py_XDECREF(pb), Py_XDECREF(m), Py_DECREF(piece);
            goto fail;
        }
        PyObject *owner = PyTuple_GET_ITEM(self->owners, keyword);
        PyObject *kw = PyTuple_GET_ITEM(owner, 0), *risk = PyTuple_GET_ITEM(owner, 1);
        PyObject *name = PyTuple_GET_ITEM(self->names, e);
        Py_INCREF(kw), Py_INCREF(risk), Py_INCREF(name);
        PyTuple_SET_ITEM(m, 0, pa);
        PyTuple_SET_ITEM(m, 1, pb);
        PyTuple_SET_ITEM(m, 2, piece);
        PyTuple_SET_ITEM(m, 3, kw);
        PyTuple_SET_ITEM(m, 4, risk);
        PyTuple_SET_ITEM(m, 5, name);
        /* ints, strs and a tuple of strs cannot form a cycle: keep the collector from traversing hundreds
         * of thousands of these (CPython untracks such exact tuples itself, lazily, after a collection) */
        PyObject_GC_UnTrack(m);
        PyList_SET_ITEM(out, k++, m);
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    release(self, &t);
    return out;
}

static PyMethodDef Scanner_methods[] = {
    {"scan", (PyCFunction)Scanner_scan, METH_O, Scanner_scan_doc},
    {"find", (PyCFunction)Scanner_find, METH_VARARGS, Scanner_find_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(Scanner_doc,
             "Scanner(table, alphabet, base, check, value, pattern_keyword, pattern_flags, gap_max, match_type,\n"
             "owners, names, literals, namer)\n\n"
             "A compiled library ready to scan: the normalisation table (int32 per code point), the automaton\n"
             "from build(), per-pattern arrays (int32 keyword index or -1 for the allow-list, uint8 flags:\n"
             "1 Latin start, 2 Latin end, 4 pinyin, 8 keyword written in a variant form), the longest noise\n"
             "run allowed, and for find(): the Match type, (keyword, risk) per keyword, evasion names per bit\n"
             "set, the pattern literals, and namer(text, start, end, keyword index) -> bits for keywords\n"
             "written in a variant form.");

static PyTypeObject ScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "aibeian.keywords._cmatch.Scanner",
    .tp_basicsize = sizeof(Scanner),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = Scanner_doc,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Scanner_init,
    .tp_dealloc = (destructor)Scanner_dealloc,
    .tp_traverse = (traverseproc)Scanner_traverse,
    .tp_clear = (inquiry)Scanner_clear,
    .tp_methods = Scanner_methods,
};

/* ------------------------------------------------------------------------------------------------ */
/* building the double array                                                                         */

typedef struct {
    const uint32_t *seq; /* classes */
    Py_ssize_t len;
    int32_t id;
} Key;

static int key_cmp(const void *x, const void *y) {
    const Key *a = (const Key *)x, *b = (const Key *)y;
    Py_ssize_t n = a->len < b->len ? a->len : b->len;
    for (Py_ssize_t i = 0; i < n; i++)
        if (a->seq[i] != b->seq[i]) return a->seq[i] < b->seq[i] ? -1 : 1;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

typedef struct {
    int32_t *base, *check, *value;
    int32_t *next_free, *prev_free; /* free slots, a doubly linked list in increasing order */
    uint8_t *fails;                 /* times a free slot was tried as a first child and did not fit */
    Py_ssize_t cap, size;           /* allocated, used (max slot + 1) */
    Py_ssize_t head, tail;          /* of the free list, -1 when empty */
} DA;

#define DA_MAX_FAILS 32 /* then the slot leaves the free list for good: bounds the first-fit search */

static void da_unlink(DA *d, Py_ssize_t pos) {
    int32_t p = d->prev_free[pos], n = d->next_free[pos];
    if (p >= 0) d->next_free[p] = n;
    else d->head = n;
    if (n >= 0) d->prev_free[n] = p;
    else d->tail = p;
    d->prev_free[pos] = d->next_free[pos] = -1;
}

static int da_reserve(DA *d, Py_ssize_t need) {
    if (need <= d->cap) return 0;
    Py_ssize_t cap = d->cap ? d->cap : 4096;
    while (cap < need) cap *= 2;
    if (cap > INT32_MAX) return -1;
    int32_t **arrays[] = {&d->base, &d->check, &d->value, &d->next_free, &d->prev_free};
    for (size_t a = 0; a < sizeof(arrays) / sizeof(arrays[0]); a++) {
        int32_t *grown = (int32_t *)realloc(*arrays[a], (size_t)cap * 4);
        if (!grown) return -1;
        *arrays[a] = grown;
    }
    uint8_t *fails = (uint8_t *)realloc(d->fails, (size_t)cap);
    if (!fails) return -1;
    d->fails = fails;
    for (Py_ssize_t i = d->cap; i < cap; i++) {
        d->base[i] = 0, d->check[i] = -1, d->value[i] = -1, d->fails[i] = 0;
        d->prev_free[i] = (int32_t)d->tail, d->next_free[i] = -1;
        if (d->tail >= 0) d->next_free[d->tail] = (int32_t)i;
        else d->head = i;
        d->tail = i;
    }
    d->cap = cap;
    return 0;
}

typedef struct {
    int32_t slot;
    Py_ssize_t lo, hi, depth;
} Frame;

/* Double array by first fit over the list of free slots, breadth first over the sorted keys (darts'
 * construction without a pointer trie). Breadth first puts the shallow nodes, which every scan position
 * touches, together at the front of the array, where they stay in cache. A free slot that keeps failing
 * as a first child's place is dropped from the list (left unused), which keeps the search short at the
 * cost of a few empty slots. */
static int da_build(DA *d, Key *keys, Py_ssize_t nkeys, uint32_t nclasses) {
    Frame *queue = NULL;
    Py_ssize_t head = 0, tail = 0, cap = 64;
    uint32_t *kids = (uint32_t *)malloc(((size_t)nclasses + 1) * sizeof(uint32_t));
    Py_ssize_t *kid_lo = (Py_ssize_t *)malloc(((size_t)nclasses + 2) * sizeof(Py_ssize_t));
    queue = (Frame *)malloc((size_t)cap * sizeof(Frame));
    d->head = d->tail = -1;
    if (!kids || !kid_lo || !queue || da_reserve(d, 2 * (Py_ssize_t)nclasses + 2)) goto fail;
    da_unlink(d, 0);
    d->check[0] = -2; /* the root: no transition may land here */
    d->size = 1;
    queue[tail++] = (Frame){0, 0, nkeys, 0};
    while (head < tail) {
        Frame f = queue[head++];
        Py_ssize_t lo = f.lo;
        /* keys ending here: the first (lowest id after sorting) owns the slot */
        if (lo < f.hi && keys[lo].len == f.depth) {
            d->value[f.slot] = keys[lo].id;
            while (lo < f.hi && keys[lo].len == f.depth) lo++;
        }
        if (lo >= f.hi) continue;
        Py_ssize_t nk = 0;
        for (Py_ssize_t i = lo; i < f.hi; i++) {
            uint32_t c = keys[i].seq[f.depth];
            if (!nk || kids[nk - 1] != c) {
                kids[nk] = c;
                kid_lo[nk] = i;
                nk++;
            }
        }
        kid_lo[nk] = f.hi;
        /* first fit: the first free slot (for the first child) where every other child's slot is free */
        Py_ssize_t first = (Py_ssize_t)kids[0], b = -1;
        Py_ssize_t pos = d->head;
        while (b < 0) {
            if (pos < 0) { /* the list ran out: grow, the new slots are appended to it */
                Py_ssize_t old = d->cap;
                if (da_reserve(d, d->cap * 2)) goto fail;
                pos = old;
                continue;
            }
            if (da_reserve(d, pos + (Py_ssize_t)nclasses + 2)) goto fail;
            Py_ssize_t next = d->next_free[pos];
            if (pos > first) {
                Py_ssize_t cand = pos - first, i = 1;
                while (i < nk && d->check[cand + (Py_ssize_t)kids[i]] == -1) i++;
                if (i == nk) {
                    b = cand;
                    break;
                }
            }
            if (++d->fails[pos] >= DA_MAX_FAILS) da_unlink(d, pos);
            pos = next;
        }
        if (b > INT32_MAX - (Py_ssize_t)nclasses - 2) goto fail;
        d->base[f.slot] = (int32_t)b;
        for (Py_ssize_t i = 0; i < nk; i++) {
            Py_ssize_t slot = b + (Py_ssize_t)kids[i];
            d->check[slot] = f.slot;
            if (d->prev_free[slot] >= 0 || d->next_free[slot] >= 0 || d->head == slot) da_unlink(d, slot);
            if (slot + 1 > d->size) d->size = slot + 1;
        }
        if (head > cap / 2) { /* drop the frames already done */
            memmove(queue, queue + head, (size_t)(tail - head) * sizeof(Frame));
            tail -= head, head = 0;
        }
        if (tail + nk > cap) {
            while (tail + nk > cap) cap *= 2;
            Frame *q = (Frame *)realloc(queue, (size_t)cap * sizeof(Frame));
            if (!q) goto fail;
            queue = q;
        }
        for (Py_ssize_t i = 0; i < nk; i++)
            queue[tail++] = (Frame){(int32_t)(b + (Py_ssize_t)kids[i]), kid_lo[i], kid_lo[i + 1], f.depth + 1};
    }
    free(queue), free(kids), free(kid_lo);
    return 0;
fail:
    free(queue), free(kids), free(kid_lo);
    return -1;
}

static int u64_cmp(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static PyObject *to_bytes(const void *data, Py_ssize_t nbytes) {
    return PyBytes_FromStringAndSize((const char *)data, nbytes);
}

PyDoc_STRVAR(build_doc,
             "build(literals) -> (alphabet, base, check, value) as bytes (uint32, int32, int32, int32).\n\n"
             "A double-array trie over the normalised literals; pattern id = position in the list (for a\n"
             "literal given twice, the first). Characters get classes by frequency (alphabet[k] has class k+1),\n"
             "which keeps the array dense.");

static PyObject *build(PyObject *module, PyObject *arg) {
    (void)module;
    if (!PyList_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "build() needs a list of str");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(arg), total = 0;
    if (n >= INT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "too many literals");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *s = PyList_GET_ITEM(arg, i);
        if (!PyUnicode_Check(s) || PyUnicode_READY(s) < 0) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "build() needs a list of str");
            return NULL;
        }
        if (PyUnicode_GET_LENGTH(s) == 0) {
            PyErr_SetString(PyExc_ValueError, "empty literal");
            return NULL;
        }
        total += PyUnicode_GET_LENGTH(s);
    }
    PyObject *result = NULL;
    DA d = {0};
    uint32_t *count = (uint32_t *)calloc(UNICODE_SIZE, sizeof(uint32_t));
    uint32_t *alphabet = NULL, *seqs = (uint32_t *)malloc((size_t)(total ? total : 1) * sizeof(uint32_t));
    Key *keys = (Key *)malloc((size_t)(n ? n : 1) * sizeof(Key));
    if (!count || !seqs || !keys) {
        PyErr_NoMemory();
        goto done;
    }
    uint32_t nclasses = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *s = PyList_GET_ITEM(arg, i);
        int kind = PyUnicode_KIND(s);
        const void *data = PyUnicode_DATA(s);
        for (Py_ssize_t j = 0; j < PyUnicode_GET_LENGTH(s); j++) {
            Py_UCS4 cp = PyUnicode_READ(kind, data, j);
            if (!count[cp]++) nclasses++;
        }
    }
    alphabet = (uint32_t *)malloc(((size_t)nclasses + 1) * sizeof(uint32_t));
    if (!alphabet) {
        PyErr_NoMemory();
        goto done;
    }
    {
        /* classes by descending frequency (ties by code point): frequent characters get small classes */
        uint64_t *order = (uint64_t *)malloc(((size_t)nclasses + 1) * sizeof(uint64_t));
        if (!order) {
            PyErr_NoMemory();
            goto done;
        }
        uint32_t k = 0;
        for (uint32_t cp = 0; cp < UNICODE_SIZE; cp++)
            if (count[cp]) order[k++] = ((uint64_t)(UINT32_MAX - count[cp]) << 21) | cp;
        /* ascending order of (UINT32_MAX - count, code point): frequent first, ties by code point */
        qsort(order, k, sizeof(uint64_t), u64_cmp);
        for (uint32_t i = 0; i < k; i++) {
            uint32_t cp = (uint32_t)(order[i] & CODE_MASK);
            alphabet[i] = cp;
            count[cp] = i + 1; /* now the class */
        }
        free(order);
    }
    Py_ssize_t at = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *s = PyList_GET_ITEM(arg, i);
        int kind = PyUnicode_KIND(s);
        const void *data = PyUnicode_DATA(s);
        Py_ssize_t len = PyUnicode_GET_LENGTH(s);
        keys[i].seq = seqs + at;
        keys[i].len = len;
        keys[i].id = (int32_t)i;
        for (Py_ssize_t j = 0; j < len; j++) seqs[at++] = count[PyUnicode_READ(kind, data, j)];
    }
    qsort(keys, (size_t)n, sizeof(Key), key_cmp);
    if (da_build(&d, keys, n, nclasses)) {
        PyErr_NoMemory();
        goto done;
    }
    {
        /* trim, keeping room for the largest class after every base so no transition leaves the arrays */
        Py_ssize_t size = d.size;
        for (Py_ssize_t i = 0; i < d.size; i++)
            if ((Py_ssize_t)d.base[i] + (Py_ssize_t)nclasses + 1 > size) size = d.base[i] + nclasses + 1;
        if (size < (Py_ssize_t)nclasses + 2) size = nclasses + 2;
        if (da_reserve(&d, size)) {
            PyErr_NoMemory();
            goto done;
        }
        result = Py_BuildValue("(NNNN)", to_bytes(alphabet, (Py_ssize_t)nclasses * 4), to_bytes(d.base, size * 4),
                               to_bytes(d.check, size * 4), to_bytes(d.value, size * 4));
    }
done:
    free(count), free(alphabet), free(seqs), free(keys), free(d.base), free(d.check), free(d.value);
    free(d.next_free), free(d.prev_free), free(d.fails);
    return result;
}

/* ------------------------------------------------------------------------------------------------ */

static PyMethodDef module_methods[] = {
    {"build", (PyCFunction)build, METH_O, build_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef cmatch_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "aibeian.keywords._cmatch",
    .m_doc = "The matcher's hot path in C: normalise, leftmost-longest double-array walk, span rules, Match "
             "tuples. See _native/cmatch.c.",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit__cmatch(void) {
    if (PyType_Ready(&ScannerType) < 0) return NULL;
    PyObject *m = PyModule_Create(&cmatch_module);
    if (!m) return NULL;
    Py_INCREF(&ScannerType);
    if (PyModule_AddObject(m, "Scanner", (PyObject *)&ScannerType) < 0 ||
        PyModule_AddIntConstant(m, "FORMAT", 1) < 0) {
        Py_DECREF(&ScannerType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
