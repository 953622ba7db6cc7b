# SPDX-License-Identifier: GPL-3.0-or-later
"""Python/scipy peers of `dosecalc plan` for Benchmarks/run.

re_plan(path): radioembolization (lobar territories prescribed by tumour dose, no vial or time
  window): all territories scaled together, A_i = s·a_i; the largest s the hard limits allow is the
  root of h(s) = max_k q_k(s)/L_k − 1, found with scipy.optimize.brentq (dosecalc: GSL Brent,
  Sources/Planning/RadioembolizationPlanner.swift); s* = min(1, s_max).
deb_plan(path, method): DEB-TACE (Sources/Planning/DEBPlanner.swift): per size and loading the
  dose is min(caps, V_max·L) and, when the plasma peak of a 6-h solve exceeds its limit, the
  brentq root of peak(dose) − limit; the exposure is the 28-day tissue AUC; loadings are searched
  with bounded Brent (minimize_scalar) unless the input lists them; the chosen plan is solved
  again for 28 days. Every solve is scipy solve_ivp (BDF or LSODA) on scipy_peer's model at
  dosecalc's tolerances.
The patient file, the catalogues and the constraint sets are read on every call, as dosecalc's
planner reads them.
"""
import json
import os
import sys

from scipy.optimize import brentq, minimize_scalar

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import scipy_peer  # noqa: E402
from minidose import load, when_holds, find  # noqa: E402


def _facts(patient):
    labs = patient.get("labs", {})
    return {"bilirubin": labs.get("bilirubinMgPerDl"), "priorChestIrradiation": patient.get("priorChestIrradiation", False),
            "cirrhosis": patient.get("cirrhosis")}


def _limits(modality, facts, overrides):
    out = {}
    for row in load("constraints/constraint-sets.json")["limits"]:
        if modality not in row["modalities"] or row["severity"] != "hard":
            continue
        if when_holds(row.get("when"), facts) is not True:
            # an unknown fact selects the most cautious row; a false one drops it
            if when_holds(row.get("when"), facts) is False:
                continue
        q = row["quantity"]
        lim = overrides.get(q, row["limit"])
        out[q] = min(out.get(q, lim), lim) if row["comparison"] == "atMost" else lim
    return out


def _read(path_or_input):
    if isinstance(path_or_input, dict):
        return path_or_input
    with open(path_or_input, encoding="utf-8") as f:
        return json.load(f)


def re_plan(path):
    """path: a patient file, or the planner input object itself (as `dosecalc batch` takes it)."""
    inp = _read(path)
    cat = load("products/radioembolization.json")
    t, an, pat = inp["treatment"], inp["anatomy"], inp["patient"]
    device = find(cat["devices"], {"y90-glass": "glass", "y90-resin": "resin", "ho166": "quiremspheres"}[t["modality"]])
    k = device["doseFactorGyKgPerGBq"]
    lsf = an["lungShuntPercent"] / 100
    lung_kg = (an.get("lungMassG") or cat["tissue"]["lungMassG"]) / 1000
    whole_kg = an["wholeNormalLiverMassG"] / 1000
    prior = sum(p.get("lungDoseGy", 0) for p in pat.get("priorTreatments", []))
    overrides = {}
    if "perfusedNormalLiverLimitGy" in t:
        overrides["perfusedNormalLiverDoseGy"] = t["perfusedNormalLiverLimitGy"]
    if "wholeNormalLiverLimitGy" in t:
        overrides["wholeNormalLiverDoseGy"] = t["wholeNormalLiverLimitGy"]
    limits = _limits(t["modality"], _facts(pat), overrides)
    limits = {q: v for q, v in limits.items() if q in ("lungDoseGy", "cumulativeLungDoseGy", "wholeNormalLiverDoseGy", "perfusedNormalLiverDoseGy")}
    names = {"lungDoseGy": "lungDose", "cumulativeLungDoseGy": "cumulativeLungDose", "wholeNormalLiverDoseGy": "wholeNormalLiverDose",
             "perfusedNormalLiverDoseGy": "perfusedNormalLiverDose"}   # the constraint rows' names
    target = t.get("tumorTargetGy")
    if target is None:
        target = next(x["targetGy"] for x in load("constraints/constraint-sets.json")["tumorTargets"]
                      if x["modality"] == t["modality"] and x["histology"] == pat["histology"])
    ters = []
    for ter in an["territories"]:
        nl = ter["normalLiverMassG"] / 1000
        tumors = [(x["massG"] / 1000, x["tnRatio"]) for x in ter["tumors"]]
        weighted = nl + sum(m * r for m, r in tumors)
        rmin = min(r for _, r in tumors)
        ters.append(dict(nl=nl, tumors=tumors, ref=target * weighted / (k * (1 - lsf) * rmin)))

    def doses(s):
        nl_doses, tumor_doses, energy, total = [], [], 0.0, 0.0
        for ter in ters:
            a = s * ter["ref"]
            total += a
            w = sum(m * r for m, r in ter["tumors"]) + ter["nl"]
            ds = [k * a * (1 - lsf) * r / w for _, r in ter["tumors"]] + [k * a * (1 - lsf) * 1 / w]
            tumor_doses.append(ds[:-1])
            nl_doses.append(ds[-1])
            energy += ds[-1] * ter["nl"]
        lung = k * total * lsf / lung_kg
        return dict(lungDoseGy=lung, cumulativeLungDoseGy=lung + prior, wholeNormalLiverDoseGy=energy / whole_kg,
                    perfusedNormalLiverDoseGy=max(nl_doses), nl=nl_doses, tumors=tumor_doses, activity=total)

    def h(s):
        d = doses(s)
        return max(d[q] / lim for q, lim in limits.items()) - 1

    hi = 1.0
    while h(hi) < 0 and hi < 1e7:
        hi *= 2
    lo = hi / 2 if h(hi / 2) < 0 else 0.0
    s_max = brentq(h, lo, hi, xtol=1e-300, rtol=1e-13)
    s = min(1.0, s_max)
    d = doses(s)
    worst = max(limits, key=lambda q: doses(s_max)[q] / limits[q])
    return {"activity_gbq": d["activity"], "common_tumor_dose_gy": min(min(x) for x in d["tumors"]),
            "lung_dose_gy": d["lungDoseGy"], "cumulative_lung_dose_gy": d["cumulativeLungDoseGy"],
            "whole_normal_liver_dose_gy": d["wholeNormalLiverDoseGy"], "normal_liver_dose_gy": d["nl"][0],
            "fraction_of_target": s_max if s_max < 1 else 1.0, "binding": names[worst] if s_max < 1 else "tumorTarget"}


def deb_plan(path, method="BDF"):
    inp = _read(path)
    t, pat = inp["treatment"], inp["patient"]
    product = find(load("products/deb-beads.json")["products"], t.get("product", "dc-bead"))
    sizes = [find(product["sizes"], s) for s in t.get("sizes") or [s["id"] for s in product["sizes"]]]
    overrides = {}
    if "plasmaPeakLimitNgPerMl" in t:
        overrides["plasmaPeakNgPerMl"] = t["plasmaPeakLimitNgPerMl"]
    if "maxBeadVolumeMl" in t:
        overrides["beadVolumeMl"] = t["maxBeadVolumeMl"]
    limits = _limits("deb", _facts(pat), overrides)
    bsa = 0.007184 * pat["heightCm"] ** 0.725 * pat["weightKg"] ** 0.425
    prior = sum(p.get("doxorubicinMg", 0) for p in pat.get("priorTreatments", []))
    caps = [("sessionDose", limits.get("doxorubicinSessionMg", 0.0)),
            ("lifetimeDose", max(0.0, limits["doxorubicinLifetimeMgPerM2"] * bsa - prior))]
    if "targetDoxorubicinMg" in t:
        caps.append(("requestedDose", t["targetDoxorubicinMg"]))
    cap_rule, cap = min(caps, key=lambda c: c[1])
    peak_limit, vmax = limits["plasmaPeakNgPerMl"], limits["beadVolumeMl"]
    p = scipy_peer.for_product(product)
    lmax = product.get("recommendedMaxLoadingMgPerMl") or product["maxLoadingMgPerMl"]

    def sim(size, loading, dose, days):
        return scipy_peer.simulate([(size["modelDiameterUm"], loading, dose / loading)], days=days, method=method, p=p)[0]

    def evaluate(size, loading):
        # The same algorithm as DEBPlanner: one 28-day solve at the capped dose; if its plasma peak is
        # above the limit, scale the dose (the peak is proportional to it at a fixed loading), solve again
        # and accept only a peak under the limit; brentq on the 6-hour peak as the fallback.
        dose = min(cap, vmax * loading)
        limited = "beadVolume" if vmax * loading < cap else cap_rule
        r = sim(size, loading, dose, 28.0)
        if dose > 0 and r["plasma_peak_ng_per_ml"] > peak_limit:
            d0, limited = dose, "plasmaPeak"
            for _ in range(3):
                dose *= peak_limit / r["plasma_peak_ng_per_ml"] * (1 - 1e-9)
                r = sim(size, loading, dose, 28.0)
                if r["plasma_peak_ng_per_ml"] <= peak_limit:
                    break
            else:
                dose = brentq(lambda x: sim(size, loading, x, 0.25)["plasma_peak_ng_per_ml"] - peak_limit,
                              d0 * 1e-6, d0, xtol=1e-6, rtol=1e-7)
                r = sim(size, loading, dose, 28.0)
        return dict(size=size["id"], loading=loading, dose=dose, peak=r["plasma_peak_ng_per_ml"],
                    exposure=r["tissue_auc_ug_h_per_ml"], limited=limited, result=r)

    evals = []
    for size in sizes:
        if t.get("loadingsMgPerMl"):
            evals += [evaluate(size, L) for L in t["loadingsMgPerMl"]]
            continue
        lo, hi = min(10.0, lmax), lmax
        cache = {}

        def ev(L):
            if L not in cache:
                cache[L] = evaluate(size, L)
            return cache[L]
        e_lo, e_hi, guess = ev(lo), ev(hi), lo + 0.618 * (hi - lo)
        if hi > lo and ev(guess)["exposure"] > max(e_lo["exposure"], e_hi["exposure"]):
            minimize_scalar(lambda L: -ev(L)["exposure"], bounds=(lo, hi), method="bounded", options={"xatol": 0.05})
        evals += list(cache.values())
    best = max(evals, key=lambda e: e["exposure"])
    final = best["result"]   # the candidate's own 28-day solve is the plan's
    return {"doxorubicin_mg": best["dose"], "loading_mg_per_ml": best["loading"], "bead_volume_ml": best["dose"] / best["loading"],
            "plasma_peak_ng_per_ml": final["plasma_peak_ng_per_ml"], "tissue_auc_ug_h_per_ml": final["tissue_auc_ug_h_per_ml"],
            "binding": best["limited"]}


if __name__ == "__main__":
    path = sys.argv[1]
    kind = json.load(open(path))["treatment"]["modality"]
    print(json.dumps(deb_plan(path) if kind == "deb" else re_plan(path), indent=1))
