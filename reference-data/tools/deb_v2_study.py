#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Design study for the revised DEB bead kinetics (finite-rate ion exchange, medium-dependent film).

This is the numpy/scipy prototype of the bead model that the dosecalc DEB model (`dosecalc deb`) now uses,
and the first joint fit of that model to the published calibration points in reference-data/deb-calibration/.
dosecalc does not run it. It records why the revision was needed and what a joint fit of in-vitro and in-vivo
data can reach; the GSL fit that ships (`dosecalc deb-calibrate`, reference-data/deb-fit/) reaches the same
optimum as --ranked here (chi-squared 5.49 against 5.53; it states the USP II bound as 95 % released by
3.9 h rather than 95.5 % by 4 h).

Model (per size class; N equal radial shells; units h, cm, mg, mL):
  total drug u_i and bound drug q_i per mL of true bead volume; free pore concentration c_i = (u_i - q_i)/eps
  exchange       dq_i/dt = k_off * (c_i * (Q - q_i)/K_d - q_i)          (Langmuir at equilibrium, finite rate)
  pore diffusion F_f = D_b * A_f / dr * (c_{f-1} - c_f), F_0 = 0
  surface        F_N = (c_{N-1} - c_out) / (dr/2/(D_b A_N) + R_ext)
                 R_ext = delta/(D_w 4 pi R^2)  film of thickness delta in vitro (USP II paddle, closed vessel)
                 R_ext = 1/(4 pi R D_t)       tissue-side resistance in vivo (as in the current model)
  du_i/dt = (F_i - F_{i+1})/V_i
The in-vivo part (tissue, 3-compartment plasma model, burst) is that of the current model
(Sources/Chemoembolization/ElutionModel.swift).

Fixed values and assumptions:
  Q      = 40.4 mg/mL sedimented, all products: 40/0.99, just above the highest loading (40 mg/mL). The
           in-vivo points pull the capacity down to this bound (the 8-hour tissue level needs a bead close to
           saturation). At the fitted K_d the model takes up only 68-94 % from a 20 mL loading solution per
           mL of beads, where de Baere et al. 2016 report > 99 % loaded within 1 h: not reproduced.
  D_b    = 4e-6 cm^2/s (assumption: free doxorubicin in a 90 % water hydrogel).
  D_w    = 4e-6 cm^2/s (assumption), film in USP II 30 um (assumption).
  medium = 20 mL per mL of sedimented beads in the closed vessel (assumption: de Baere's set-up is not
           in the abstract; the loading used 20 mL per mL).
  tissue-plasma clearance 4 L/h (as in the current model).

Outcome of the recorded joint fit (12 parameters, 21 residuals, chi-squared 7.55; about 2 minutes):
  met:     plateaus of all four products within 1 SD; USP II 100-300 um 95.9 % at 4 h, first-order R^2 0.996
           (110 um: 97.4 %, 0.998); in vivo 43.3 % eluted at 28 d, tissue 0.67 uM at 30 d and 4.4 uM at 8 h,
           plasma peak 55.7 ng/mL for 150 mg of 300-500 um (inside the Poon and Varela ranges); t75 of
           LifePearl 136 (139), HepaSphere 129 (110), Tandem 94 (77) min.
  missed:  DC Bead t75 126 min against 197 (a factor 1.56), so DC Bead is not the slowest product; and
           USP II completion at 4 h falls with size (400 um 90.8 %, 600 um 84.2 %, 800 um 77.5 %).
  reading: with one film thickness for the closed vessel, DC Bead cannot be both complete in 4 h under
           USP II (fast exchange, k_off about 1/h) and the slowest in the closed vessel. The closed vessel's
           set-up (medium volume, agitation) is not in the abstract; a product-specific hydrodynamic term or
           the full text of de Baere 2016 is needed before the model is changed.

With --mass-weighted (each size class at its De Brouckere mean diameter D[4,3] instead of its number
mean: 100-300 um -> 242 um, 300-500 um -> 424 um; recorded refit chi-squared 5.40, 13 evaluations from
the fit above):
  met:     every product's t75 within a factor 1.5 (DC Bead 135 against 197, a factor 1.46; LifePearl 136
           (139), HepaSphere 125 (110), Tandem 90 (77)); plateaus within 1 SD; USP II 242 um 96.0 % at 4 h,
           first-order R^2 0.994; in vivo 43.2 % at 28 d, tissue 0.67 uM at 30 d and 4.5 uM at 8 h, plasma
           peak 56 ng/mL.
  missed:  the ranking by one minute (DC Bead 135 against LifePearl 136 min: DC Bead should be the slowest),
           and USP II completion for the larger classes (400 um 91.9 %, 600 um 85.5 %, 800 um 78.9 % at 4 h).
  reading: weighting each class by drug resolves the DC Bead t75 factor without a product-specific term;
           the remaining misses point at the USP II kinetics of large beads (exchange or pore diffusion
           too slow for them), which the closed-vessel and in-vivo points do not constrain.

With --ranked (the size classes at D[4,3] as above; Gonzalez's two statements taken as the bounds they are,
at least 95.5 % eluted at 4 h and a first-order R^2 of at least 0.992, costing nothing inside them; and the
de Baere ranking of t75 as a constraint, each product at least 5 % slower than the next; recorded refit
chi-squared 5.53):
  met:     t75 DC Bead 135 (197), LifePearl 129 (139), HepaSphere 123 (110), Tandem 90 (77) min: each within
           a factor 1.5 (the largest 1.46, DC Bead), in the published order; plateaus 20.8, 30.0, 9.0 and 6.1 %
           (21 +- 2, 30 +- 5, 8 +- 3, 6 +- 0): within 1 SD, Tandem within 0.1 percentage point; USP II 100-300 um
           (242 um) 95.5 % at 4 h, first-order R^2 0.994; in vivo 43.2 % at 28 d (43 +- 5), tissue 0.667 uM at
           30 d (within 3 % of 0.65) and 4.50 uM at 8 h (0.90 of 5), plasma peak 56 ng/mL for 150 mg of
           300-500 um (inside Poon 49.4 +- 23.7 and Varela 79 +- 38).
  missed:  USP II completion in 4 h for the larger classes (300-500 um 90.7 %, 500-700 84.4 %, 700-900 78.0 %;
           first-order R^2 0.982, 0.966, 0.950). Which sizes Gonzalez's "complete in under 4 h" covers is not in
           the abstract. Raising the bead diffusivity does not close the gap: with the --mass-weighted fit,
           D_b = 2e-5 cm^2/s (5 times the 4e-6 assumed for free drug in the gel) and twice k_off still
           leave 700-900 um at 93.5 %; the exchange and pore diffusion of a large bead, not the film, limit it.
  reading: one parameter set per product meets every in-vitro and in-vivo target for the sizes and products
           the published points cover; the parameters are those of RECORDED_RANKED. The closed-vessel t75 is
           set by the film and the isotherm (it moves by 2 % when D_b or k_off doubles), the USP II curve by k_off.

Usage: python3 reference-data/tools/deb_v2_study.py [--quick] [--mass-weighted | --ranked] | --test-peers
Prints the fitted parameters, each point's residual, and the acceptance figures; --test-peers prints the
in-vitro values ExchangeKineticsTests checks against.
"""
import argparse
import json
import math

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq, curve_fit, least_squares

EPS, PHI = 0.9, 0.64
Q_PACKED = 40.4
DB = 4e-6 * 3600
DW = 4e-6 * 3600
USP_FILM_CM = 30e-4
MEDIUM_ML_PER_ML = 20.0
CLT = 4.0
VT = 0.20
PK = dict(CL=62.4, V1=17.7, Q2=50.7, V2=1830.0, Q3=28.4, V3=71.0, fu=0.25)
MW = 543.52
N = 4
# product: (diameter before loading um, shrinkMax, shrink reference loading, plateau %, SD %, t75 min)
PRODUCTS = {
    "dc-bead": (200, 0.20, 25, 21, 2, 197),
    "lifepearl": (200, 0.24, 40, 30, 5, 139),
    "hepasphere": (197, 1 - 148 / 197, 40, 8, 3, 110),
    "tandem": (100, 0.09, 40, 6, 1, 77),   # SD 0 printed; 1 percentage point used
}


# Diameter of a size class: the number mean by default; with --mass-weighted the De Brouckere mean D[4,3]
# (the mean diameter weighted by bead volume, so by drug, for a uniform number distribution over the
# class: 4/5 (hi^5 - lo^5) / (hi^4 - lo^4)), since the eluted fraction is a drug-weighted average over beads.
CLASSES = {"100-300": (100, 300), "300-500": (300, 500), "500-700": (500, 700), "700-900": (700, 900)}
# de Baere 2016: DC Bead is the slowest, then LifePearl, HepaSphere, Tandem (t75 197 > 139 > 110 > 77 min).
RANKING = ["dc-bead", "lifepearl", "hepasphere", "tandem"]
RANKED = {"on": False}   # --ranked: bounds as bounds, and the ranking as a constraint (see residuals)
DIAMETER = {"100-300": 200.0, "300-500": 400.0}


def use_mass_weighted_diameters():
    for k, (lo, hi) in CLASSES.items():
        DIAMETER[k] = 0.8 * (hi ** 5 - lo ** 5) / (hi ** 4 - lo ** 4)
    PRODUCTS["dc-bead"] = (DIAMETER["100-300"],) + PRODUCTS["dc-bead"][1:]


def q_eq(u, Qt, Kd):
    b = EPS * Kd + Qt - u
    disc = math.sqrt(b * b + 4 * EPS * u * Kd)
    c = 2 * u * Kd / (b + disc) if b > 0 else (-b + disc) / (2 * EPS)
    return u - EPS * c, c


class Beads:
    def __init__(self, d_um, smax, lref, L, Vp, Kd, koff):
        self.R = 0.5 * d_um * (1 - smax * min(L / lref, 1)) * 1e-4
        r = np.linspace(0, self.R, N + 1)
        self.r, self.dr = r, self.R / N
        self.V = 4 / 3 * math.pi * (r[1:] ** 3 - r[:-1] ** 3)
        self.A = 4 * math.pi * r[1:] ** 2
        self.Qt, self.Kd, self.koff = Q_PACKED / PHI, Kd, koff
        self.nb = PHI * Vp / (4 / 3 * math.pi * self.R ** 3)
        self.u0 = L / PHI

    def rhs(self, u, q, cout, rext):
        c = (u - q) / EPS
        F = np.zeros(N + 1)
        F[1:N] = DB * self.A[:N - 1] / self.dr * (c[:-1] - c[1:])
        F[N] = (c[-1] - cout) / (self.dr / 2 / (DB * self.A[-1]) + rext)
        return (F[:-1] - F[1:]) / self.V, self.koff * (c * (self.Qt - q) / self.Kd - q), self.nb * F[N]

    def content(self, y):
        return self.nb * float(np.dot(self.V, y[:N]))


def in_vitro(prod, Kd, koff, L, medium, film_cm, t_end, closed_ml=None):
    d, smax, lref = PRODUCTS[prod][:3]
    b = Beads(d, smax, lref, L, 1.0, Kd, koff)
    q0, _ = q_eq(b.u0, b.Qt, Kd)
    rext = film_cm / (DW * 4 * math.pi * b.R ** 2)
    total = b.u0 * PHI
    y0 = np.concatenate([np.full(N, b.u0), np.full(N, q0), [0.0]])

    def f(t, y):
        cout = y[-1] / closed_ml if closed_ml else 0.0
        du, dq, rel = b.rhs(y[:N], y[N:2 * N], cout, rext)
        return np.concatenate([du, dq, [rel]])
    sol = solve_ivp(f, (0, t_end), y0, method="BDF", rtol=1e-8, atol=1e-10 * total, dense_output=True)
    return lambda t: sol.sol(t)[-1] / total


def closed_vessel(prod, Kd, koff, film_cm):
    rel = in_vitro(prod, Kd, koff, 40.0, "closed", film_cm, 6.0, closed_ml=MEDIUM_ML_PER_ML)
    plateau = float(rel(6.0))
    t75 = brentq(lambda t: rel(t) - 0.75 * plateau, 1e-6, 6.0)
    return 100 * plateau, 60 * t75


def usp_sink(d_um, Kd, koff):
    saved = PRODUCTS["dc-bead"]
    PRODUCTS["dc-bead"] = (d_um,) + saved[1:]
    try:
        rel = in_vitro("dc-bead", Kd, koff, 37.5, "sink", USP_FILM_CM, 4.0)
    finally:
        PRODUCTS["dc-bead"] = saved
    t = np.linspace(0, 4, 81)
    f = np.array([rel(x) for x in t])
    k, _ = curve_fit(lambda t, k: 1 - np.exp(-k * t), t, f, p0=[1.0])
    pred = 1 - np.exp(-k[0] * t)
    r2 = 1 - np.sum((f - pred) ** 2) / np.sum((f - f.mean()) ** 2)
    return 100 * f[-1], r2


def in_vivo(d_um, L, dose, Kd, koff, Dt, RT, tsink, days):
    b = Beads(d_um, 0.20, 25, L, dose / L, Kd, koff)
    q0, c0 = q_eq(b.u0, b.Qt, Kd)
    D0 = DB / (EPS + b.Qt * Kd / (c0 + Kd) ** 2)
    x = D0 * tsink / b.R ** 2
    fb = min(max(6 * math.sqrt(x / math.pi) - 3 * x, 0.0), 0.5)
    u0 = b.u0 * (1 - fb)
    q0, _ = q_eq(u0, b.Qt, Kd)
    rext = 1 / (4 * math.pi * b.R * Dt)
    y0 = np.zeros(2 * N + 5)
    y0[:N], y0[N:2 * N], y0[2 * N] = u0, q0, fb * dose

    def f(t, y):
        AB, AT, A1, A2, A3 = y[2 * N:]
        cT = AT / (VT * RT)
        du, dq, rel = b.rhs(y[:N], y[N:2 * N], cT / 1000, rext)
        cp, c2, c3 = A1 / PK["V1"], A2 / PK["V2"], A3 / PK["V3"]
        jtp = CLT * (cT - PK["fu"] * cp)
        return np.concatenate([du, dq, [-12 * AB, rel - jtp, 12 * AB + jtp - PK["CL"] * cp - PK["Q2"] * (cp - c2) - PK["Q3"] * (cp - c3),
                                        PK["Q2"] * (cp - c2), PK["Q3"] * (cp - c3)]])
    sol = solve_ivp(f, (0, days * 24), y0, method="BDF", rtol=1e-8, atol=1e-10 * dose, dense_output=True)
    out = {"burstFraction": fb}
    if days >= 30:
        out["eluted28dPercent"] = 100 * (1 - b.content(sol.sol(672.0)) / dose)
        out["tissue8hUM"] = sol.sol(8.0)[2 * N + 1] / VT * 1000 / MW
        out["tissue30dUM"] = sol.sol(720.0)[2 * N + 1] / VT * 1000 / MW
    tt = np.linspace(0, min(days * 24, 3.0), 3001)
    out["plasmaPeakNgPerMl"] = max(sol.sol(t)[2 * N + 2] / PK["V1"] * 1000 for t in tt)
    return out


# The --ranked fit of 2026-12-04 (chi-squared 5.53; 3 minutes from the --mass-weighted fit).
RECORDED_RANKED = [-1.9639581320386825, 0.07668517731411635, -1.147360987506723, -0.8783390214190923, -3.785840383281157, 0.887387295497505, -4.640245432489316, 0.5891711122121315, -0.1627922795782815, -12.56477774267962, 3.521234155438012, -13.214958312159915]

NAMES = ["Kd dc-bead", "koff dc-bead", "Kd lifepearl", "koff lifepearl", "Kd hepasphere", "koff hepasphere",
         "Kd tandem", "koff tandem", "closed-vessel film (cm)", "Dt (cm2/h)", "tissue binding ratio", "burst sink time (h)"]


def unpack(x):
    v = np.exp(x)
    prod = {p: (v[2 * i], v[2 * i + 1]) for i, p in enumerate(PRODUCTS)}
    return prod, v[8], v[9], v[10], v[11]


def residuals(x, report=False):
    prod, film, Dt, RT, tsink = unpack(x)
    r, rows = [], []
    for p, (d, sm, lr, pl, sd, t75) in PRODUCTS.items():
        Kd, koff = prod[p]
        a, t = closed_vessel(p, Kd, koff, film)
        r += [(a - pl) / sd, math.log(t / t75) / 0.2]
        rows += [(f"{p} plateau 6 h %", a, pl), (f"{p} t75 min", t, t75)]
        r.append(math.log(koff / 1.0) / 3.0)   # weak prior: k_off within a factor e^3 of 1/h
    Kd, koff = prod["dc-bead"]
    s, r2 = usp_sink(DIAMETER["100-300"], Kd, koff)
    if RANKED["on"]:
        # Gonzalez 2008 gives bounds, so they are one-sided: at least 95.5 % eluted at 4 h ("complete in
        # under 4 h") and a first-order R^2 of at least 0.992; inside them they cost nothing.
        r += [min(s - 95.5, 0) / 0.5, min(r2 - 0.992, 0) / 0.001]
        # The ranking of the closed-vessel t75 as a constraint: each product at least 5 % slower than the next.
        t75 = {row[0].split()[0]: row[1] for row in rows if row[0].endswith("t75 min")}
        r += [min(math.log(t75[a] / (1.05 * t75[b])), 0) / 0.01 for a, b in zip(RANKING, RANKING[1:])]
    else:
        r.append((s - 96) / 1.0)
    rows.append(("dc-bead 100-300 USP II eluted at 4 h %", s, 96))
    v = in_vivo(DIAMETER["100-300"], 37.5, 150, Kd, koff, Dt, RT, tsink, 30)
    r += [(v["eluted28dPercent"] - 43) / 2.5, math.log(v["tissue30dUM"] / 0.65) / 0.15, math.log(v["tissue8hUM"] / 5) / 0.3]
    rows += [("eluted 28 d %", v["eluted28dPercent"], 43), ("tissue 30 d uM", v["tissue30dUM"], 0.65), ("tissue 8 h uM", v["tissue8hUM"], 5)]
    c = in_vivo(DIAMETER["300-500"], 37.5, 150, Kd, koff, Dt, RT, tsink, 0.125)["plasmaPeakNgPerMl"]
    r += [(c - 49.4) / 23.7, (c - 78.97) / 38.3]
    rows += [("plasma peak 150 mg 300-500 ng/mL (Poon)", c, 49.4), ("plasma peak (Varela)", c, 78.97)]
    return (np.array(r), rows) if report else np.array(r)


def test_peers():
    """The values ExchangeKineticsTests checks the Swift in-vitro solve against: at RECORDED_RANKED with the D[4,3]
    diameters, the released fraction of DC Bead and LifePearl in de Baere's closed vessel (40 mg/mL, 1 mL in 20 mL,
    the fitted film) at 0.25, 0.5, 1, 2, 4 and 6 h, and of DC Bead 100-300 um (242 um) under the USP II sink
    (37.5 mg/mL, 30 um film) at 0.25, 0.5, 1, 2 and 4 h; N equal shells."""
    use_mass_weighted_diameters()
    prod, film, *_ = unpack(np.array(RECORDED_RANKED))
    out = {"shells": N, "closedVesselFilmCm": float(film)}
    for p in ("dc-bead", "lifepearl"):
        Kd, koff = prod[p]
        closed = in_vitro(p, Kd, koff, 40.0, "closed", film, 6.0, closed_ml=MEDIUM_ML_PER_ML)
        row = {"kd": float(Kd), "koff": float(koff), "diameterUm": PRODUCTS[p][0],
               "closed": [float(closed(t)) for t in (0.25, 0.5, 1, 2, 4, 6)]}
        if p == "dc-bead":
            sink = in_vitro(p, Kd, koff, 37.5, "sink", USP_FILM_CM, 4.0)
            row["sink"] = [float(sink(t)) for t in (0.25, 0.5, 1, 2, 4)]
        out[p] = row
    print(json.dumps(out, indent=1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="evaluate the recorded fit only (no refit)")
    ap.add_argument("--mass-weighted", action="store_true", help="size classes at their De Brouckere mean diameter D[4,3]")
    ap.add_argument("--ranked", action="store_true",
                    help="with --mass-weighted: Gonzalez's bounds as one-sided and the de Baere ranking as a constraint")
    ap.add_argument("--test-peers", action="store_true",
                    help="print the in-vitro peer values of Tests/ChemoembolizationTests/ExchangeKineticsTests.swift "
                         "(RECORDED_RANKED, D[4,3] diameters) and stop")
    args = ap.parse_args()
    if args.test_peers:
        test_peers()
        return
    if args.mass_weighted or args.ranked:
        use_mass_weighted_diameters()
    RANKED["on"] = args.ranked
    x0 = np.log([0.13, 1.25, 0.33, 0.33, 0.022, 5.0, 0.010, 5.0, 0.9, 2.78e-6, 34.5, 1.8e-6])
    recorded_mass_weighted = [-1.957092013366652, 0.12915036918518305, -1.1203186149715283, -1.1348677234640805, -3.9419689340347728,
                              0.4189136336767061, -4.640543612554738, 0.5875532766473911, -0.16404614218722724, -12.571458821817583,
                              3.521242884979062, -13.21874156884832]
    recorded = [-1.999723846678204, 0.044749647261022825, -1.1167578473848339, -1.0068971135926774, -3.903263675261594,
                0.4764304743563086, -4.625300689512359, 0.671700483487431, -0.10057199291974811, -12.911719315260319,
                3.5272220922447652, -13.327498930166474]
    recorded_ranked = RECORDED_RANKED
    if args.ranked:
        x0 = np.array(recorded_mass_weighted)
    if not args.quick:
        fit = least_squares(residuals, x0, diff_step=1e-4)
        x = fit.x
    else:
        x = np.array(recorded_ranked if args.ranked else recorded_mass_weighted if args.mass_weighted else recorded)
    r, rows = residuals(x, report=True)
    for name, val in zip(NAMES, np.exp(x)):
        print(f"{name:28s} {val:.6g}")
    for name, model, data in rows:
        print(f"{name:42s} model {model:10.4g}   published {data:g}")
    prod, *_ = unpack(x)
    for d in (110, DIAMETER["100-300"], DIAMETER["300-500"], DIAMETER["500-700"], DIAMETER["700-900"]):
        s, r2 = usp_sink(d, *prod["dc-bead"])
        print(f"USP II {d:.0f} um: {s:.1f} % at 4 h, first-order R2 {r2:.4f}")
    print(json.dumps({"x": list(map(float, x)), "chi2": float(np.sum(r ** 2))}))


if __name__ == "__main__":
    main()
