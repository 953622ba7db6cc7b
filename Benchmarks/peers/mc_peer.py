# SPDX-License-Identifier: GPL-3.0-or-later
"""The Monte Carlo propagation of `dosecalc y90 --method partition … --lung-shunt-sd … --mass-cv-percent …
--tn-ratio-cv-percent … --activity-cv-percent … --samples N`, written as a physicist would with numpy:
the same distributions (lung shunt normal truncated to [0, 100) by redrawing; masses, T/N and the delivered
activity lognormal with the given value as median and sigma_ln = sqrt(ln(1 + cv^2))), the partition formulas
of the TheraSphere package insert (K = 50 Gy kg/GBq, 1 kg lung), the 2.5/50/97.5 % percentiles (numpy's
default linear interpolation, as GSL's), exceedance of the 30 Gy lung and 120 Gy perfused normal-liver limits,
and first-order variance shares by the same binning estimator (sqrt(N) equal-count bins, bias-corrected).
numpy's generator (PCG64) gives other random numbers than GSL's MT19937: the two agree to Monte Carlo error.
"""
import math
import numpy as np

K = 50.0


def propagate(n, seed, mt, mn, tn, dose, lsf, sd, cv_m, cv_tn, cv_a, lung_kg=1.0):
    rng = np.random.default_rng(seed)
    s = lambda cv: math.sqrt(math.log1p((cv / 100) ** 2))
    a0 = dose * (tn * mt + mn) / 1000 / (K * (1 - lsf / 100) * tn)
    L = rng.normal(lsf, sd, n)
    bad = (L < 0) | (L >= 100)
    while bad.any():
        L[bad] = rng.normal(lsf, sd, int(bad.sum()))
        bad = (L < 0) | (L >= 100)
    MT = mt * np.exp(rng.normal(0, s(cv_m), n))
    MN = mn * np.exp(rng.normal(0, s(cv_m), n))
    TN = tn * np.exp(rng.normal(0, s(cv_tn), n))
    A = a0 * np.exp(rng.normal(0, s(cv_a), n))
    w = (TN * MT + MN) / 1000
    tumor = K * A * (1 - L / 100) * TN / w
    normal = K * A * (1 - L / 100) / w
    perfused = K * A * (1 - L / 100) / ((MT + MN) / 1000)
    lung = K * A * (L / 100) / lung_kg
    outputs = {"activityGBq": A, "tumorDoseGy": tumor, "normalLiverDoseGy": normal, "perfusedLiverDoseGy": perfused,
               "lungDoseGy": lung, "cumulativeLungDoseGy": lung}
    inputs = {"lungShuntPercent": L, "tumorMassG": MT, "normalLiverMassG": MN, "tnRatio": TN, "activityGBq": A}
    intervals = {}
    for k, y in outputs.items():
        p = np.percentile(y, [2.5, 50, 97.5])
        intervals[k] = {"mean": float(y.mean()), "p2_5": float(p[0]), "p50": float(p[1]), "p97_5": float(p[2])}
    orders = {k: np.argsort(x, kind="stable") for k, x in inputs.items()}
    bins = max(2, int(math.sqrt(n)))
    edges = (np.arange(bins + 1) * n) // bins
    sensitivity = {}
    for k, y in outputs.items():
        total = ((y - y.mean()) ** 2).sum()
        shares = {}
        for name, order in orders.items():
            ys = y[order]
            sums = np.add.reduceat(ys, edges[:-1])
            counts = np.diff(edges)
            means = sums / counts
            between = (counts * (means - y.mean()) ** 2).sum()
            within = ((ys - np.repeat(means, counts)) ** 2).sum()
            shares[name] = max(0.0, (between - (bins - 1) * within / (n - bins)) / total) if total > 0 else 0.0
        sensitivity[k] = shares
    exceed = {"lungDose": float((lung > 30).mean()), "perfusedNormalLiverDose": float((normal > 120).mean())}
    return {"samples": n, "intervals": intervals, "exceedanceProbability": exceed, "sensitivity": sensitivity}
