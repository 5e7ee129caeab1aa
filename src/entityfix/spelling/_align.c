/* The weighted edit-distance table of phonetic.similarity, compiled.
 *
 * Why this file exists: filling this table is a third of the resolver's time in pure
 * Python (it runs for every candidate of every unknown capitalised word), and no library
 * on PyPI computes an edit distance with per-letter-pair costs, context-dependent
 * deletions, transpositions and multi-letter rules together.  All phonetic knowledge stays
 * in phonetic.py: Python hands over the substitution matrix and the multi-letter rules'
 * sizes and costs once (configure), and per word the cost of dropping each letter and
 * which rules end at each position (align).  This file only fills the table, in exactly
 * the order and with exactly the comparisons of phonetic._similarity_python, so both give
 * bit-identical costs and the same path; tests/test_phonetic.py checks that they do.
 * If it cannot be compiled, phonetic.py uses the Python table instead.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define ALPHABET 128
#define MAX_RULES 64

enum { DROP_A = 0, DROP_B = 1, SUBSTITUTE = 2, SWAP = 3, RULE = 4 };

static double sub_cost[ALPHABET][ALPHABET];
static int rule_len_a[MAX_RULES], rule_len_b[MAX_RULES];
static double rule_cost[MAX_RULES];
static int n_rules = -1; /* -1: configure() not called yet */
static double transpose_cost = 0.5, plain_cost = 1.0;

static PyObject *configure(PyObject *self, PyObject *args) {
    Py_buffer subs, lens, costs;
    double transpose, plain;
    if (!PyArg_ParseTuple(args, "y*y*y*dd", &subs, &lens, &costs, &transpose, &plain))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t k = costs.len / (Py_ssize_t)sizeof(double);
    if (subs.len != (Py_ssize_t)sizeof(sub_cost)) {
        PyErr_SetString(PyExc_ValueError, "substitution matrix must be 128 x 128 doubles");
    } else if (k > MAX_RULES || lens.len != 2 * k || costs.len != k * (Py_ssize_t)sizeof(double)) {
        PyErr_SetString(PyExc_ValueError, "at most 64 rules, two lengths and one cost each");
    } else {
        memcpy(sub_cost, subs.buf, sizeof(sub_cost));
        const unsigned char *l = lens.buf;
        const double *c = costs.buf;
        for (Py_ssize_t r = 0; r < k; r++) {
            rule_len_a[r] = l[2 * r];
            rule_len_b[r] = l[2 * r + 1];
            rule_cost[r] = c[r];
        }
        n_rules = (int)k;
        transpose_cost = transpose;
        plain_cost = plain;
        result = Py_NewRef(Py_None);
    }
    PyBuffer_Release(&subs);
    PyBuffer_Release(&lens);
    PyBuffer_Release(&costs);
    return result;
}

/* A word's costs as phonetic._word_costs packs them: n mid-word drop costs, n end-of-word
 * drop costs (doubles), then n + 1 rule masks (uint64; bit k of mask[i]: rule k's side
 * ends at position i). */
typedef struct {
    const double *mid, *end;
    const uint64_t *mask;
} WordCosts;

static int unpack(Py_buffer *buf, Py_ssize_t n, WordCosts *out) {
    if (buf->len != (Py_ssize_t)(2 * n * sizeof(double) + (n + 1) * sizeof(uint64_t))) {
        PyErr_SetString(PyExc_ValueError, "word costs do not match the word's length");
        return -1;
    }
    const char *p = buf->buf;
    out->mid = (const double *)p;
    out->end = (const double *)(p + n * sizeof(double));
    out->mask = (const uint64_t *)(p + 2 * n * sizeof(double));
    return 0;
}

static inline double substitution(Py_UCS4 x, Py_UCS4 y) {
    if (x == y) return 0.0;
    if (x < ALPHABET && y < ALPHABET) return sub_cost[x][y];
    return plain_cost;
}

static PyObject *align(PyObject *self, PyObject *args) {
    PyObject *a, *b;
    Py_buffer buf_a, buf_b;
    if (n_rules < 0) {
        PyErr_SetString(PyExc_RuntimeError, "configure() first");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "UUy*y*", &a, &b, &buf_a, &buf_b))
        return NULL;
    PyObject *result = NULL;
    double *dist = NULL;
    unsigned char *back = NULL, *path = NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(a), m = PyUnicode_GET_LENGTH(b);
    WordCosts ca, cb;
    if (unpack(&buf_a, n, &ca) < 0 || unpack(&buf_b, m, &cb) < 0)
        goto done;
    Py_ssize_t w = m + 1, cells = (n + 1) * w;
    dist = PyMem_Malloc(cells * sizeof(double));
    back = PyMem_Malloc(cells);
    path = PyMem_Malloc(n + m + 1);
    if (!dist || !back || !path) {
        PyErr_NoMemory();
        goto done;
    }
    int ka = PyUnicode_KIND(a), kb = PyUnicode_KIND(b);
    const void *da = PyUnicode_DATA(a), *db = PyUnicode_DATA(b);
#define D(i, j) dist[(i) * w + (j)]
    D(0, 0) = 0.0;
    back[0] = DROP_B;
    for (Py_ssize_t j = 1; j <= m; j++) {
        D(0, j) = D(0, j - 1) + cb.mid[j - 1];
        back[j] = DROP_B;
    }
    for (Py_ssize_t i = 1; i <= n; i++) {
        Py_UCS4 x = PyUnicode_READ(ka, da, i - 1);
        Py_UCS4 x_prev = i > 1 ? PyUnicode_READ(ka, da, i - 2) : 0;
        double mid_a = ca.mid[i - 1], end_a = ca.end[i - 1];
        const double *drop_b = i == n ? cb.end : cb.mid;
        uint64_t mask_a = ca.mask[i];
        D(i, 0) = D(i - 1, 0) + mid_a;
        back[i * w] = DROP_A;
        for (Py_ssize_t j = 1; j <= m; j++) {
            double best = D(i - 1, j) + (j == m ? end_a : mid_a);
            int how = DROP_A;
            double cand = D(i, j - 1) + drop_b[j - 1];
            if (cand < best) { best = cand; how = DROP_B; }
            Py_UCS4 y = PyUnicode_READ(kb, db, j - 1);
            cand = D(i - 1, j - 1) + substitution(x, y);
            if (cand < best) { best = cand; how = SUBSTITUTE; }
            if (i > 1 && j > 1 && x != y && x == PyUnicode_READ(kb, db, j - 2) && x_prev == y) {
                cand = D(i - 2, j - 2) + transpose_cost;
                if (cand < best) { best = cand; how = SWAP; }
            }
            uint64_t rules = mask_a & cb.mask[j];
            while (rules) {
                int k = __builtin_ctzll(rules); /* lowest bit first: table order */
                rules &= rules - 1;
                cand = D(i - rule_len_a[k], j - rule_len_b[k]) + rule_cost[k];
                if (cand < best) { best = cand; how = RULE + k; }
            }
            D(i, j) = best;
            back[i * w + j] = (unsigned char)how;
        }
    }
    /* the path, from the last cell back to the first */
    Py_ssize_t i = n, j = m, steps = 0;
    while (i > 0 || j > 0) {
        int how = back[i * w + j];
        path[steps++] = (unsigned char)how;
        if (how == DROP_A) i -= 1;
        else if (how == DROP_B) j -= 1;
        else if (how == SUBSTITUTE) { i -= 1; j -= 1; }
        else if (how == SWAP) { i -= 2; j -= 2; }
        else { i -= rule_len_a[how - RULE]; j -= rule_len_b[how - RULE]; }
    }
    result = Py_BuildValue("dy#", D(n, m), (const char *)path, steps);
#undef D
done:
    PyMem_Free(dist);
    PyMem_Free(back);
    PyMem_Free(path);
    PyBuffer_Release(&buf_a);
    PyBuffer_Release(&buf_b);
    return result;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(substitutions, rule_lengths, rule_costs, transpose_cost, plain_cost): the cost tables, once."},
    {"align", align, METH_VARARGS,
     "align(a, b, costs_a, costs_b) -> (cost, path): the cheapest alignment's cost and its steps, last first."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_align", "Weighted edit-distance table (see phonetic.py).", -1, methods};

PyMODINIT_FUNC PyInit__align(void) { return PyModule_Create(&module); }
