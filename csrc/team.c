#include <stdlib.h>

#include "fastkern.h"

#ifdef FK_THREADS
#include <pthread.h>
#endif

struct fk_team {
    fk_range_fn *range;
    char *states;
    size_t state_size;
    int64_t units, task, phase, next, done;
    int stopped, started;
#ifdef FK_THREADS
    pthread_mutex_t lock;
    pthread_cond_t phase_done;
    pthread_t workers[FK_MAX_THREADS];
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

/* The next task, [*begin, *end): it never crosses a phase boundary, and it is handed out
 * only once every unit of the phases before it is done. Returns 0 when none is left. */
static int take(fk_team_t *team, int64_t *begin, int64_t *end)
{
    int64_t first, phase_start;
    LOCK(team);
    for (;;) {
        first = team->next;
        phase_start = team->phase ? first - first % team->phase : 0;
        if (team->stopped || first >= team->units || team->done >= phase_start)
            break;
#ifdef FK_THREADS
        pthread_cond_wait(&team->phase_done, &team->lock);
#endif
    }
    int64_t stop = team->phase ? phase_start + team->phase : team->units;
    if (team->stopped || first >= team->units) {
        UNLOCK(team);
        return 0;
    }
    if (stop > team->units)
        stop = team->units;
    *begin = first;
    *end = stop - first < team->task ? stop : first + team->task;
    team->next = *end;
    UNLOCK(team);
    return 1;
}

static void finish_task(fk_team_t *team, int64_t units)
{
    LOCK(team);
    team->done += units;
#ifdef FK_THREADS
    if (team->phase == 0 || team->done % team->phase == 0 || team->done == team->units)
        pthread_cond_broadcast(&team->phase_done);
#endif
    UNLOCK(team);
}

static void *state_of(fk_team_t *team, int index)
{
    return team->states + (size_t)index * team->state_size;
}

#ifdef FK_THREADS
typedef struct {
    fk_team_t *team;
    int index;
} worker_t;

static void *work(void *arg)
{
    worker_t *worker = arg;
    fk_team_t *team = worker->team;
    void *state = state_of(team, worker->index);
    int64_t begin, end;
    free(worker);
    while (take(team, &begin, &end)) {
        team->range(state, begin, end);
        finish_task(team, end - begin);
    }
    return NULL;
}
#endif

fk_team_t *fk_team_start(fk_range_fn *range, void *states, size_t state_size, int threads,
                         int64_t units, int64_t task, int64_t phase)
{
    fk_team_t *team = calloc(1, sizeof(fk_team_t));
    if (team == NULL)
        return NULL;
    team->range = range;
    team->states = states;
    team->state_size = state_size;
    team->units = units;
    team->task = task > 0 ? task : 1;
    team->phase = phase;
#ifdef FK_THREADS
    pthread_mutex_init(&team->lock, NULL);
    pthread_cond_init(&team->phase_done, NULL);
    for (int t = 1; t < threads && t < FK_MAX_THREADS; t++) {
        worker_t *worker = malloc(sizeof(worker_t));
        if (worker == NULL)
            break;
        worker->team = team;
        worker->index = t;
        if (pthread_create(&team->workers[team->started], NULL, work, worker) != 0) {
            free(worker);
            break;
        }
        team->started++;
    }
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
    pthread_cond_broadcast(&team->phase_done);
#endif
    UNLOCK(team);
#ifdef FK_THREADS
    for (int t = 0; t < team->started; t++)
        pthread_join(team->workers[t], NULL);
    pthread_cond_destroy(&team->phase_done);
    pthread_mutex_destroy(&team->lock);
#endif
    free(team);
}
