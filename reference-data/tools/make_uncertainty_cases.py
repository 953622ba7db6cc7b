#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes reference-data/cases/uncertainty.json and the planner inputs it uses
(reference-data/patients/unc-*.json): Monte Carlo uncertainty checked against closed forms.

Every expected value here is a closed form computed with Python's standard library
(statistics.NormalDist), independently of dosecalc:
- only the perfused mass uncertain (lognormal, median m, sigma s = sqrt(ln(1 + cv^2))): the MIRD dose
  D = K A (1 - L) / M is lognormal with median K A (1 - L) / m and the same s;
- only the lung shunt uncertain (normal mu, sd; truncation at 0 and 100 % negligible, < 1e-6): the
  lung dose K A L / (100 m_lung) is normal;
- only the delivered activity uncertain: every dose is lognormal with the activity's s;
- chance-constrained plan, lung-bound, only the lung shunt uncertain: the largest activity with
  P(lung dose limit exceeded) <= alpha is A* = L_lim m_lung / (K (mu + z_{1-alpha} sd) / 100).
Tolerances are the Monte Carlo error, stated per value: 4 standard errors, with the standard error of a
p-quantile of N samples sqrt(p (1 - p) / N) / f(x_p), of a mean sd / sqrt(N), of a probability
sqrt(p (1 - p) / N).
"""
import json, math, os
from statistics import NormalDist

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
Z = NormalDist()
N = 50_000
SEED = 7
K_GLASS = 50.0  # TheraSphere package insert: D = 50 A (1 - LSF) / M
SRC = "closed form in reference-data/tools/make_uncertainty_cases.py (distribution of a dose when one input is uncertain); tolerance 4 Monte Carlo standard errors"

def sigma_ln(cv_percent):
    return math.sqrt(math.log1p((cv_percent / 100) ** 2))

def lognormal_expect(path, median, s, n=N):
    """Mean and 2.5/50/97.5 % quantiles of a lognormal (median, s) with 4-SE tolerances."""
    out = []
    for key, p in (("p2_5", 0.025), ("p50", 0.5), ("p97_5", 0.975)):
        z = Z.inv_cdf(p)
        x = median * math.exp(z * s)
        f = Z.pdf(z) / (x * s)
        se = math.sqrt(p * (1 - p) / n) / f
        out.append({"path": f"{path}.{key}", "value": x, "abs": 4 * se})
    mean = median * math.exp(s * s / 2)
    sd = mean * math.sqrt(math.exp(s * s) - 1)
    out.append({"path": f"{path}.mean", "value": mean, "abs": 4 * sd / math.sqrt(n)})
    return out

def normal_expect(path, mu, sd, n=N):
    out = []
    for key, p in (("p2_5", 0.025), ("p50", 0.5), ("p97_5", 0.975)):
        z = Z.inv_cdf(p)
        se = math.sqrt(p * (1 - p) / n) / (Z.pdf(z) / sd)
        out.append({"path": f"{path}.{key}", "value": mu + z * sd, "abs": 4 * se})
    out.append({"path": f"{path}.mean", "value": mu, "abs": 4 * sd / math.sqrt(n)})
    return out

def prob_expect(path, p, n=N):
    return {"path": path, "value": p, "abs": 4 * math.sqrt(p * (1 - p) / n)}

cases = []

# UNC-01: MIRD, only the perfused mass uncertain.
s = sigma_ln(15)
cases.append({
    "id": "UNC-01", "source": SRC, "kind": "analytic",
    "args": ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1200", "--target-dose-gy", "120", "--lung-shunt", "8",
             "--mass-cv-percent", "15", "--samples", str(N), "--seed", str(SEED), "--json"],
    "exitCode": 0,
    "expect": lognormal_expect("uncertainty.intervals.perfusedLiverDoseGy", 120.0, s)
        + [{"path": "uncertainty.intervals.lungDoseGy.p97_5", "value": K_GLASS * (120 * 1.2 / (K_GLASS * 0.92)) * 0.08, "rel": 1e-12,
            "note": "the lung dose does not depend on the liver mass"}],
    "note": "D = K A (1 - L) / M with M lognormal (median 1200 g, cv 15 %): D lognormal, median 120 Gy, same sigma",
})

# UNC-02: only the lung shunt uncertain; lung dose normal; exceedance of 30 Gy.
A, mu, sd = 3.6, 15.0, 3.0
per_point = K_GLASS * A / 100  # Gy per percentage point, 1 kg lung
p30 = 1 - Z.cdf((30 / per_point - mu) / sd)
cases.append({
    "id": "UNC-02", "source": SRC, "kind": "analytic",
    "args": ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1000", "--activity-gbq", str(A), "--lung-shunt", str(mu),
             "--lung-shunt-sd", str(sd), "--samples", str(N), "--seed", str(SEED), "--json"],
    "exitCode": 0,
    "expect": normal_expect("uncertainty.intervals.lungDoseGy", per_point * mu, per_point * sd)
        + [prob_expect("uncertainty.exceedanceProbability.lungDose", p30),
           {"path": "uncertainty.sensitivity.lungDoseGy.lungShuntPercent", "value": 1.0, "abs": 0.02, "note": "the only uncertain input explains all the variance"}],
    "note": "lung dose = K A L / (100 m_lung), L normal (15 %, sd 3 points): normal; P(> 30 Gy) = 1 - Phi((30 / 1.8 - 15) / 3)",
})

# UNC-03: only the delivered activity uncertain (partition): every dose lognormal with the activity's sigma.
s = sigma_ln(8)
tumor_dose = 250.0
cases.append({
    "id": "UNC-03", "source": SRC, "kind": "analytic",
    "args": ["y90", "--device", "glass", "--method", "partition", "--tumor-mass-g", "200", "--normal-liver-mass-g", "800", "--tn-ratio", "4",
             "--tumor-dose-gy", str(tumor_dose), "--lung-shunt", "5", "--activity-cv-percent", "8", "--samples", str(N), "--seed", str(SEED), "--json"],
    "exitCode": 0,
    "expect": lognormal_expect("uncertainty.intervals.tumorDoseGy", tumor_dose, s)
        + lognormal_expect("uncertainty.intervals.normalLiverDoseGy", tumor_dose / 4, s),
    "note": "every dose is proportional to the delivered activity, lognormal (cv 8 %) around the prescribed one",
})

# UNC-04: chance-constrained plan, lung-bound, only the lung shunt uncertain.
alpha, mu, sd, prior, cum_limit, lung_g = 0.05, 18.0, 3.0, 25.0, 50.0, 1000.0
z = Z.inv_cdf(1 - alpha)
q = mu + z * sd
a_star = (cum_limit - prior) * (lung_g / 1000) / (K_GLASS * q / 100)
se_q = math.sqrt(alpha * (1 - alpha) / N) / (Z.pdf(z) / sd)
patient = {
    "description": "UNC-04: PLAN-02 (glass, LSF 18 %, prior lung dose 25 Gy, cumulative lung limit binds) with an uncertain lung shunt (sd 3 points) and at most 5 % probability of exceeding a hard limit.",
    "patient": {"id": "UNC-04", "heightCm": 172, "weightKg": 78, "cirrhosis": False, "histology": "HCC",
                "labs": {"bilirubinMgPerDl": 0.9, "albuminGPerDl": 3.9, "inr": 1.1, "ascites": "none", "encephalopathy": "none"},
                "priorTreatments": [{"kind": "y90-glass", "date": "2026-05-12", "lungDoseGy": prior}]},
    "anatomy": {"lungShuntPercent": mu, "lungMassG": lung_g, "wholeNormalLiverMassG": 1000,
                "territories": [{"name": "whole liver", "normalLiverMassG": 1000, "tumors": [{"name": "T1", "massG": 300, "tnRatio": 3.0}]}]},
    "treatment": {"modality": "y90-glass", "tumorTargetGy": 205, "perfusedNormalLiverLimitGy": 120},
    "uncertainty": {"lungShuntPercentSd": sd, "samples": N, "seed": SEED, "maxExceedanceProbability": alpha},
}
with open(os.path.join(ROOT, "patients", "unc-04-chance-lung-bound.json"), "w") as f:
    json.dump(patient, f, indent=2)
    f.write("\n")
nominal = (cum_limit - prior) * (lung_g / 1000) / (K_GLASS * mu / 100)
cases.append({
    "id": "UNC-04", "source": SRC, "kind": "analytic",
    "args": ["plan", "--input", "patients/unc-04-chance-lung-bound.json", "--json"],
    "exitCode": 3,
    "expect": [
        {"path": "radioembolization.activityGBq", "value": a_star, "abs": 4 * a_star * se_q / q,
         "note": "A* = (50 - 25) Gy x 1 kg / (50 Gy kg/GBq x (18 + z_0.95 x 3) %)"},
        {"path": "uncertainty.chanceConstraint.activityGBq", "value": a_star, "abs": 4 * a_star * se_q / q},
        {"path": "uncertainty.chanceConstraint.nominalActivityGBq", "value": nominal, "rel": 1e-9,
         "note": "the nominal plan puts the cumulative lung dose exactly at 50 Gy"},
        prob_expect("uncertainty.chanceConstraint.nominalExceedanceProbability", 0.5),
        {"path": "uncertainty.chanceConstraint.bindingLimit", "equals": "cumulativeLungDose"},
        {"path": "uncertainty.exceedanceProbability.cumulativeLungDose", "max": alpha, "note": "at most alpha by construction"},
        {"path": "status", "equals": "infeasible", "note": "205 Gy is out of reach under the chance constraint"},
    ],
    "note": "the tumour target is out of reach; the activity is the largest with P(cumulative lung dose > 50 Gy) <= 5 %",
})

# Bad input: one line, exit 2, the flag or field named.
Y = ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1000", "--target-dose-gy", "120", "--lung-shunt", "8"]
for cid, extra, name in [
    ("UNC-BAD-01", ["--lung-shunt-sd", "-1"], "--lung-shunt-sd"),
    ("UNC-BAD-02", ["--lung-shunt-sd", "nan"], "--lung-shunt-sd"),
    ("UNC-BAD-03", ["--mass-cv-percent", "101"], "--mass-cv-percent"),
    ("UNC-BAD-04", ["--activity-cv-percent", "inf"], "--activity-cv-percent"),
    ("UNC-BAD-05", ["--mass-cv-percent", "10", "--samples", "999"], "--samples"),
    ("UNC-BAD-06", ["--mass-cv-percent", "10", "--samples", "10000001"], "--samples"),
    ("UNC-BAD-07", ["--mass-cv-percent", "10", "--samples", "2e4"], "--samples"),
    ("UNC-BAD-08", ["--mass-cv-percent", "10", "--seed", "-1"], "--seed"),
    ("UNC-BAD-09", ["--samples", "5000"], "--samples"),
    ("UNC-BAD-10", ["--tn-ratio-cv-percent", "-5"], "--tn-ratio-cv-percent"),
]:
    cases.append({"id": cid, "source": "input validation: a spread outside its range is refused, never clipped", "kind": "safety",
                  "args": Y + extra, "exitCode": 2, "stderrContains": name})
cases.append({"id": "UNC-BAD-11", "source": "input validation: the BSA method sets the activity from body surface area, not from a dose", "kind": "safety",
              "args": ["y90", "--device", "resin", "--method", "bsa", "--height-cm", "170", "--weight-kg", "70", "--tumor-volume-ml", "100",
                       "--liver-volume-ml", "1500", "--lung-shunt", "5", "--lung-shunt-sd", "2"],
              "exitCode": 2, "stderrContains": "--lung-shunt-sd"})
for cid, unc, field in [("UNC-BAD-12", {"lungShuntPercentSd": 3, "maxExceedanceProbability": 0}, "uncertainty.maxExceedanceProbability"),
                        ("UNC-BAD-13", {"lungShuntPercentSd": 3, "maxExceedanceProbability": 0.6}, "uncertainty.maxExceedanceProbability"),
                        ("UNC-BAD-14", {"massCvPercent": 150}, "uncertainty.massCvPercent"),
                        ("UNC-BAD-15", {"samples": 20000}, "uncertainty")]:
    p = json.loads(json.dumps(patient))
    p["description"] = f"{cid}: an uncertainty object that must be refused ({field})"
    p["patient"]["id"] = cid
    p["uncertainty"] = unc
    fname = f"bad-{cid.lower()}.json"
    with open(os.path.join(ROOT, "patients", fname), "w") as f:
        json.dump(p, f, indent=2)
        f.write("\n")
    cases.append({"id": cid, "source": "input validation of the planner's uncertainty object", "kind": "safety",
                  "args": ["plan", "--input", "patients/" + fname], "exitCode": 2, "stderrContains": field})

out = {"description": "Monte Carlo uncertainty: intervals, exceedance probabilities and the chance-constrained activity against closed forms, "
                      "with tolerances of 4 Monte Carlo standard errors; and refused spreads. Regenerate with reference-data/tools/make_uncertainty_cases.py.",
       "cases": cases}
with open(os.path.join(ROOT, "cases", "uncertainty.json"), "w") as f:
    json.dump(out, f, indent=2)
    f.write("\n")
print(f"{len(cases)} cases")
