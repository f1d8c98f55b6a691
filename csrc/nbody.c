#include <math.h>

#include "fastkern.h"

#define BODIES 5 /* as in fk_nbody_t */
#define PAIRS (BODIES * (BODIES - 1) / 2)

static const double PI = 3.141592653589793;
static const double DAYS_PER_YEAR = 365.24;

typedef fk_nbody_t system_t;

static void init(system_t *s)
{
    static const double p[BODIES][7] = {
        {0, 0, 0, 0, 0, 0, 1},
        {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
         1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
         9.54791938424326609e-04},
        {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
         -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
         2.85885980666130812e-04},
        {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
         2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
         4.36624404335156298e-05},
        {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
         2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
         5.15138902046611451e-05},
    };
    const double solar_mass = 4 * PI * PI;
    for (int i = 0; i < BODIES; i++) {
        s->x[i] = p[i][0];
        s->y[i] = p[i][1];
        s->z[i] = p[i][2];
        s->vx[i] = p[i][3] * DAYS_PER_YEAR;
        s->vy[i] = p[i][4] * DAYS_PER_YEAR;
        s->vz[i] = p[i][5] * DAYS_PER_YEAR;
        s->m[i] = p[i][6] * solar_mass;
    }
    double px = 0.0, py = 0.0, pz = 0.0;
    for (int i = 0; i < BODIES; i++) {
        px += s->vx[i] * s->m[i];
        py += s->vy[i] * s->m[i];
        pz += s->vz[i] * s->m[i];
    }
    s->vx[0] = -px / solar_mass;
    s->vy[0] = -py / solar_mass;
    s->vz[0] = -pz / solar_mass;
}

static double energy(const system_t *s)
{
    double e = 0.0;
    for (int i = 0; i < BODIES; i++) {
        e += 0.5 * s->m[i] * (s->vx[i] * s->vx[i] + s->vy[i] * s->vy[i] + s->vz[i] * s->vz[i]);
        for (int j = i + 1; j < BODIES; j++) {
            double dx = s->x[i] - s->x[j], dy = s->y[i] - s->y[j], dz = s->z[i] - s->z[j];
            e -= s->m[i] * s->m[j] / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

/* One step. The pair distances and magnitudes are computed first, as independent
 * (vectorisable) work; the velocity updates then run in pair order, so every
 * rounding is the one the scalar reference makes. */
static void advance(system_t *restrict s, double dt)
{
    double dx[PAIRS], dy[PAIRS], dz[PAIRS], mag[PAIRS];
    int k = 0;
    for (int i = 0; i < BODIES; i++)
        for (int j = i + 1; j < BODIES; j++, k++) {
            dx[k] = s->x[i] - s->x[j];
            dy[k] = s->y[i] - s->y[j];
            dz[k] = s->z[i] - s->z[j];
        }
    for (k = 0; k < PAIRS; k++) {
        double d2 = dx[k] * dx[k] + dy[k] * dy[k] + dz[k] * dz[k];
        mag[k] = dt / (d2 * sqrt(d2));
    }
    k = 0;
    for (int i = 0; i < BODIES; i++)
        for (int j = i + 1; j < BODIES; j++, k++) {
            s->vx[i] -= dx[k] * s->m[j] * mag[k];
            s->vy[i] -= dy[k] * s->m[j] * mag[k];
            s->vz[i] -= dz[k] * s->m[j] * mag[k];
            s->vx[j] += dx[k] * s->m[i] * mag[k];
            s->vy[j] += dy[k] * s->m[i] * mag[k];
            s->vz[j] += dz[k] * s->m[i] * mag[k];
        }
    for (int i = 0; i < BODIES; i++) {
        s->x[i] += dt * s->vx[i];
        s->y[i] += dt * s->vy[i];
        s->z[i] += dt * s->vz[i];
    }
}

void fk_nbody_open(fk_nbody_t *s)
{
    init(s);
}

double fk_nbody_energy(const fk_nbody_t *s)
{
    return energy(s);
}

void fk_nbody_range(void *state, int64_t begin, int64_t end)
{
    system_t *s = state;
    for (int64_t n = begin; n < end; n++)
        advance(s, 0.01);
}
