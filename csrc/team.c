#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fastkern.h"

#ifdef FK_THREADS
#include <pthread.h>
#if defined(__GLIBC__) && defined(__x86_64__)
/* The first glibc version of pthread_create, which every glibc still has: the default one
 * of glibc >= 2.34 would raise a manylinux wheel's tag from 2_17 to 2_34. */
__asm__(".symver pthread_create, pthread_create@GLIBC_2.2.5");
#endif
#endif

struct fk_team {
    fk_range_fn *range;
    fk_groups_fn *groups;
    char *states;
    size_t state_size;
    int64_t units, task, next, done;
    int stopped, waiting, holders; /* waiting: threads blocked in take or finish; holders: see let_go */
    int running;                   /* tasks taken, not finished (read unlocked while spinning) */
#ifdef FK_THREADS
    pthread_mutex_t lock;
    pthread_cond_t changed;
#endif
};

int fk_threads_available(void)
{
#ifdef FK_THREADS
    return 1;
#else
    return 0;
#endif
}

#ifdef FK_THREADS
#define LOCK(team) pthread_mutex_lock(&(team)->lock)
#define UNLOCK(team) pthread_mutex_unlock(&(team)->lock)
#else
#define LOCK(team) ((void)0)
#define UNLOCK(team) ((void)0)
#endif

/* About 10-50 microseconds of polling before a thread blocks at a group boundary: most
 * boundaries pass sooner than a futex wake-up would take. */
#define SPINS 1000

#ifdef FK_THREADS
/* Wait, with the lock held, until `done` units are done (waiting for a group to start), or
 * (done < 0) until no task runs (waiting for the end). Both happen only when the last task
 * running finishes, which is when finish_task wakes the waiters. */
static int waited_enough(fk_team_t *team, int64_t done)
{
    if (done < 0)
        return __atomic_load_n(&team->running, __ATOMIC_ACQUIRE) == 0;
    return __atomic_load_n(&team->stopped, __ATOMIC_RELAXED)
           || __atomic_load_n(&team->done, __ATOMIC_ACQUIRE) >= done;
}

static void wait_until(fk_team_t *team, int64_t done)
{
    UNLOCK(team);
    for (int spin = 0; spin < SPINS && !waited_enough(team, done); spin++) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    LOCK(team);
    team->waiting++;
    while (!waited_enough(team, done))
        pthread_cond_wait(&team->changed, &team->lock);
    team->waiting--;
}
#endif

/* The next task, [*begin, *end): it never crosses a group boundary (a whole group when
 * the group must be one task), and it is handed out only once every unit of the groups
 * before it is done. Returns 0 when none is left. */
static int take(fk_team_t *team, int64_t *begin, int64_t *end)
{
    int64_t first, start = 0, stop = team->units;
    int handed = FK_GROUP_SHARED;
    LOCK(team);
    for (;;) {
        first = team->next;
        if (team->stopped || first >= team->units)
            break;
        if (team->groups)
            handed = team->groups(team->states, first, &start, &stop);
        if (team->done >= start)
            break;
#ifdef FK_THREADS
        wait_until(team, start);
#endif
    }
    if (team->stopped || first >= team->units) {
        UNLOCK(team);
        return 0;
    }
    *begin = first;
    *end = handed == FK_GROUP_WHOLE || stop - first < team->task ? stop
           : first + (handed == FK_GROUP_SINGLE ? 1 : team->task);
    team->next = *end;
    __atomic_add_fetch(&team->running, 1, __ATOMIC_RELAXED);
    UNLOCK(team);
    return 1;
}

static void finish_task(fk_team_t *team, int64_t units)
{
    LOCK(team);
    __atomic_add_fetch(&team->done, units, __ATOMIC_RELEASE);
#ifdef FK_THREADS
    if (__atomic_sub_fetch(&team->running, 1, __ATOMIC_RELEASE) == 0 && team->waiting)
        pthread_cond_broadcast(&team->changed);
#else
    team->running--;
#endif
    UNLOCK(team);
}

/* The caller and every worker started hold the team; the last to let go frees it. So the
 * caller returns once every task taken is done, without waiting for workers that started
 * late (on a busy machine) merely to find no task left. Called with the lock held. */
static void let_go(fk_team_t *team)
{
    int last = --team->holders == 0;
    UNLOCK(team);
    if (!last)
        return;
#ifdef FK_THREADS
    pthread_cond_destroy(&team->changed);
    pthread_mutex_destroy(&team->lock);
#endif
    free(team);
}

static void *state_of(fk_team_t *team, int index)
{
    return team->states + (size_t)index * team->state_size;
}

#ifdef FK_THREADS
/* Runnable time of workers, for measurement: while counting is on, each worker started
 * adds, as it exits, its nanoseconds on a CPU (its thread CPU clock) and waiting in a run
 * queue (field 2 of its /proc schedstat) since it started. -1 once one could not be read. */
static int counting;
static int64_t counted_ns;
static int64_t last_exit_ns; /* CLOCK_MONOTONIC when the last counted worker exited */
static int pending;

static int64_t own_runnable_ns(void)
{
    struct timespec cpu;
    long long on_cpu, waited;
    FILE *file = fopen("/proc/thread-self/schedstat", "r");
    int read = file != NULL && fscanf(file, "%lld %lld", &on_cpu, &waited) == 2;
    if (file != NULL)
        fclose(file);
    if (!read || clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) != 0)
        return -1;
    return (int64_t)cpu.tv_sec * 1000000000 + cpu.tv_nsec + waited;
}

static void count_runnable(void)
{
    struct timespec now;
    int64_t own = own_runnable_ns(), exited;
    int64_t total = __atomic_load_n(&counted_ns, __ATOMIC_RELAXED);
    do {
        if (total < 0)
            break;
    } while (!__atomic_compare_exchange_n(&counted_ns, &total, own < 0 ? -1 : total + own, 0,
                                          __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    clock_gettime(CLOCK_MONOTONIC, &now);
    exited = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
    total = __atomic_load_n(&last_exit_ns, __ATOMIC_RELAXED);
    while (exited > total && !__atomic_compare_exchange_n(&last_exit_ns, &total, exited, 0,
                                                         __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    __atomic_sub_fetch(&pending, 1, __ATOMIC_RELEASE);
}
#endif

void fk_team_count(int on)
{
#ifdef FK_THREADS
    if (on) {
        __atomic_store_n(&counted_ns, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&last_exit_ns, 0, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&counting, on != 0, __ATOMIC_RELEASE);
#else
    (void)on;
#endif
}

int64_t fk_team_counted(int *still_running, int64_t *last_exit)
{
#ifdef FK_THREADS
    *still_running = __atomic_load_n(&pending, __ATOMIC_ACQUIRE);
    *last_exit = __atomic_load_n(&last_exit_ns, __ATOMIC_RELAXED);
    return __atomic_load_n(&counted_ns, __ATOMIC_RELAXED);
#else
    *still_running = 0;
    *last_exit = 0;
    return 0;
#endif
}

#ifdef FK_THREADS
typedef struct {
    fk_team_t *team;
    int index;
    int counted;
} worker_t;

static void *work(void *arg)
{
    worker_t *worker = arg;
    fk_team_t *team = worker->team;
    void *state = state_of(team, worker->index);
    int64_t begin, end;
    int counted = worker->counted;
    free(worker);
    while (take(team, &begin, &end)) {
        team->range(state, begin, end);
        finish_task(team, end - begin);
    }
    LOCK(team);
    let_go(team);
    if (counted)
        count_runnable();
    return NULL;
}
#endif

fk_team_t *fk_team_start(fk_range_fn *range, fk_groups_fn *groups, void *states,
                         size_t state_size, int threads, int64_t units, int64_t task)
{
    fk_team_t *team = calloc(1, sizeof(fk_team_t));
    if (team == NULL)
        return NULL;
    team->range = range;
    team->groups = groups;
    team->states = states;
    team->state_size = state_size;
    team->units = units;
    team->task = task > 0 ? task : 1;
    team->holders = 1;
#ifdef FK_THREADS
    pthread_attr_t detached;
    pthread_t thread;
    pthread_mutex_init(&team->lock, NULL);
    pthread_cond_init(&team->changed, NULL);
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    for (int t = 1; t < threads && t < FK_MAX_THREADS; t++) {
        worker_t *worker = malloc(sizeof(worker_t));
        if (worker == NULL)
            break;
        worker->team = team;
        worker->index = t;
        worker->counted = __atomic_load_n(&counting, __ATOMIC_ACQUIRE);
        if (worker->counted)
            __atomic_add_fetch(&pending, 1, __ATOMIC_RELAXED);
        LOCK(team);
        team->holders++;
        UNLOCK(team);
        if (pthread_create(&thread, &detached, work, worker) != 0) {
            LOCK(team);
            team->holders--;
            UNLOCK(team);
            if (worker->counted)
                __atomic_sub_fetch(&pending, 1, __ATOMIC_RELAXED);
            free(worker);
            break;
        }
    }
    pthread_attr_destroy(&detached);
#else
    (void)threads;
#endif
    return team;
}

int fk_team_step(fk_team_t *team)
{
    int64_t begin, end;
    if (!take(team, &begin, &end))
        return 0;
    team->range(state_of(team, 0), begin, end);
    finish_task(team, end - begin);
    return 1;
}

void fk_team_finish(fk_team_t *team, int stop)
{
    LOCK(team);
    team->stopped |= stop;
#ifdef FK_THREADS
    wait_until(team, -1);
#endif
    let_go(team);
}
