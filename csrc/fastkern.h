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
/* For explicit AVX-512 code, run only where FK_HAS_X86_64_V4() says the CPU has it. */
#define FK_X86_64_V4 __attribute__((target("arch=x86-64-v4")))
#define FK_HAS_X86_64_V4() (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
#else
/* One instruction set (FASTKERN_NO_CLONES: a build tuned by -march=native, see
 * CMakeLists.txt): no clones, and the AVX-512 code only where that set has AVX-512, with
 * no target attribute of its own (a function whose target differs from the unit's cannot
 * inline the intrinsics, which are compiled for the unit's). */
#define FK_CLONES
#if defined(__AVX512F__) && defined(__AVX512DQ__)
#define FK_X86_64_V4
#define FK_HAS_X86_64_V4() 1
#endif
#endif

/* A helper that must be inlined into its FK_CLONES caller: a call would run the helper's
 * own baseline-ISA code, not the caller's clone. */
#if defined(__GNUC__)
#define FK_INLINE static inline __attribute__((always_inline))
#else
#define FK_INLINE static inline
#endif

/* Ranged work: every long kernel is split into `units` done in order by
 * fk_<kernel>_range(state, begin, end), which does units [begin, end) on a state set up by
 * fk_<kernel>_open (and released by fk_<kernel>_close where it holds memory). Doing the
 * ranges 0..units in order gives the whole call's result bit for bit, however they are cut
 * (at multiples of FK_GRANULE): the same float operations in the same order. A caller may
 * stop between two ranges (to handle a signal) and close the state. Each kernel states the
 * rough cost of one unit in simple operations, for sizing ranges. */
#define FK_GRANULE 16
typedef void fk_range_fn(void *state, int64_t begin, int64_t end);

/* A team of threads doing one ranged work: units [0, units) in tasks of up to `task` units,
 * handed out in order. Where the units form groups that must run one after the other,
 * `groups` (else NULL) gives the group [*start, *end) of a unit, and returns how its units
 * are handed out: FK_GROUP_SHARED (in tasks as above), FK_GROUP_WHOLE (the group is one
 * task, for one thread) or FK_GROUP_SINGLE (one unit per task: for a few units much longer
 * than the task size assumes); a task of a group starts only once the groups before it
 * are done. Thread t works on states + t * state_size (state_size 0:
 * all share one state). The caller is thread 0 and does tasks by calling fk_team_step
 * until it returns 0 (between two steps it may handle signals), then fk_team_finish (stop
 * nonzero: abandon the tasks not started), which returns once every task taken is done:
 * then the states may be read and freed. Workers are started (detached) per team; where
 * pthread_create fails or the build has no threads (fk_threads_available() is 0), fewer
 * threads, down to the caller alone, do all the tasks. Which thread does a task never
 * changes a result when each task's result depends only on its units: the kernels' range
 * functions (per-thread states for those that keep scratch or partial results). */
#define FK_MAX_THREADS 1024
typedef struct fk_team fk_team_t;
enum { FK_GROUP_SHARED, FK_GROUP_WHOLE, FK_GROUP_SINGLE };
typedef int fk_groups_fn(const void *state, int64_t unit, int64_t *start, int64_t *end);
int fk_threads_available(void);
fk_team_t *fk_team_start(fk_range_fn *range, fk_groups_fn *groups, void *states,
                         size_t state_size, int threads, int64_t units, int64_t task);
int fk_team_step(fk_team_t *team);
void fk_team_finish(fk_team_t *team, int stop);
/* Measurement: fk_team_count(1) zeroes a total and makes each worker started from then on
 * add its runnable nanoseconds (on a CPU or waiting in a run queue, from its start; read
 * from Linux's /proc/thread-self/schedstat) as it exits; fk_team_count(0) stops. The
 * caller, thread 0, is not counted. fk_team_counted returns the total (-1 where a worker
 * could not read it) and sets *still_running to the counted workers not yet exited and
 * *last_exit to when the last one exited (CLOCK_MONOTONIC nanoseconds; 0: none yet). */
void fk_team_count(int on);
int64_t fk_team_counted(int *still_running, int64_t *last_exit);

/* Sum of x[0..n), sixteen interleaved accumulators: reorders the additions. One unit is
 * one element. */
typedef struct {
    const double *x;
    ptrdiff_t n;
    double acc[FK_GRANULE];
} fk_sum_t;
void fk_sum_open(fk_sum_t *s, const double *x, ptrdiff_t n);
fk_range_fn fk_sum_range;
double fk_sum_result(fk_sum_t *s);

/* Sum of x[i]*y[i], sixteen interleaved accumulators: reorders the additions. */
typedef struct {
    const double *x, *y;
    ptrdiff_t n;
    double acc[FK_GRANULE];
} fk_dot_t;
void fk_dot_open(fk_dot_t *s, const double *x, const double *y, ptrdiff_t n);
fk_range_fn fk_dot_range;
double fk_dot_result(fk_dot_t *s);

/* Escape counts of the Benchmarks Game region into out[height*width] (row-major). One unit
 * is a run of up to FK_MANDELBROT_LANES pixels of a row (about that many times max_iter
 * operations); there are height * ceil(width / FK_MANDELBROT_LANES) of them. */
#define FK_MANDELBROT_LANES 16
typedef struct {
    ptrdiff_t width, height;
    int max_iter;
    void *out; /* uint8_t for max_iter <= 255, else uint16_t */
} fk_mandelbrot_t;
int64_t fk_mandelbrot_open(fk_mandelbrot_t *s, ptrdiff_t width, ptrdiff_t height, int max_iter,
                           void *out);
fk_range_fn fk_mandelbrot_range;

/* Benchmarks Game 5-body system advanced one step (dt = 0.01) per unit (~150 operations). */
typedef struct {
    double x[5], y[5], z[5], vx[5], vy[5], vz[5], m[5];
} fk_nbody_t;
void fk_nbody_open(fk_nbody_t *s);
double fk_nbody_energy(const fk_nbody_t *s);
fk_range_fn fk_nbody_range;

/* Points of the unit square with x*x + y*y <= 1 among samples [first, first+count). */
int64_t fk_monte_carlo_hits(uint64_t seed, int64_t first, int64_t count);

/* Benchmarks Game binary-trees for max_depth in 0..FK_BINARY_TREES_MAX_DEPTH (raised to
 * at least 6): rows receives (depth, iterations, check) triples. One unit is one node built
 * or walked; trees deeper than FK_BINARY_TREES_PIECE_DEPTH are built and walked in pieces
 * of that depth. fk_binary_trees_open returns the number of units, or -1 when out of
 * memory. */
#define FK_BINARY_TREES_MAX_DEPTH 24
#define FK_BINARY_TREES_MAX_ROWS ((FK_BINARY_TREES_MAX_DEPTH - 4) / 2 + 3)
#define FK_BINARY_TREES_PIECE_DEPTH 18
typedef struct {
    int kind, depth, row;
    int64_t items, item_units, first_unit;
} fk_binary_trees_phase_t;
typedef struct {
    int rows, phases;
    int64_t row[FK_BINARY_TREES_MAX_ROWS][3];
    fk_binary_trees_phase_t phase[FK_BINARY_TREES_MAX_ROWS + 1];
    struct fk_node *scratch, *long_lived, *whole; /* whole: for trees not built in pieces */
    int owns;                                     /* 1: scratch and long_lived, 2: whole only */
} fk_binary_trees_t;
int64_t fk_binary_trees_open(fk_binary_trees_t *s, int max_depth);
fk_range_fn fk_binary_trees_range;
void fk_binary_trees_close(fk_binary_trees_t *s);
/* For threads: neighbouring phases of trees not built in pieces, with the long-lived tree's
 * build, are one group (each thread builds its trees in its own copy's `whole` block; the
 * long-lived tree's walk is a group of its own); a phase of trees built in pieces is one group per
 * tree (the build then the walk of one stretch or iteration tree, or the long-lived tree's
 * build or walk), done by one thread. A copy shares the open state's pieces and long-lived
 * tree, has its own block for whole trees and counts its own checks (0, or -1 when out of
 * memory; close it too); fk_binary_trees_add adds a copy's checks to the state's rows. */
fk_groups_fn fk_binary_trees_groups;
int fk_binary_trees_fork(const fk_binary_trees_t *s, fk_binary_trees_t *copy);
void fk_binary_trees_add(fk_binary_trees_t *s, const fk_binary_trees_t *copy);

/* The n-th Fibonacci number by naive double recursion, for n in 0..FK_FIB_MAX_N (the
 * largest whose result fits int64_t). fib(n) for n > FK_FIB_LEAF is the sum of the naive
 * recursion's subtrees at FK_FIB_LEAF and FK_FIB_LEAF - 1: one unit is one such subtree
 * (about 2 * fib(FK_FIB_LEAF) calls), done by the unchanged recursion. */
#define FK_FIB_MAX_N 92
#define FK_FIB_LEAF 27
#define FK_FIB_LEAF_CALLS 635621 /* 2 * fib(FK_FIB_LEAF + 1) - 1: the calls of one unit */
typedef struct {
    int n;
    int64_t leaves[FK_FIB_MAX_N + 1];
    int64_t sum;
} fk_fib_t;
int64_t fk_fib_open(fk_fib_t *s, int n);
fk_range_fn fk_fib_range;
int64_t fk_fib(int n);

/* 64-bit FNV-1a of data[0..n). One unit is one byte. */
typedef struct {
    const uint8_t *data;
    uint64_t h;
} fk_fnv1a_t;
void fk_fnv1a_open(fk_fnv1a_t *s, const uint8_t *data);
fk_range_fn fk_fnv1a_range;

/* Benchmarks Game spectral-norm of the n x n matrix, n >= 1; work holds 3n doubles.
 * Same float operations in the same order as the scalar reference (rows vectorised).
 * One unit is FK_SPECTRAL_NORM_LANES rows of one of the 40 matrix-vector products (about
 * 8n operations). */
#define FK_SPECTRAL_NORM_LANES 8
typedef struct {
    ptrdiff_t n;
    double *u, *v, *tmp;
} fk_spectral_norm_t;
int64_t fk_spectral_norm_open(fk_spectral_norm_t *s, ptrdiff_t n, double *work);
fk_range_fn fk_spectral_norm_range;
double fk_spectral_norm_result(const fk_spectral_norm_t *s);
/* For threads: the units of one product form a group (rows written independently). */
fk_groups_fn fk_spectral_norm_groups;

/* Benchmarks Game fannkuch-redux for n in 1..FK_FANNKUCH_MAX_N. One unit is one
 * permutation (a few dozen operations); there are n! of them. */
#define FK_FANNKUCH_MAX_N 12
typedef struct {
    int n, max_flips;
    int64_t checksum;
} fk_fannkuch_t;
int64_t fk_fannkuch_open(fk_fannkuch_t *s, int n);
fk_range_fn fk_fannkuch_range;

/* out (n x m) = a (n x k) times b (k x m), all row-major, cache-blocked; each element adds
 * its products in order of k, as the naive loop does. One unit is a block of up to 8 rows
 * times 512 columns times 256 of k (fk_matmul_open says how many multiply-adds: *unit_ops).
 * fk_matmul_open returns the number of units, or -1 when out of memory. */
#define FK_MATMUL_STACK_DOUBLES 2048
typedef struct {
    ptrdiff_t n, k, m;
    const double *a, *b;
    double *out, *packed_b;
    int64_t packed_b_for;
    double stack[FK_MATMUL_STACK_DOUBLES];
} fk_matmul_t;
int64_t fk_matmul_open(fk_matmul_t *s, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m, const double *a,
                       const double *b, double *out, double *unit_ops);
fk_range_fn fk_matmul_range;
void fk_matmul_close(fk_matmul_t *s);
/* Split over threads, the same work in other units on one shared state: per KC-deep slice,
 * a group of units packing b into a shared buffer, then a group of units computing;
 * fk_matmul_open_split returns the number of units (or -1 when out of memory). */
int64_t fk_matmul_open_split(fk_matmul_t *s, ptrdiff_t n, ptrdiff_t k, ptrdiff_t m,
                             const double *a, const double *b, double *out, double *unit_ops);
fk_range_fn fk_matmul_split_range;
fk_groups_fn fk_matmul_split_groups;

#endif
