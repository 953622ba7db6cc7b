/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DEB-IX-3C (model version 1) in plain C: the right-hand side and the analytic Jacobian of
 * Sources/Chemoembolization (ElutionModel.swift, ShellKinetics.swift, Isotherm.swift,
 * ElutionModel+Jacobian.swift), with the same states, the same equal-shell radial grid
 * (RadialGrid.swift), the same initial state and the same per-component absolute-tolerance scale
 * (ElutionModel.toleranceScale). Used by deb_msbdf.c as the C floor of the Swift engine.
 *
 * To benchmark a revised model, drop in deb_model_v2.c/.h with the same functions and build with
 * `make MODEL=deb_model_v2`.
 */
#ifndef DEB_MODEL_V1_H
#define DEB_MODEL_V1_H

#define DEB_MAX_CLASSES 8

/* The parameters of reference-data/deb-model.json (units as stored there) and of one bead product
 * (reference-data/products/deb-beads.json: capacity, K_d, shrink). */
typedef struct {
    double bindingCapacityPackedMgPerMl, dissociationConstantMgPerMl, porosity, packingFraction;
    double shrinkMax, shrinkReferenceLoadingMgPerMl;
    double beadDiffusivityCm2PerS, tissueTransferDiffusivityCm2PerS, sinkEquivalentTimeS;
    double burstAbsorptionRatePerH, treatedTissueVolumeL, tissueBindingRatio;
    double tissuePlasmaClearanceLPerH, tissueMetabolismRatePerH, plasmaFractionUnbound;
    double clearanceLPerH, centralVolumeL, intercompartmentalClearance2LPerH, peripheralVolume2L;
    double intercompartmentalClearance3LPerH, peripheralVolume3L, clearanceFactor;
    int shellsPerClass;
    double doxorubicinMolarMassGPerMol;
} deb_params;

/* One size class: model diameter before loading (µm), loading (mg/mL sedimented), dose (mg). */
typedef struct { double diameterUm, loadingMgPerMl, doseMg; } deb_deposit;

typedef struct {
    int offset, count;
    double Q, Kd, eps;          /* isotherm per mL true bead volume */
    double *inv_vol, *vol;      /* count */
    double *face;               /* count-1: D_b A_f / Δ_f */
    double gs;                  /* surface conductance per bead */
    double beads;
    double u0, burst_fraction, radius_cm;
} deb_class;

typedef struct {
    int n, nclasses;
    deb_class cls[DEB_MAX_CLASSES];
    int iB, iT, i1, i2, i3, iAp, iAT;   /* A_elim = f_CL CL AUC_p + k_met V_T AUC_T, not a state */
    double VT, RT, CLT, kmet, fu, CL, V1, Q2, V2, Q3, V3, fCL, kb;
    double out_per_tissue;      /* 1/(1000 V_T R_T) */
    double dose;
    double mw;
    double *y0, *scale;         /* n */
    long nfev, njev;
} deb_model;

deb_params deb_params_default(void);
/* Returns 0 on success. */
int deb_model_init(deb_model *m, const deb_params *p, int nclasses, const deb_deposit *d);
void deb_model_free(deb_model *m);
/* gsl_odeiv2_system callbacks; params = deb_model*. */
int deb_rhs(double t, const double y[], double dydt[], void *params);
int deb_jac(double t, const double y[], double *dfdy, double dfdt[], void *params);
/* Drug in the beads (mg). */
double deb_bead_content(const deb_model *m, const double *y);
/* Beads + A_B + A_T + A1 + A2 + A3 + A_elim (mg). */
double deb_accounted(const deb_model *m, const double *y);

#endif
