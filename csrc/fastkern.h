/* fastkern's C kernels: plain C99 over pointers and lengths, no Python.
 *
 * Lengths are ptrdiff_t (the same width as Py_ssize_t). Callers validate sizes;
 * every function here is reentrant and safe to call with the GIL released. */
#ifndef FASTKERN_H
#define FASTKERN_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) && __GNUC__ >= 12 && !defined(__clang__) && defined(__x86_64__) \
    && defined(__linux__) \
    && !defined(FASTKERN_NO_CLONES)
/* One build, several instruction sets: the loader picks the best clone at run time,
 * so a portable wheel still uses AVX2/AVX-512 where the CPU has them. */
#define FK_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
/* For explicit vector code, called only after __builtin_cpu_supports says AVX-512 is there. */
#define FK_X86_64_V4 __attribute__((target("arch=x86-64-v4")))
#else
#define FK_CLONES
#endif

/* A helper that must be inlined into its FK_CLONES caller: a call would run the helper's
 * own baseline-ISA code, not the caller's clone. */
#if defined(__GNUC__)
#define FK_INLINE static inline __attribute__((always_inline))
#else
#define FK_INLINE static inline
#endif

/* Sum of x[0..n), sixteen interleaved accumulators: reorders the additions. */
double fk_sum(const double *x, ptrdiff_t n);

/* Sum of x[i]*y[i], sixteen interleaved accumulators: reorders the additions. */
double fk_dot(const double *x, const double *y, ptrdiff_t n);

/* Escape counts of the Benchmarks Game region into out[height*width] (row-major). */
void fk_mandelbrot_u8(ptrdiff_t width, ptrdiff_t height, int max_iter, uint8_t *out);
void fk_mandelbrot_u16(ptrdiff_t width, ptrdiff_t height, int max_iter, uint16_t *out);

/* Benchmarks Game 5-body system advanced `steps` times with dt = 0.01. */
void fk_nbody(ptrdiff_t steps, double *energy_before, double *energy_after);

/* Points of the unit square with x*x + y*y <= 1 among samples [first, first+count). */
int64_t fk_monte_carlo_hits(uint64_t seed, int64_t first, int64_t count);

/* Benchmarks Game binary-trees for max_depth in 0..FK_BINARY_TREES_MAX_DEPTH (raised to
 * at least 6): writes (depth, iterations, check) triples into rows, which has room for
 * FK_BINARY_TREES_MAX_ROWS of them, and returns how many; -1 when out of memory. */
#define FK_BINARY_TREES_MAX_DEPTH 24
#define FK_BINARY_TREES_MAX_ROWS ((FK_BINARY_TREES_MAX_DEPTH - 4) / 2 + 3)
ptrdiff_t fk_binary_trees(int max_depth, int64_t *rows);

/* The n-th Fibonacci number by naive double recursion, for n in 0..FK_FIB_MAX_N (the
 * largest whose result fits int64_t). */
#define FK_FIB_MAX_N 92
int64_t fk_fib(int n);

/* 64-bit FNV-1a of data[0..n). */
uint64_t fk_fnv1a(const uint8_t *data, ptrdiff_t n);

/* Benchmarks Game spectral-norm of the n x n matrix, n >= 1; work holds 3n doubles.
 * Same float operations in the same order as the scalar reference (rows vectorised). */
double fk_spectral_norm(ptrdiff_t n, double *work);

/* Benchmarks Game fannkuch-redux for n in 1..FK_FANNKUCH_MAX_N. */
#define FK_FANNKUCH_MAX_N 12
void fk_fannkuch(int n, int64_t *checksum, int *max_flips);

/* out (n x m) = a (n x k) times b (k x m), all row-major, cache-blocked; each element adds
 * its products in order of k, as the naive loop does. Returns -1 when out of memory. */
int fk_matmul(ptrdiff_t n, ptrdiff_t k, ptrdiff_t m, const double *a, const double *b,
              double *out);

#endif
