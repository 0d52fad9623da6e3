/*
 * The JSON-lines scanner of src/logs/jsonl-scan.ts for whole files, in C: the file is mmap'ed
 * (no copy out of the page cache, which is what bounds a Node reader) and searched in one pass
 * for newlines and failure markers together (a Teddy multi-literal prefilter, AVX2), so that a
 * worker thread only ever sees the candidate lines. Every rule (blank lines, CR, leading blanks,
 * `{...}` check, overlong lines, line numbering) is the JavaScript scanner's, which stays the
 * reference: test/logs/native-scan.test.ts compares the two.
 *
 *   open(path, markers: Buffer[], maxIsa: 0 scalar | 1 AVX2) -> handle
 *   scan(handle, start, end, maxItems, maxTextBytes, maxLineBytes) -> {
 *     next, lines, records, texts: string[], lineNos: number[], badLines: number[], badKinds: number[] }
 *   close(handle)
 *   isa() -> the best of 0, 1 this CPU runs
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HAVE_X86 1
#endif

#define MAX_MARKERS 64
#define MAX_MARKER_LEN 32
#define BUCKETS 8
/* Bytes of each marker the prefilter looks at (Teddy's fingerprint). */
#define FP 3

/*
 * Pages behind the scan are unmapped from the process every DROP_BYTES: file pages a process
 * has mapped count in its RSS, and a 1 GB scan must not look like 1 GB of memory. The page cache
 * keeps them.
 */
#define DROP_BYTES (2u << 20)

/*
 * How far ahead of the scan to prefetch. The hardware prefetcher stops at each 4 kB page, so a
 * loop that spends ~20 cycles per 64 bytes waited on memory at every page: 400 ms per GB on the
 * 2-core dev VM against 85 ms with this (the newline search alone runs at 70 ms per GB).
 */
#define PREFETCH_AHEAD 4096

enum { ISA_SCALAR = 0, ISA_AVX2 = 1 };
enum { KIND_TRUNCATED = 0, KIND_NOT_OBJECT = 1, KIND_TOO_LONG = 2 };

typedef struct {
  uint8_t bytes[MAX_MARKER_LEN];
  uint8_t len;
} marker_t;

typedef struct {
  const uint8_t *data;
  size_t size;
  size_t map_size;
  int isa; /* ISA_* */
  size_t nmarkers;
  marker_t markers[MAX_MARKERS];
  /* Markers by bucket: bucket b holds markers[b], markers[b + 8], ... */
  uint8_t bucket_markers[BUCKETS][MAX_MARKERS];
  uint8_t bucket_count[BUCKETS];
  /* Nibble tables: lo[k][n] has bit b set when a marker of bucket b has low nibble n at byte k. */
  uint8_t lo[FP][16];
  uint8_t hi[FP][16];
  /* Bytes that start some marker (the scalar path's first test). */
  uint8_t first[256];
  size_t dropped; /* [0, dropped) has been released with MADV_DONTNEED */
  int closed;
} scanner_t;

/* What one scan() call found; reused between calls. */
typedef struct {
  const uint8_t *base;
  size_t end;
  size_t max_line;
  size_t max_items;
  size_t max_text;
  double lines;
  double records;
  size_t items;
  /* Candidate texts, copied out of the mapping (its pages are released behind the scan), where
   * each ends in `text`, and their line numbers. */
  uint8_t *text;
  size_t text_bytes, cap_text;
  size_t *cand_e;
  double *cand_line;
  size_t ncand, cap_cand_e, cap_cand_line;
  double *bad_line;
  uint8_t *bad_kind;
  size_t nbad, cap_bad_line, cap_bad_kind;
  int oom;
} out_t;

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 1;
  size_t n = *cap ? *cap * 2 : 256;
  while (n < need) n *= 2;
  void *q = realloc(*p, n * elem);
  if (!q) return 0;
  *p = q;
  *cap = n;
  return 1;
}

static void push_bad(out_t *o, double line, uint8_t kind) {
  if (!grow((void **)&o->bad_line, &o->cap_bad_line, o->nbad + 1, sizeof(double)) ||
      !grow((void **)&o->bad_kind, &o->cap_bad_kind, o->nbad + 1, 1)) {
    o->oom = 1;
    return;
  }
  o->bad_line[o->nbad] = line;
  o->bad_kind[o->nbad++] = kind;
  o->items++;
}

static void push_cand(out_t *o, size_t b, size_t e, double line) {
  if (!grow((void **)&o->cand_e, &o->cap_cand_e, o->ncand + 1, sizeof(size_t)) ||
      !grow((void **)&o->cand_line, &o->cap_cand_line, o->ncand + 1, sizeof(double)) ||
      !grow((void **)&o->text, &o->cap_text, o->text_bytes + (e - b), 1)) {
    o->oom = 1;
    return;
  }
  memcpy(o->text + o->text_bytes, o->base + b, e - b);
  o->text_bytes += e - b;
  o->cand_e[o->ncand] = o->text_bytes;
  o->cand_line[o->ncand++] = line;
  o->items++;
}

/*
 * The line [s, e) (e at its newline or the end of input) is complete. Returns 1 when the caller
 * must stop after it (enough items collected).
 */
static inline int end_line(out_t *o, size_t s, size_t e, int has_marker) {
  const uint8_t *p = o->base;
  o->lines++;
  if (e - s >= o->max_line) {
    o->records++;
    push_bad(o, o->lines, KIND_TOO_LONG);
  } else {
    size_t t = e;
    if (t > s && p[t - 1] == '\r') t--;
    size_t b = s;
    while (b < t && (p[b] == ' ' || p[b] == '\t')) b++;
    if (b == t) return 0;
    o->records++;
    if (p[b] != '{' || p[t - 1] != '}')
      push_bad(o, o->lines, p[b] == '{' ? KIND_TRUNCATED : KIND_NOT_OBJECT);
    else if (has_marker)
      push_cand(o, b, t, o->lines);
    else
      return 0;
  }
  return o->items >= o->max_items || o->text_bytes >= o->max_text || o->oom;
}

/* Whether a marker of one of `buckets` starts at pos (and ends before `end`). */
static inline int verify(const scanner_t *sc, const uint8_t *p, size_t pos, size_t end,
                         unsigned buckets) {
  while (buckets) {
    unsigned b = __builtin_ctz(buckets);
    buckets &= buckets - 1;
    for (unsigned k = 0; k < sc->bucket_count[b]; k++) {
      const marker_t *m = &sc->markers[sc->bucket_markers[b][k]];
      if (pos + m->len <= end && memcmp(p + pos, m->bytes, m->len) == 0) return 1;
    }
  }
  return 0;
}

static int any_marker_at(const scanner_t *sc, const uint8_t *p, size_t pos, size_t end) {
  for (size_t k = 0; k < sc->nmarkers; k++) {
    const marker_t *m = &sc->markers[k];
    if (pos + m->len <= end && memcmp(p + pos, m->bytes, m->len) == 0) return 1;
  }
  return 0;
}

static size_t page_size(void) {
  static size_t page;
  if (!page) page = (size_t)sysconf(_SC_PAGESIZE);
  return page;
}

/* Releases the mapped pages before pos, in steps of at least `step` bytes. */
static void drop_behind(scanner_t *sc, size_t pos, size_t step) {
  size_t upto = pos & ~(page_size() - 1);
  if (upto > sc->dropped && upto >= sc->dropped + step) {
    madvise((void *)(sc->data + sc->dropped), upto - sc->dropped, MADV_DONTNEED);
    sc->dropped = upto;
  }
}

/*
 * Portable path: memchr to each newline, then the line's bytes checked against the markers'
 * first bytes. Returns where the next call starts.
 */
static size_t scan_scalar(scanner_t *sc, out_t *o, size_t pos) {
  const uint8_t *p = sc->data;
  size_t end = o->end;
  size_t next_drop = pos + DROP_BYTES;
  while (pos < end) {
    const uint8_t *nl = memchr(p + pos, '\n', end - pos);
    size_t e = nl ? (size_t)(nl - p) : end;
    int has = 0;
    for (size_t i = pos; i < e && !has; i++)
      if (sc->first[p[i]] && any_marker_at(sc, p, i, e)) has = 1;
    int stop = end_line(o, pos, e, has);
    pos = e < end ? e + 1 : end;
    if (pos >= next_drop) {
      drop_behind(sc, pos, DROP_BYTES);
      next_drop = pos + DROP_BYTES;
    }
    if (stop) break;
  }
  return pos;
}

#ifdef HAVE_X86
/*
 * One pass, 64 bytes at a time: a bit mask of newlines and a bit mask of positions where some
 * marker's first FP bytes may start (Teddy: pshufb looks up each byte's nibbles in per-bucket
 * tables, ANDed over the FP bytes; `res` keeps which buckets, for the memcmp that verifies).
 * Candidate bits are verified only on lines not already known to hold a marker. Bytes past the
 * range are never read: the last block is scanned from a zero-padded copy. SCAN_LOOP is that loop
 * around a MASKS(q, nl, hit, res) step (an AVX-512 step was no faster: its loads at +1 and +2
 * split a cache line every time).
 */
#define SCAN_LOOP(MASKS)                                                               \
  const uint8_t *p = sc->data;                                                         \
  const size_t end = o->end;                                                           \
  uint8_t pad[64 + FP + 64] __attribute__((aligned(64)));                              \
  uint8_t res[64] __attribute__((aligned(64)));                                        \
  size_t line = pos; /* start of the current line */                                  \
  int has = 0;                                                                         \
  size_t next_drop = pos + DROP_BYTES;                                                 \
  for (size_t i = pos; i < end; i += 64) {                                             \
    const uint8_t *q = p + i;                                                          \
    uint64_t valid = ~0ull;                                                            \
    if (i + 64 + FP > end) {                                                           \
      size_t n = end - i;                                                              \
      memset(pad, 0, sizeof pad);                                                      \
      memcpy(pad, p + i, n);                                                           \
      q = pad;                                                                         \
      if (n < 64) valid = (1ull << n) - 1;                                             \
    }                                                                                  \
    /* Never past the mapping: a pointer beyond it is undefined behaviour even unread. */    \
    if (i + PREFETCH_AHEAD < end) __builtin_prefetch(p + i + PREFETCH_AHEAD);             \
    uint64_t nl, hit;                                                                  \
    MASKS(q, nl, hit, res);                                                            \
    nl &= valid;                                                                       \
    hit &= valid;                                                                      \
    for (;;) {                                                                         \
      uint64_t upto = nl ? (nl & -nl) - 1 : ~0ull; /* bits before the next newline */  \
      uint64_t mine = hit & upto;                                                      \
      hit &= ~upto;                                                                    \
      while (!has && mine) {                                                           \
        unsigned b = __builtin_ctzll(mine);                                            \
        mine &= mine - 1;                                                              \
        if (verify(sc, p, i + b, end, res[b])) has = 1;                                \
      }                                                                                \
      if (!nl) break;                                                                  \
      unsigned b = __builtin_ctzll(nl);                                                \
      nl &= nl - 1;                                                                    \
      hit &= ~(upto << 1 | 1);                                                         \
      int stop = end_line(o, line, i + b, has);                                        \
      line = i + b + 1;                                                                \
      has = 0;                                                                         \
      if (stop) return line;                                                           \
    }                                                                                  \
    if (i + 64 >= next_drop) {                                                         \
      drop_behind(sc, line, DROP_BYTES);                                               \
      next_drop = i + 64 + DROP_BYTES;                                                 \
    }                                                                                  \
  }                                                                                    \
  if (line < end) {                                                                    \
    end_line(o, line, end, has);                                                       \
    line = end;                                                                        \
  }                                                                                    \
  return line;

__attribute__((target("avx2,bmi,bmi2,popcnt"))) static size_t scan_avx2(scanner_t *sc, out_t *o,
                                                                        size_t pos) {
  __m256i lo[FP], hi[FP];
  for (int k = 0; k < FP; k++) {
    lo[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)sc->lo[k]));
    hi[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)sc->hi[k]));
  }
  const __m256i nib = _mm256_set1_epi8(0x0f);
  const __m256i nlv = _mm256_set1_epi8('\n');
  const __m256i zero = _mm256_setzero_si256();
#define MASKS_AVX2(q, nl, hit, res)                                                        \
  do {                                                                                     \
    nl = 0;                                                                                \
    hit = 0;                                                                               \
    __m256i r[2];                                                                          \
    for (int h = 0; h < 2; h++) {                                                          \
      const uint8_t *b = q + 32 * h;                                                       \
      __m256i acc = _mm256_set1_epi8((char)0xff);                                          \
      __m256i v0 = _mm256_loadu_si256((const __m256i *)b);                                 \
      nl |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, nlv)) << (32 * h); \
      for (int k = 0; k < FP; k++) {                                                       \
        __m256i v = k == 0 ? v0 : _mm256_loadu_si256((const __m256i *)(b + k));            \
        __m256i l = _mm256_and_si256(v, nib);                                              \
        __m256i u = _mm256_and_si256(_mm256_srli_epi16(v, 4), nib);                        \
        acc = _mm256_and_si256(acc, _mm256_and_si256(_mm256_shuffle_epi8(lo[k], l),        \
                                                     _mm256_shuffle_epi8(hi[k], u)));      \
      }                                                                                    \
      r[h] = acc;                                                                          \
      hit |= (uint64_t)(uint32_t)~_mm256_movemask_epi8(_mm256_cmpeq_epi8(acc, zero))       \
             << (32 * h);                                                                  \
    }                                                                                      \
    if (hit) {                                                                             \
      _mm256_store_si256((__m256i *)res, r[0]);                                            \
      _mm256_store_si256((__m256i *)(res + 32), r[1]);                                     \
    }                                                                                      \
  } while (0)
  SCAN_LOOP(MASKS_AVX2)
}

#endif

/* ---- Node-API glue ---- */

#define CHECK(call)                                                                      \
  do {                                                                                   \
    if ((call) != napi_ok) {                                                             \
      napi_throw_error(env, NULL, "genai-doctor native scan: Node-API call failed: " #call); \
      return NULL;                                                                       \
    }                                                                                    \
  } while (0)

static void release(scanner_t *sc) {
  if (sc->closed) return;
  sc->closed = 1;
  if (sc->map_size) munmap((void *)sc->data, sc->map_size);
  sc->data = NULL;
  sc->map_size = 0;
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  release((scanner_t *)data);
  free(data);
}

static int best_isa(void) {
#ifdef HAVE_X86
  __builtin_cpu_init();
  int bmi = __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
            __builtin_cpu_supports("popcnt");
  if (bmi && __builtin_cpu_supports("avx2")) return ISA_AVX2;
#endif
  return ISA_SCALAR;
}

/* The call's arguments; throws `usage` (and returns 0) when fewer than `min` were passed. */
static int get_args(napi_env env, napi_callback_info info, size_t min, size_t max, napi_value *argv,
                    size_t *argc, const char *usage) {
  *argc = max;
  if (napi_get_cb_info(env, info, argc, argv, NULL, NULL) != napi_ok) {
    napi_throw_error(env, NULL, "genai-doctor native scan: cannot read the arguments");
    return 0;
  }
  if (*argc < min) {
    napi_throw_type_error(env, NULL, usage);
    return 0;
  }
  return 1;
}

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc;
  napi_value argv[3];
  if (!get_args(env, info, 2, 3, argv, &argc, "open(path, markers[, maxIsa])")) return NULL;
  char path[4096];
  size_t plen;
  CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof path, &plen));
  if (plen >= sizeof path - 1) {
    napi_throw_range_error(env, NULL, "path too long");
    return NULL;
  }
  scanner_t *sc = calloc(1, sizeof *sc);
  if (!sc) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  uint32_t n;
  CHECK(napi_get_array_length(env, argv[1], &n));
  if (n == 0 || n > MAX_MARKERS) {
    free(sc);
    napi_throw_range_error(env, NULL, "between 1 and 64 markers");
    return NULL;
  }
  size_t minlen = MAX_MARKER_LEN;
  for (uint32_t k = 0; k < n; k++) {
    napi_value el;
    void *bytes;
    size_t len;
    CHECK(napi_get_element(env, argv[1], k, &el));
    if (napi_get_buffer_info(env, el, &bytes, &len) != napi_ok || len == 0 || len > MAX_MARKER_LEN) {
      free(sc);
      napi_throw_type_error(env, NULL, "markers: Buffers of 1 to 32 bytes");
      return NULL;
    }
    memcpy(sc->markers[k].bytes, bytes, len);
    sc->markers[k].len = (uint8_t)len;
    if (len < minlen) minlen = len;
    sc->first[sc->markers[k].bytes[0]] = 1;
    unsigned b = k % BUCKETS;
    sc->bucket_markers[b][sc->bucket_count[b]++] = (uint8_t)k;
  }
  sc->nmarkers = n;
  for (int j = 0; j < FP; j++) {
    for (int x = 0; x < 16; x++) {
      /* Past the shortest marker's end every byte matches. */
      sc->lo[j][x] = (size_t)j < minlen ? 0 : 0xff;
      sc->hi[j][x] = (size_t)j < minlen ? 0 : 0xff;
    }
    if ((size_t)j >= minlen) continue;
    for (uint32_t k = 0; k < n; k++) {
      uint8_t c = sc->markers[k].bytes[j];
      sc->lo[j][c & 15] |= (uint8_t)(1u << (k % BUCKETS));
      sc->hi[j][c >> 4] |= (uint8_t)(1u << (k % BUCKETS));
    }
  }
  int32_t max_isa = ISA_AVX2;
  if (argc >= 3) {
    napi_valuetype t;
    CHECK(napi_typeof(env, argv[2], &t));
    if (t == napi_number) CHECK(napi_get_value_int32(env, argv[2], &max_isa));
  }
  sc->isa = best_isa();
  if (max_isa < sc->isa) sc->isa = max_isa < 0 ? ISA_SCALAR : max_isa;

  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    free(sc);
    napi_throw_error(env, NULL, strerror(err));
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    free(sc);
    napi_throw_error(env, NULL, strerror(err));
    return NULL;
  }
  sc->size = (size_t)st.st_size;
  if (sc->size > 0) {
    void *m = mmap(NULL, sc->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      int err = errno;
      close(fd);
      free(sc);
      napi_throw_error(env, NULL, strerror(err));
      return NULL;
    }
    sc->data = m;
    sc->map_size = sc->size;
  }
  close(fd);
  napi_value ext;
  if (napi_create_external(env, sc, finalize, NULL, &ext) != napi_ok) {
    release(sc);
    free(sc);
    napi_throw_error(env, NULL, "napi_create_external failed");
    return NULL;
  }
  return ext;
}

static scanner_t *get_scanner(napi_env env, napi_value v) {
  void *data;
  if (napi_get_value_external(env, v, &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "not a scanner handle");
    return NULL;
  }
  return data;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc;
  napi_value argv[1];
  if (!get_args(env, info, 1, 1, argv, &argc, "close(handle)")) return NULL;
  scanner_t *sc = get_scanner(env, argv[0]);
  if (!sc) return NULL;
  release(sc);
  return NULL;
}

static int set_number(napi_env env, napi_value obj, const char *name, double v) {
  napi_value x;
  return napi_create_double(env, v, &x) == napi_ok && napi_set_named_property(env, obj, name, x) == napi_ok;
}

static napi_value js_scan(napi_env env, napi_callback_info info) {
  size_t argc;
  napi_value argv[6];
  if (!get_args(env, info, 6, 6, argv, &argc,
                "scan(handle, start, end, maxItems, maxTextBytes, maxLineBytes)"))
    return NULL;
  scanner_t *sc = get_scanner(env, argv[0]);
  if (!sc) return NULL;
  if (sc->closed) {
    napi_throw_error(env, NULL, "scanner is closed");
    return NULL;
  }
  double start, end, max_items, max_text, max_line;
  CHECK(napi_get_value_double(env, argv[1], &start));
  CHECK(napi_get_value_double(env, argv[2], &end));
  CHECK(napi_get_value_double(env, argv[3], &max_items));
  CHECK(napi_get_value_double(env, argv[4], &max_text));
  CHECK(napi_get_value_double(env, argv[5], &max_line));
  if (!(start >= 0 && start <= end && end <= (double)sc->size) || !(max_items >= 1) ||
      !(max_text >= 1) || !(max_line >= 1)) {
    napi_throw_range_error(env, NULL, "scan: bad range or limits");
    return NULL;
  }
  static __thread out_t o;
  o.base = sc->data;
  o.end = (size_t)end;
  o.max_line = (size_t)max_line;
  o.max_items = (size_t)max_items;
  o.max_text = (size_t)max_text;
  o.lines = o.records = 0;
  o.items = o.text_bytes = o.ncand = o.nbad = 0;
  o.oom = 0;
  size_t pos = (size_t)start;
  size_t next = pos;
  if (pos < o.end) {
#ifdef HAVE_X86
    next = sc->isa == ISA_AVX2 ? scan_avx2(sc, &o, pos) : scan_scalar(sc, &o, pos);
#else
    next = scan_scalar(sc, &o, pos);
#endif
  }
  if (o.oom) {
    napi_throw_error(env, NULL, "genai-doctor native scan: out of memory");
    return NULL;
  }
  napi_value res, texts, lineNos, badLines, badKinds;
  CHECK(napi_create_object(env, &res));
  if (!set_number(env, res, "next", (double)next) || !set_number(env, res, "lines", o.lines) ||
      !set_number(env, res, "records", o.records)) {
    napi_throw_error(env, NULL, "genai-doctor native scan: cannot build the result");
    return NULL;
  }
  CHECK(napi_create_array_with_length(env, o.ncand, &texts));
  CHECK(napi_create_array_with_length(env, o.ncand, &lineNos));
  for (size_t k = 0; k < o.ncand; k++) {
    napi_value s, l;
    size_t from = k ? o.cand_e[k - 1] : 0;
    CHECK(napi_create_string_utf8(env, (const char *)o.text + from, o.cand_e[k] - from, &s));
    CHECK(napi_set_element(env, texts, (uint32_t)k, s));
    CHECK(napi_create_double(env, o.cand_line[k], &l));
    CHECK(napi_set_element(env, lineNos, (uint32_t)k, l));
  }
  CHECK(napi_create_array_with_length(env, o.nbad, &badLines));
  CHECK(napi_create_array_with_length(env, o.nbad, &badKinds));
  for (size_t k = 0; k < o.nbad; k++) {
    napi_value l, kind;
    CHECK(napi_create_double(env, o.bad_line[k], &l));
    CHECK(napi_set_element(env, badLines, (uint32_t)k, l));
    CHECK(napi_create_uint32(env, o.bad_kind[k], &kind));
    CHECK(napi_set_element(env, badKinds, (uint32_t)k, kind));
  }
  drop_behind(sc, next >= o.end ? (o.end + page_size() - 1) : next, 1);
  /* A giant candidate line should not stay allocated for the thread's lifetime. */
  if (o.cap_text > (16u << 20)) {
    free(o.text);
    o.text = NULL;
    o.cap_text = 0;
  }
  CHECK(napi_set_named_property(env, res, "texts", texts));
  CHECK(napi_set_named_property(env, res, "lineNos", lineNos));
  CHECK(napi_set_named_property(env, res, "badLines", badLines));
  CHECK(napi_set_named_property(env, res, "badKinds", badKinds));
  return res;
}

static napi_value js_isa(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  CHECK(napi_create_int32(env, best_isa(), &v));
  return v;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"scan", NULL, js_scan, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"isa", NULL, js_isa, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
