/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The C floor of `dosecalc deb`: GSL odeiv2 msbdf called directly on the DEB-IX-3C right-hand side
 * and analytic Jacobian of deb_model_v1.c, set up as GSLKit does it (Sources/GSLKit/ODEDriverHandle.swift,
 * ODETrajectory.swift; Sources/Chemoembolization/Simulation.swift):
 *
 *   gsl_odeiv2_driver_alloc_scaled_new(sys, msbdf, h0 = 1e-6, absTol, relTol, a_y = 1, a_dydt = 0,
 *                                      scale = ElutionModel.toleranceScale)
 *   free steps with gsl_odeiv2_evolve_apply(driver->e, driver->c, driver->s, ...) from 0 to days*24 h,
 *   every accepted step kept (t, y, evolve->dydt_out), the output grid, the eluted days and the
 *   peaks read from the cubic-Hermite dense output (monotone Fritsch–Carlson for the bead shells,
 *   burst pool and accumulators), peaks refined with GSL's Brent root finder on the interpolant's
 *   slope (relTol 1e-13), mass balance over every step.
 *
 * Usage: deb_msbdf [--diameters-um 200[,400,...]] [--loading 37.5] [--dose-mg 150 (split evenly)]
 *                  [--days 28] [--reps 20] [--warmup 2] [--rtol 1e-10] [--atol 1e-12]
 *                  [--mode full|integrate] [--reuse-driver] [--print-params]
 * Prints one JSON object: per-solve times (µs), solver statistics and the headline outputs.
 */
#define _POSIX_C_SOURCE 200809L
#ifndef DEB_MODEL_HEADER
#define DEB_MODEL_HEADER "deb_model_v1.h"
#endif
#include DEB_MODEL_HEADER
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_version.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    int n, count, cap;
    double *t, *y, *f;
} trajectory;

static void traj_init(trajectory *tr, int n, int cap) {
    tr->n = n; tr->count = 0; tr->cap = cap;
    tr->t = malloc(sizeof(double) * cap);
    tr->y = malloc(sizeof(double) * (size_t)cap * n);
    tr->f = malloc(sizeof(double) * (size_t)cap * n);
}
static void traj_free(trajectory *tr) { free(tr->t); free(tr->y); free(tr->f); }
static void traj_append(trajectory *tr, double t, const double *y, const double *f) {
    if (tr->count == tr->cap) {
        tr->cap *= 2;
        tr->t = realloc(tr->t, sizeof(double) * tr->cap);
        tr->y = realloc(tr->y, sizeof(double) * (size_t)tr->cap * tr->n);
        tr->f = realloc(tr->f, sizeof(double) * (size_t)tr->cap * tr->n);
    }
    tr->t[tr->count] = t;
    memcpy(tr->y + (size_t)tr->count * tr->n, y, sizeof(double) * tr->n);
    memcpy(tr->f + (size_t)tr->count * tr->n, f, sizeof(double) * tr->n);
    tr->count++;
}
static int traj_interval(const trajectory *tr, double t) {
    int lo = 0, hi = tr->count - 1;
    if (t <= tr->t[0]) return 0;
    if (t >= tr->t[hi]) return hi > 0 ? hi - 1 : 0;
    while (hi - lo > 1) { int mid = (lo + hi) / 2; if (tr->t[mid] <= t) lo = mid; else hi = mid; }
    return lo;
}
static void hermite(const trajectory *tr, int i, int k, double t, double *v, double *d) {
    int n = tr->n;
    double t0 = tr->t[k], t1 = tr->t[k + 1], h = t1 - t0, s = (t - t0) / h, s2 = s * s, s3 = s2 * s;
    double y0 = tr->y[k * n + i], y1 = tr->y[(k + 1) * n + i], f0 = tr->f[k * n + i], f1 = tr->f[(k + 1) * n + i];
    if (v) *v = (2 * s3 - 3 * s2 + 1) * y0 + (s3 - 2 * s2 + s) * h * f0 + (-2 * s3 + 3 * s2) * y1 + (s3 - s2) * h * f1;
    if (d) *d = ((6 * s2 - 6 * s) * y0 + (-6 * s2 + 6 * s) * y1) / h + (3 * s2 - 4 * s + 1) * f0 + (3 * s2 - 2 * s) * f1;
}
static double value_at(const trajectory *tr, int i, double t) {
    if (t == tr->t[tr->count - 1]) return tr->y[(tr->count - 1) * tr->n + i];
    double v; hermite(tr, i, traj_interval(tr, t), t, &v, NULL); return v;
}
static double slope_at(const trajectory *tr, int i, double t) {
    if (t == tr->t[tr->count - 1]) return tr->f[(tr->count - 1) * tr->n + i];
    double d; hermite(tr, i, traj_interval(tr, t), t, NULL, &d); return d;
}
static double monotone_at(const trajectory *tr, int i, double t) {
    int n = tr->n;
    if (t == tr->t[tr->count - 1]) return tr->y[(tr->count - 1) * n + i];
    int k = traj_interval(tr, t);
    double t0 = tr->t[k], t1 = tr->t[k + 1], h = t1 - t0;
    double y0 = tr->y[k * n + i], y1 = tr->y[(k + 1) * n + i], m0 = tr->f[k * n + i], m1 = tr->f[(k + 1) * n + i];
    double delta = (y1 - y0) / h;
    if (delta == 0) { m0 = 0; m1 = 0; } else {
        if (m0 * delta < 0) m0 = 0;
        if (m1 * delta < 0) m1 = 0;
        double a = m0 / delta, b = m1 / delta, r = a * a + b * b;
        if (r > 9) { double tau = 3 / sqrt(r); m0 = tau * a * delta; m1 = tau * b * delta; }
    }
    double s = (t - t0) / h, s2 = s * s, s3 = s2 * s;
    return (2 * s3 - 3 * s2 + 1) * y0 + (s3 - 2 * s2 + s) * h * m0 + (-2 * s3 + 3 * s2) * y1 + (s3 - s2) * h * m1;
}
/* ElutionModel.denseState: Hermite for A_T, A1, A2, A3; monotone for shells, burst, accumulators. */
static void dense_state(const deb_model *m, const trajectory *tr, double t, double *y) {
    for (int i = 0; i < m->n; i++) {
        int plain = (i == m->iT || i == m->i1 || i == m->i2 || i == m->i3);
        y[i] = plain ? value_at(tr, i, t) : monotone_at(tr, i, t);
    }
}

typedef struct { const trajectory *tr; int i; } fparams;
static double slope_fn(double t, void *p) { fparams *f = p; return slope_at(f->tr, f->i, t); }
static double negval_fn(double t, void *p) { fparams *f = p; return -value_at(f->tr, f->i, t); }

/* ElutionModel.peak */
static void peak(const trajectory *tr, int i, double *tpk, double *vpk) {
    int n = tr->n, k = 0;
    for (int j = 1; j < tr->count; j++) if (tr->y[j * n + i] > tr->y[k * n + i]) k = j;
    if (k == 0 || k == tr->count - 1) { *tpk = tr->t[k]; *vpk = tr->y[k * n + i]; return; }
    double fk = tr->f[k * n + i];
    if (fk == 0) { *tpk = tr->t[k]; *vpk = tr->y[k * n + i]; return; }
    int lo = fk > 0 ? k : k - 1;
    double fLo = tr->f[lo * n + i], fHi = tr->f[(lo + 1) * n + i];
    fparams fp = {tr, i};
    if (fLo > 0 && fHi < 0) {
        gsl_function F = {slope_fn, &fp};
        gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
        gsl_root_fsolver_set(s, &F, tr->t[lo], tr->t[lo + 1]);
        double r = tr->t[lo];
        for (int it = 0; it < 200; it++) {
            gsl_root_fsolver_iterate(s);
            double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
            r = gsl_root_fsolver_root(s);
            if (gsl_root_test_interval(a, b, 0, 1e-13) == GSL_SUCCESS) break;
        }
        gsl_root_fsolver_free(s);
        *tpk = r; *vpk = value_at(tr, i, r); return;
    }
    double vk = tr->y[k * n + i];
    if (!(vk > tr->y[(k - 1) * n + i] && vk > tr->y[(k + 1) * n + i])) { *tpk = tr->t[k]; *vpk = vk; return; }
    gsl_function F = {negval_fn, &fp};
    gsl_min_fminimizer *s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
    gsl_min_fminimizer_set(s, &F, tr->t[k], tr->t[k - 1], tr->t[k + 1]);
    for (int it = 0; it < 200; it++) {
        gsl_min_fminimizer_iterate(s);
        if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(s), gsl_min_fminimizer_x_upper(s), 0, 1e-12) == GSL_SUCCESS) break;
    }
    *tpk = gsl_min_fminimizer_x_minimum(s); *vpk = -gsl_min_fminimizer_f_minimum(s);
    gsl_min_fminimizer_free(s);
}

/* ElutionModel.defaultOutputTimes */
static int default_grid(double endH, double *out) {
    double t[2048]; int c = 0;
    for (double x = 0.025; x <= 0.5 + 1e-12; x += 0.025) t[c++] = x;
    for (double x = 0.6; x <= 2 + 1e-12; x += 0.1) t[c++] = x;
    for (double x = 3; x <= 24; x += 1) t[c++] = x;
    for (double x = 30; x <= 168; x += 6) t[c++] = x;
    for (double x = 180; x < endH && c < 1900; x += 12) t[c++] = x;
    t[c++] = 8; t[c++] = 720;
    static const double days[] = {1, 2, 3, 7, 14, 21, 28, 30, 60, 90, 120, 180, 365};
    for (int i = 0; i < 13; i++) t[c++] = days[i] * 24;
    t[c++] = endH;
    /* sort (insertion), filter, dedupe */
    for (int i = 1; i < c; i++) { double v = t[i]; int j = i - 1; while (j >= 0 && t[j] > v) { t[j + 1] = t[j]; j--; } t[j + 1] = v; }
    int m = 0;
    for (int i = 0; i < c; i++) {
        double v = t[i];
        if (!(v > 0 && v <= endH)) continue;
        if (m == 0 || v - out[m - 1] > 1e-9 * fmax(1, v)) out[m++] = v;
    }
    return m;
}

typedef struct {
    double plasma_peak, plasma_peak_t, tissue_peak_uM, plasma_auc, tissue_auc_end, tissue_uM_end, tissue_uM_30d;
    double eluted[5]; /* days 1, 7, 14, 28, end */
    double mass_balance, grid_checksum;
    long steps;
} summary;

static double now_s(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec + 1e-9 * ts.tv_nsec; }

static int cmp_d(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
    double diam[DEB_MAX_CLASSES] = {200}; int nclasses = 1;
    double loading = 37.5, dose = 150, days = 28, rtol = 1e-10, atol = 1e-12;
    int reps = 20, warmup = 2, full = 1, reuse = 0, print_params = 0;
    for (int a = 1; a < argc; a++) {
        const char *s = argv[a];
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(s, "--diameters-um") && v) {
            nclasses = 0; char *buf = strdup(v), *tok = strtok(buf, ",");
            while (tok && nclasses < DEB_MAX_CLASSES) { diam[nclasses++] = atof(tok); tok = strtok(NULL, ","); }
            free(buf); a++;
        } else if (!strcmp(s, "--loading") && v) { loading = atof(v); a++; }
        else if (!strcmp(s, "--dose-mg") && v) { dose = atof(v); a++; }
        else if (!strcmp(s, "--days") && v) { days = atof(v); a++; }
        else if (!strcmp(s, "--reps") && v) { reps = atoi(v); a++; }
        else if (!strcmp(s, "--warmup") && v) { warmup = atoi(v); a++; }
        else if (!strcmp(s, "--rtol") && v) { rtol = atof(v); a++; }
        else if (!strcmp(s, "--atol") && v) { atol = atof(v); a++; }
        else if (!strcmp(s, "--mode") && v) { full = strcmp(v, "integrate") != 0; a++; }
        else if (!strcmp(s, "--reuse-driver")) reuse = 1;
        else if (!strcmp(s, "--print-params")) print_params = 1;
        else { fprintf(stderr, "deb_msbdf: unknown argument %s\n", s); return 64; }
    }
    gsl_set_error_handler_off();
    deb_params p = deb_params_default();
    deb_deposit dep[DEB_MAX_CLASSES];
    for (int k = 0; k < nclasses; k++) { dep[k].diameterUm = diam[k]; dep[k].loadingMgPerMl = loading; dep[k].doseMg = dose / nclasses; }
    deb_model m;
    if (deb_model_init(&m, &p, nclasses, dep) != 0) { fprintf(stderr, "bad model\n"); return 2; }
    int n = m.n;
    double endH = days * 24;
    double grid[2048];
    int ng = default_grid(endH, grid);
    gsl_odeiv2_system sys = {deb_rhs, deb_jac, (size_t)n, &m};
    gsl_odeiv2_driver *shared = reuse ? gsl_odeiv2_driver_alloc_scaled_new(&sys, gsl_odeiv2_step_msbdf, 1e-6, atol, rtol, 1, 0, m.scale) : NULL;
    double *times = malloc(sizeof(double) * (reps + warmup));
    double *y = malloc(sizeof(double) * n), *f = malloc(sizeof(double) * n), *ys = malloc(sizeof(double) * n);
    summary S = {0};
    for (int r = 0; r < reps + warmup; r++) {
        double t0 = now_s();
        m.nfev = 0; m.njev = 0;
        gsl_odeiv2_driver *d = reuse ? shared : gsl_odeiv2_driver_alloc_scaled_new(&sys, gsl_odeiv2_step_msbdf, 1e-6, atol, rtol, 1, 0, m.scale);
        gsl_odeiv2_driver_reset_hstart(d, 1e-6);
        trajectory tr; traj_init(&tr, n, 1024);
        memcpy(y, m.y0, sizeof(double) * n);
        deb_rhs(0, y, f, &m);
        traj_append(&tr, 0, y, f);
        double t = 0, h = 1e-6;
        long steps = 0;
        while (t < endH) {
            int st = gsl_odeiv2_evolve_apply(d->e, d->c, d->s, &sys, &t, endH, &h, y);
            if (st != GSL_SUCCESS) { fprintf(stderr, "deb_msbdf: GSL status %d at t = %g\n", st, t); return 1; }
            traj_append(&tr, t, y, d->e->dydt_out);
            steps++;
        }
        S.steps = steps;
        if (full) {
            /* output grid (what dosecalc reads into the result's time series) */
            double cs = 0;
            for (int g = 0; g < ng; g++) { dense_state(&m, &tr, grid[g], ys); cs += ys[m.i1] + ys[m.iT] + deb_bead_content(&m, ys); }
            S.grid_checksum = cs;
            double pt, pv;
            peak(&tr, m.i1, &pt, &pv); S.plasma_peak = pv * 1000 / m.V1; S.plasma_peak_t = pt;
            peak(&tr, m.iT, &pt, &pv); S.tissue_peak_uM = pv / m.VT / m.mw * 1000;
            const double *yend = tr.y + (size_t)(tr.count - 1) * n;
            S.plasma_auc = 1000 * yend[m.iAp];
            S.tissue_auc_end = yend[m.iAT];
            S.tissue_uM_end = yend[m.iT] / m.VT / m.mw * 1000;
            S.tissue_uM_30d = NAN;
            if (720 <= endH) { dense_state(&m, &tr, 720, ys); S.tissue_uM_30d = ys[m.iT] / m.VT / m.mw * 1000; }
            static const double ed[4] = {1, 7, 14, 28};
            for (int e = 0; e < 4; e++) {
                S.eluted[e] = NAN;
                if (ed[e] * 24 <= endH) { dense_state(&m, &tr, ed[e] * 24, ys); S.eluted[e] = 100 * (m.dose - deb_bead_content(&m, ys)) / m.dose; }
            }
            S.eluted[4] = 100 * (m.dose - deb_bead_content(&m, yend)) / m.dose;
            double mb = 0;
            for (int k = 0; k < tr.count; k++) mb = fmax(mb, fabs(deb_accounted(&m, tr.y + (size_t)k * n) - m.dose) / m.dose);
            S.mass_balance = mb;
        }
        traj_free(&tr);
        if (!reuse) gsl_odeiv2_driver_free(d);
        times[r] = now_s() - t0;
    }
    double *tm = times + warmup;
    qsort(tm, reps, sizeof(double), cmp_d);
    printf("{\"gsl\": \"%s\", \"n\": %d, \"classes\": %d, \"days\": %g, \"rtol\": %g, \"atol\": %g, \"mode\": \"%s\", \"reuse_driver\": %s,\n",
           GSL_VERSION, n, nclasses, days, rtol, atol, full ? "full" : "integrate", reuse ? "true" : "false");
    printf(" \"us_per_solve\": [");
    for (int r = 0; r < reps; r++) printf("%s%.3f", r ? ", " : "", 1e6 * times[warmup + r]);
    printf("],\n \"us_median\": %.3f, \"us_min\": %.3f,\n", 1e6 * tm[reps / 2], 1e6 * tm[0]);
    printf(" \"steps\": %ld, \"rhs_evaluations\": %ld, \"jacobian_evaluations\": %ld,\n", S.steps, m.nfev, m.njev);
    if (full) {
        printf(" \"outputs\": {\"plasma_peak_ng_per_ml\": %.17g, \"plasma_peak_time_h\": %.17g, \"tissue_peak_uM\": %.17g, "
               "\"plasma_auc_ng_h_per_ml\": %.17g, \"tissue_auc_ug_h_per_ml\": %.17g, \"tissue_uM_end\": %.17g, ",
               S.plasma_peak, S.plasma_peak_t, S.tissue_peak_uM, S.plasma_auc, S.tissue_auc_end, S.tissue_uM_end);
        if (!isnan(S.tissue_uM_30d)) printf("\"tissue_uM_30d\": %.17g, ", S.tissue_uM_30d);
        static const char *en[4] = {"1", "7", "14", "28"};
        for (int e = 0; e < 4; e++) if (!isnan(S.eluted[e])) printf("\"eluted_%sd_pct\": %.17g, ", en[e], S.eluted[e]);
        printf("\"eluted_end_pct\": %.17g, \"mass_balance_rel\": %.3g},\n", S.eluted[4], S.mass_balance);
    }
    printf(" \"parameters\": {\"shellsPerClass\": %d, \"beadDiffusivityCm2PerS\": %.17g, \"tissueTransferDiffusivityCm2PerS\": %.17g, "
           "\"sinkEquivalentTimeS\": %.17g, \"tissueBindingRatio\": %.17g, \"tissuePlasmaClearanceLPerH\": %.17g, \"clearanceLPerH\": %.17g, "
           "\"centralVolumeL\": %.17g, \"bindingCapacityPackedMgPerMl\": %.17g, \"dissociationConstantMgPerMl\": %.17g, \"porosity\": %.17g, "
           "\"packingFraction\": %.17g, \"shrinkMax\": %.17g, \"shrinkReferenceLoadingMgPerMl\": %.17g, \"burstAbsorptionRatePerH\": %.17g, "
           "\"treatedTissueVolumeL\": %.17g, \"tissueMetabolismRatePerH\": %.17g, \"plasmaFractionUnbound\": %.17g, "
           "\"intercompartmentalClearance2LPerH\": %.17g, \"peripheralVolume2L\": %.17g, \"intercompartmentalClearance3LPerH\": %.17g, "
           "\"peripheralVolume3L\": %.17g, \"clearanceFactor\": %.17g, \"doxorubicinMolarMassGPerMol\": %.17g}",
           p.shellsPerClass, p.beadDiffusivityCm2PerS, p.tissueTransferDiffusivityCm2PerS, p.sinkEquivalentTimeS, p.tissueBindingRatio,
           p.tissuePlasmaClearanceLPerH, p.clearanceLPerH, p.centralVolumeL, p.bindingCapacityPackedMgPerMl, p.dissociationConstantMgPerMl,
           p.porosity, p.packingFraction, p.shrinkMax, p.shrinkReferenceLoadingMgPerMl, p.burstAbsorptionRatePerH, p.treatedTissueVolumeL,
           p.tissueMetabolismRatePerH, p.plasmaFractionUnbound, p.intercompartmentalClearance2LPerH, p.peripheralVolume2L,
           p.intercompartmentalClearance3LPerH, p.peripheralVolume3L, p.clearanceFactor, p.doxorubicinMolarMassGPerMol);
    (void)print_params;
    printf("}\n");
    if (shared) gsl_odeiv2_driver_free(shared);
    deb_model_free(&m);
    free(times); free(y); free(f); free(ys);
    return 0;
}
