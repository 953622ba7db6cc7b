/* SPDX-License-Identifier: GPL-3.0-or-later
 * DEB-IX-3C right-hand side and analytic Jacobian: see deb_model_v1.h. The floating-point
 * operations follow the Swift code in the same order where that was easy.
 */
#include "deb_model_v1.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>

deb_params deb_params_default(void) {
    /* reference-data/deb-model.json ("DEB-IX-3C") and the dc-bead product row of deb-beads.json. */
    deb_params p = {
        .bindingCapacityPackedMgPerMl = 45.0, .dissociationConstantMgPerMl = 0.05, .porosity = 0.90,
        .packingFraction = 0.64, .shrinkMax = 0.20, .shrinkReferenceLoadingMgPerMl = 25.0,
        .beadDiffusivityCm2PerS = 1.0e-6, .tissueTransferDiffusivityCm2PerS = 2.4723814e-9, .sinkEquivalentTimeS = 0.21855004,
        .burstAbsorptionRatePerH = 12.0, .treatedTissueVolumeL = 0.20, .tissueBindingRatio = 30.297232,
        .tissuePlasmaClearanceLPerH = 4.0, .tissueMetabolismRatePerH = 0.0, .plasmaFractionUnbound = 0.25,
        .clearanceLPerH = 62.4, .centralVolumeL = 17.7, .intercompartmentalClearance2LPerH = 50.7,
        .peripheralVolume2L = 1830.0, .intercompartmentalClearance3LPerH = 28.4, .peripheralVolume3L = 71.0,
        .clearanceFactor = 1.0, .shellsPerClass = 4, .doxorubicinMolarMassGPerMol = 543.52,
    };
    return p;
}

static inline double free_conc(const deb_class *c, double u) {
    double k = c->Kd, e = c->eps;
    double b = e * k + c->Q - u;
    double disc = sqrt(b * b + 4 * e * u * k);
    return b > 0 ? 2 * u * k / (b + disc) : (-b + disc) / (2 * e);
}

static inline double dfree(const deb_class *c, double conc) {
    double s = conc + c->Kd;
    return 1 / (c->eps + c->Q * c->Kd / (s * s));
}

int deb_model_init(deb_model *m, const deb_params *p, int nclasses, const deb_deposit *d) {
    memset(m, 0, sizeof *m);
    if (nclasses < 1 || nclasses > DEB_MAX_CLASSES) return -1;
    int N = p->shellsPerClass;
    m->nclasses = nclasses;
    int o = 0;
    double db = p->beadDiffusivityCm2PerS * 3600, dt = p->tissueTransferDiffusivityCm2PerS * 3600;
    double tsink = p->sinkEquivalentTimeS / 3600;
    for (int k = 0; k < nclasses; k++) {
        deb_class *c = &m->cls[k];
        double L = d[k].loadingMgPerMl;
        double R = 0.5 * d[k].diameterUm * (1 - p->shrinkMax * fmin(L / p->shrinkReferenceLoadingMgPerMl, 1)) * 1e-4;
        c->radius_cm = R;
        c->offset = o; c->count = N; o += N;
        c->Q = p->bindingCapacityPackedMgPerMl / p->packingFraction;
        c->Kd = p->dissociationConstantMgPerMl;
        c->eps = p->porosity;
        c->vol = malloc(N * sizeof(double));
        c->inv_vol = malloc(N * sizeof(double));
        c->face = malloc((N - 1) * sizeof(double));
        double *e = malloc((N + 1) * sizeof(double)), *mid = malloc(N * sizeof(double));
        for (int i = 0; i <= N; i++) e[i] = ((double)i / (double)N) * R;
        for (int i = 0; i < N; i++) {
            c->vol[i] = 4.0 / 3.0 * M_PI * (e[i + 1] * e[i + 1] * e[i + 1] - e[i] * e[i] * e[i]);
            c->inv_vol[i] = 1 / c->vol[i];
            mid[i] = 0.5 * (e[i] + e[i + 1]);
        }
        for (int f = 1; f < N; f++) c->face[f - 1] = db * (4 * M_PI * e[f] * e[f] / (mid[f] - mid[f - 1]));
        double resistance = ((R - mid[N - 1]) / (4 * M_PI * R * R)) / db;
        resistance += 1 / (4 * M_PI * R * dt);
        c->gs = 1 / resistance;
        free(e); free(mid);
        double trueVolume = p->packingFraction * (d[k].doseMg / L);
        c->beads = trueVolume / (4.0 / 3.0 * M_PI * R * R * R);
        c->u0 = L / p->packingFraction;
        double d0 = db * dfree(c, free_conc(c, c->u0));
        double x = d0 * tsink / (R * R);
        c->burst_fraction = fmin(fmax(6 * sqrt(x / M_PI) - 3 * x, 0), 0.5);
    }
    /* A_elim = f_CL CL AUC_p + k_met V_T AUC_T is not a state, as in Swift */
    m->iB = o; m->iT = o + 1; m->i1 = o + 2; m->i2 = o + 3; m->i3 = o + 4;
    m->iAp = o + 5; m->iAT = o + 6;
    m->n = o + 7;
    m->y0 = calloc(m->n, sizeof(double));
    m->scale = malloc(m->n * sizeof(double));
    double dose = 0, burst = 0;
    for (int k = 0; k < nclasses; k++) { dose += d[k].doseMg; }
    for (int i = 0; i < m->n; i++) m->scale[i] = dose;
    for (int k = 0; k < nclasses; k++) {
        deb_class *c = &m->cls[k];
        for (int i = 0; i < c->count; i++) {
            m->y0[c->offset + i] = c->u0 * (1 - c->burst_fraction);
            m->scale[c->offset + i] = d[k].loadingMgPerMl / p->packingFraction;
        }
        burst += c->burst_fraction * d[k].doseMg;
    }
    m->y0[m->iB] = burst;
    m->dose = dose;
    m->VT = p->treatedTissueVolumeL; m->RT = p->tissueBindingRatio; m->CLT = p->tissuePlasmaClearanceLPerH;
    m->kmet = p->tissueMetabolismRatePerH; m->fu = p->plasmaFractionUnbound; m->CL = p->clearanceLPerH;
    m->V1 = p->centralVolumeL; m->Q2 = p->intercompartmentalClearance2LPerH; m->V2 = p->peripheralVolume2L;
    m->Q3 = p->intercompartmentalClearance3LPerH; m->V3 = p->peripheralVolume3L; m->fCL = p->clearanceFactor;
    m->kb = p->burstAbsorptionRatePerH;
    m->out_per_tissue = 1 / (1000 * m->VT * m->RT);
    m->mw = p->doxorubicinMolarMassGPerMol;
    return 0;
}

void deb_model_free(deb_model *m) {
    for (int k = 0; k < m->nclasses; k++) { free(m->cls[k].vol); free(m->cls[k].inv_vol); free(m->cls[k].face); }
    free(m->y0); free(m->scale);
}

int deb_rhs(double t, const double y[], double dydt[], void *params) {
    (void)t;
    deb_model *m = params;
    m->nfev++;
    double aT = y[m->iT];
    double cTf = aT / (m->VT * m->RT);
    double cOut = cTf / 1000;
    double release = 0;
    for (int k = 0; k < m->nclasses; k++) {
        const deb_class *c = &m->cls[k];
        int n = c->count, o = c->offset;
        double fIn = 0, cc = free_conc(c, y[o]);
        for (int i = 0; i < n; i++) {
            double fOut;
            if (i < n - 1) {
                double cNext = free_conc(c, y[o + i + 1]);
                fOut = c->face[i] * (cc - cNext);
                cc = cNext;
            } else {
                fOut = c->gs * (cc - cOut);
            }
            dydt[o + i] = (fIn - fOut) * c->inv_vol[i];
            fIn = fOut;
        }
        release += c->beads * fIn;
    }
    double cp = y[m->i1] / m->V1, c2 = y[m->i2] / m->V2, c3 = y[m->i3] / m->V3;
    double jTP = m->CLT * (cTf - m->fu * cp);
    double burstFlow = m->kb * y[m->iB];
    double elim = m->fCL * m->CL * cp;
    double to2 = m->Q2 * (cp - c2), to3 = m->Q3 * (cp - c3);
    double met = m->kmet * aT;
    dydt[m->iB] = -burstFlow;
    dydt[m->iT] = release - jTP - met;
    dydt[m->i1] = burstFlow + jTP - elim - to2 - to3;
    dydt[m->i2] = to2;
    dydt[m->i3] = to3;
    dydt[m->iAp] = cp;
    dydt[m->iAT] = aT / m->VT;
    return GSL_SUCCESS;
}

int deb_jac(double t, const double y[], double *dfdy, double dfdt[], void *params) {
    (void)t;
    deb_model *m = params;
    m->njev++;
    int n = m->n;
    memset(dfdy, 0, sizeof(double) * (size_t)n * (size_t)n);
    memset(dfdt, 0, sizeof(double) * (size_t)n);
    double dcOut = m->out_per_tissue;
    int tissueRow = m->iT * n;
    for (int k = 0; k < m->nclasses; k++) {
        const deb_class *c = &m->cls[k];
        int mm = c->count, o = c->offset;
        double dCur = dfree(c, free_conc(c, y[o])), dLeft = 0, dSurface = 0;
        for (int i = 0; i < mm; i++) {
            int row = (o + i) * n;
            double iv = c->inv_vol[i];
            if (i > 0) {
                double a = c->face[i - 1];
                dfdy[row + o + i - 1] += a * dLeft * iv;
                dfdy[row + o + i] -= a * dCur * iv;
            }
            if (i < mm - 1) {
                double dNext = dfree(c, free_conc(c, y[o + i + 1]));
                double a = c->face[i];
                dfdy[row + o + i] -= a * dCur * iv;
                dfdy[row + o + i + 1] += a * dNext * iv;
                dLeft = dCur;
                dCur = dNext;
            } else {
                dfdy[row + o + i] -= c->gs * dCur * iv;
                dfdy[row + m->iT] += c->gs * dcOut * iv;
                dSurface = c->gs * dCur;
            }
        }
        dfdy[tissueRow + o + mm - 1] += c->beads * dSurface;
        dfdy[tissueRow + m->iT] -= c->beads * c->gs * dcOut;
    }
    double vtrt = m->VT * m->RT, v1 = m->V1;
    dfdy[m->iB * n + m->iB] = -m->kb;
    dfdy[tissueRow + m->iT] += -m->CLT / vtrt - m->kmet;
    dfdy[tissueRow + m->i1] += m->CLT * m->fu / v1;
    int cr = m->i1 * n;
    dfdy[cr + m->iB] = m->kb;
    dfdy[cr + m->iT] = m->CLT / vtrt;
    dfdy[cr + m->i1] = -(m->CLT * m->fu + m->fCL * m->CL + m->Q2 + m->Q3) / v1;
    dfdy[cr + m->i2] = m->Q2 / m->V2;
    dfdy[cr + m->i3] = m->Q3 / m->V3;
    dfdy[m->i2 * n + m->i1] = m->Q2 / v1;
    dfdy[m->i2 * n + m->i2] = -m->Q2 / m->V2;
    dfdy[m->i3 * n + m->i1] = m->Q3 / v1;
    dfdy[m->i3 * n + m->i3] = -m->Q3 / m->V3;
    dfdy[m->iAp * n + m->i1] = 1 / v1;
    dfdy[m->iAT * n + m->iT] = 1 / m->VT;
    return GSL_SUCCESS;
}

double deb_bead_content(const deb_model *m, const double *y) {
    double total = 0;
    for (int k = 0; k < m->nclasses; k++) {
        const deb_class *c = &m->cls[k];
        double s = 0;
        for (int i = 0; i < c->count; i++) s += c->vol[i] * y[c->offset + i];
        total += c->beads * s;
    }
    return total;
}

double deb_accounted(const deb_model *m, const double *y) {
    return deb_bead_content(m, y) + y[m->iB] + y[m->iT] + y[m->i1] + y[m->i2] + y[m->i3]
        + m->fCL * m->CL * y[m->iAp] + m->kmet * m->VT * y[m->iAT];
}
