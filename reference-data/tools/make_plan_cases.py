#!/usr/bin/env python3
"""Writes the planner's example patients (reference-data/patients/) and reference cases
(reference-data/cases/plan.json).

The expected plans are computed here, independently of dosecalc, from the closed form: with one common
tumour dose D every dose is linear in D, so the largest D the limits allow is min_k L_k / (dose_k per Gy
of D). Published inputs (PLAN-01..05, ALBI-0x, CP-0x) are the worked examples of the planning fact base, recomputed
here from the published formulas (EANM 2022 Tables 2–4; Johnson et al., J Clin Oncol 2015;33:550 for ALBI; Pugh
et al., Br J Surg 1973;60:646 for Child–Pugh).
"""
import json, math, os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
K = {"y90-glass": 50.0, "y90-resin": 49.67, "ho166": 15.87}
HALF = {"y90-glass": 64.1, "y90-resin": 64.1, "ho166": 26.8}
RESIDUAL = {"y90-glass": 0.61, "y90-resin": 3.01, "ho166": 0.0}
VIALS = [3, 5, 7, 10, 15, 20]
# File paths in a case's args are relative to the reference-data folder (not to the working directory or
# the checkout root): `dosecalc validate` resolves them against the reference-data directory it uses, so
# the cases pass from any folder and from an installed copy (Sources/Validation/ReferenceCase.swift, CasePaths).
PATIENTS = "patients/"
SRC = "independent implementation of the published formulas in this script (EANM 2022 Tables 2–4; TheraSphere and SIR-Spheres package inserts)"

def patient(pid, bili=0.9, alb=3.9, inr=1.1, ascites="none", enceph="none", histology="HCC", cirrhosis=False, prior=None, h=172, w=78, labs=None):
    p = {"id": pid, "heightCm": h, "weightKg": w, "cirrhosis": cirrhosis, "histology": histology,
         "labs": labs or {"bilirubinMgPerDl": bili, "albuminGPerDl": alb, "inr": inr, "ascites": ascites, "encephalopathy": enceph}}
    if prior: p["priorTreatments"] = prior
    return p

def optimum(modality, territories, whole_nl_g, lsf_pct, lung_g, limits, prior_lung=0.0, target=None):
    """Independent closed form. territories: [(name, nl_g, [(tname, m_g, tn)])]. limits: dict."""
    k = K[modality]; lsf = lsf_pct / 100; lung = lung_g / 1000; W = whole_nl_g / 1000
    coef = {}
    per = []
    for name, nl, tumors in territories:
        wgt = nl / 1000 + sum(tn * m / 1000 for _, m, tn in tumors)
        rmin = min(tn for _, _, tn in tumors)
        per.append((wgt, rmin, nl / 1000))
    a_per_d = [wgt / (k * (1 - lsf) * rmin) for wgt, rmin, _ in per]
    coef["lungDose"] = k * lsf * sum(a_per_d) / lung
    coef["territoryNormalLiverDose"] = max(1 / rmin for _, rmin, _ in per)
    coef["wholeNormalLiverDose"] = sum(nl / rmin for _, rmin, nl in per) / W
    dmax = math.inf; binding = None
    for q, L in limits.items():
        if q == "cumulativeLungDose":
            d = (L - prior_lung) / coef["lungDose"] if coef["lungDose"] > 0 else math.inf
        else:
            d = L / coef[q] if coef[q] > 0 else math.inf
        if d < dmax: dmax, binding = d, q
    dstar = dmax if target is None else min(target, dmax)
    acts = [dstar * x for x in a_per_d]
    return dmax, binding, dstar, acts, coef

cases = []
def case(id, source, kind, file, expect, exitCode=0, stderrContains=None, note=None):
    c = {"id": id, "source": source, "kind": kind, "args": ["plan", "--input", PATIENTS + file] + (["--json"] if expect else []), "exitCode": exitCode}
    if expect: c["expect"] = expect
    if stderrContains: c["stderrContains"] = stderrContains
    if note: c["note"] = note
    cases.append(c)

def num(path, v, rel=1e-3, abs_=None):
    e = {"path": path, "value": v}
    if abs_ is not None: e["abs"] = abs_
    else: e["rel"] = rel
    return e
def eq(path, v): return {"path": path, "equals": v}

def write(file, obj):
    with open(os.path.join(ROOT, "patients", file), "w") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False); f.write("\n")

def binding_name(q, modality, bili=None, bilobar=None):
    # A check keeps one name whichever row the patient's facts select (the limit value says which).
    if q == "territoryNormalLiverDose":
        return "perfusedNormalLiverDose"
    return q

# ---------------- PLAN-01..05 (fact base) ----------------
def single(pid, modality, mt, mnl, tn, lsf, limits, target, bili=0.9, prior=0.0, override=None, desc="", histology="HCC", binding_label=None):
    terr = [("whole liver", mnl, [("T1", mt, tn)])]
    dmax, q, dstar, acts, _ = optimum(modality, terr, mnl, lsf, 1000, limits, prior, target)
    t = {"modality": modality, "tumorTargetGy": target}
    if override: t.update(override)
    obj = {"description": desc, "patient": patient(pid, bili=bili, histology=histology,
           prior=[{"kind": "y90-glass", "date": "2026-05-12", "lungDoseGy": prior}] if prior else None),
           "anatomy": {"lungShuntPercent": lsf, "lungMassG": 1000, "wholeNormalLiverMassG": mnl,
                       "territories": [{"name": "whole liver", "normalLiverMassG": mnl, "tumors": [{"name": "T1", "massG": mt, "tnRatio": tn}]}]},
           "treatment": t}
    return obj, dmax, q, dstar, acts

# PLAN-01: resin, NL ≤ 40 (EANM Table 3), target 120: exactly reachable.
obj, dmax, q, dstar, acts = single("PLAN-01", "y90-resin", 200, 1300, 3.0, 10, {"lungDose": 30, "cumulativeLungDose": 50, "territoryNormalLiverDose": 40}, 120,
    desc="PLAN-01 worked example: resin, normal liver ≤ 40 Gy (EANM 2022 Table 3), target 120 Gy, reached exactly at the limit.")
write("plan-01-resin-nl-limited.json", obj)
case("PLAN-01", "EANM 2022 Table 3 resin NL < 40 Gy; " + SRC, "published-rule", "plan-01-resin-nl-limited.json",
     [num("radioembolization.activityGBq", 1.7001, abs_=0.001), num("radioembolization.territories[0].tumorDosesGy.T1", 120.0, abs_=0.05),
      num("radioembolization.territories[0].normalLiverDoseGy", 40.0, abs_=0.01), num("radioembolization.lungDoseGy", 8.44, abs_=0.01),
      eq("radioembolization.bindingConstraint", "perfusedNormalLiverDose"), eq("radioembolization.tumorTargetReached", True), eq("status", "ok")])

obj, dmax, q, dstar, acts = single("PLAN-02", "y90-glass", 300, 1000, 3.0, 18, {"lungDose": 30, "cumulativeLungDose": 50, "territoryNormalLiverDose": 120, "wholeNormalLiverDose": 90}, 205, prior=25,
    override={"perfusedNormalLiverLimitGy": 120}, desc="PLAN-02 worked example: glass, LSF 18 %, prior lung dose 25 Gy; the cumulative lung limit binds; 205 Gy out of reach.")
write("plan-02-glass-lung-limited.json", obj)
case("PLAN-02", "lung 30/50 Gy; " + SRC, "computed", "plan-02-glass-lung-limited.json",
     [num("radioembolization.activityGBq", 2.7778, abs_=0.001), num("radioembolization.maximumCommonTumorDoseGy", 179.82, abs_=0.01),
      num("radioembolization.territories[0].normalLiverDoseGy", 59.94, abs_=0.01), num("radioembolization.cumulativeLungDoseGy", 50.0, abs_=0.001),
      eq("radioembolization.bindingConstraint", "cumulativeLungDose"), eq("checks[name=cumulativeLungDose].binding", True),
      eq("radioembolization.tumorTargetReached", False), eq("status", "infeasible")], exitCode=3)

obj, dmax, q, dstar, acts = single("PLAN-03", "y90-glass", 250, 1200, 1.5, 5, {"lungDose": 30, "cumulativeLungDose": 50, "wholeNormalLiverDose": 75, "territoryNormalLiverDose": 120}, 205,
    override={"wholeNormalLiverLimitGy": 75}, desc="PLAN-03 worked example: T/N 1.5, whole normal liver ≤ 75 Gy (EANM 2022 Table 2 guidance, given as an override): 205 Gy cannot be reached.")
write("plan-03-glass-infeasible.json", obj)
case("PLAN-03", "EANM 2022 Table 2 whole NL < 75 Gy; " + SRC, "published-rule", "plan-03-glass-infeasible.json",
     [num("radioembolization.activityGBq", 2.4868, abs_=0.001), num("radioembolization.territories[0].tumorDosesGy.T1", 112.5, abs_=0.05),
      num("radioembolization.wholeNormalLiverDoseGy", 75.0, abs_=0.01), eq("radioembolization.bindingConstraint", "wholeNormalLiverDose"),
      eq("status", "infeasible")], exitCode=3)

obj, dmax, q, dstar, acts = single("PLAN-04", "y90-glass", 300, 1500, 3.5, 4, {"lungDose": 30, "cumulativeLungDose": 50, "wholeNormalLiverDose": 50, "territoryNormalLiverDose": 120}, 205, bili=1.4,
    desc="PLAN-04 worked example: HCC, bilirubin 1.4 mg/dL → whole normal liver < 50 Gy (EANM 2022 Table 2 footnote, Chiesa 2020).")
write("plan-04-glass-bilirubin-high.json", obj)
case("PLAN-04", "EANM 2022 Table 2 footnote (bilirubin > 1.1 → 50 Gy); " + SRC, "published-rule", "plan-04-glass-bilirubin-high.json",
     [num("radioembolization.activityGBq", 2.6562, abs_=0.001), num("radioembolization.territories[0].tumorDosesGy.T1", 175.0, abs_=0.05),
      num("radioembolization.wholeNormalLiverDoseGy", 50.0, abs_=0.01), num("radioembolization.lungDoseGy", 5.31, abs_=0.01),
      eq("radioembolization.bindingConstraint", "wholeNormalLiverDose"), eq("status", "infeasible")], exitCode=3)

obj, dmax, q, dstar, acts = single("PLAN-05", "y90-glass", 300, 1500, 3.5, 4, {"lungDose": 30, "cumulativeLungDose": 50, "wholeNormalLiverDose": 90, "territoryNormalLiverDose": 120}, 205, bili=0.8,
    desc="PLAN-05 worked example: as PLAN-04 with bilirubin 0.8 mg/dL → whole normal liver < 90 Gy; the 205 Gy target is reached.")
write("plan-05-glass-target-reached.json", obj)
case("PLAN-05", "EANM 2022 Table 2 footnote (bilirubin < 1.1 → 90 Gy); " + SRC, "published-rule", "plan-05-glass-target-reached.json",
     [num("radioembolization.activityGBq", 3.1116, abs_=0.001), num("radioembolization.maximumCommonTumorDoseGy", 315.0, abs_=0.05),
      num("radioembolization.territories[0].tumorDosesGy.T1", 205.0, abs_=0.01), eq("radioembolization.bindingConstraint", "tumorTarget"),
      eq("radioembolization.tumorTargetReached", True), eq("status", "ok")])

obj, dmax, q, dstar, acts = single("PLAN-04b", "y90-glass", 300, 1500, 3.5, 4, {"lungDose": 30, "cumulativeLungDose": 50, "wholeNormalLiverDose": 50, "territoryNormalLiverDose": 120}, 205, bili=1.1,
    desc="PLAN-04 at bilirubin exactly 1.1 mg/dL: EANM's footnote leaves 1.1 open; dosecalc applies the safer 50 Gy whole normal-liver limit.")
write("plan-04b-glass-bilirubin-boundary.json", obj)
case("PLAN-04b", "boundary convention (README): bilirubin 1.1 mg/dL → 50 Gy; as PLAN-04 of " + SRC, "published-rule", "plan-04b-glass-bilirubin-boundary.json",
     [num("radioembolization.activityGBq", 2.6562, abs_=0.001), eq("radioembolization.bindingConstraint", "wholeNormalLiverDose")], exitCode=3)

# ---------------- multi-territory (own, closed form) ----------------
terr = [("right", 800, [("T1", 200, 4.0), ("T2", 50, 2.0)]), ("left", 500, [("T3", 100, 3.0)])]
limits = {"lungDose": 30, "cumulativeLungDose": 50, "wholeNormalLiverDose": 90, "territoryNormalLiverDose": 120}
dmax, q, dstar, acts, coef = optimum("y90-glass", terr, 1300, 8, 1000, limits, 0, 205)
obj = {"description": "Two territories (right lobe with two tumours, left lobe with one) sharing the lungs and the whole normal liver; glass, HCC default target 205 Gy.",
       "patient": patient("MULTI-01", bili=0.9),
       "anatomy": {"lungShuntPercent": 8, "lungMassG": 1000, "wholeNormalLiverMassG": 1300,
                   "territories": [{"name": n, "normalLiverMassG": m, "tumors": [{"name": a, "massG": b, "tnRatio": c} for a, b, c in ts]} for n, m, ts in terr]},
       "treatment": {"modality": "y90-glass"}}
write("multi-01-glass-two-territories.json", obj)
# right: Rmin 2 → NL dose D/2; T1 4·D/2; left: Rmin 3 → NL D/3.
exp = [num("radioembolization.maximumCommonTumorDoseGy", dmax, rel=1e-6), num("radioembolization.territories[0].activityGBq", acts[0], rel=1e-6),
       num("radioembolization.territories[1].activityGBq", acts[1], rel=1e-6), num("radioembolization.activityGBq", sum(acts), rel=1e-6),
       num("radioembolization.territories[0].tumorDosesGy.T1", 4 * dstar / 2, rel=1e-6), num("radioembolization.territories[0].tumorDosesGy.T2", dstar, rel=1e-6),
       num("radioembolization.territories[1].tumorDosesGy.T3", dstar, rel=1e-6),
       num("radioembolization.wholeNormalLiverDoseGy", dstar * coef["wholeNormalLiverDose"], rel=1e-6),
       num("radioembolization.lungDoseGy", dstar * coef["lungDose"], rel=1e-6)]
exp.append(eq("radioembolization.bindingConstraint", "tumorTarget" if dmax > 205 else binding_name(q, "y90-glass", 0.9)))
exp.append(eq("status", "ok" if dmax >= 205 else "infeasible"))
case("MULTI-01", "closed form (this script): D_max = min_k L_k / c_k; A_i = D·(ΣR·M + M_NL)_i / (K(1−LSF)·min R_i); multi-compartment partition (MIRDy90)", "analytic",
     "multi-01-glass-two-territories.json", exp, exitCode=0 if dmax >= 205 else 3,
     note="D_max = %.4f Gy (binding %s), D* = %.4f Gy" % (dmax, q, dstar))

# Two territories, higher LSF: the lung binds across both injections.
terr2 = [("right", 900, [("T1", 250, 3.0)]), ("left", 450, [("T2", 120, 2.5)])]
limits2 = {"lungDose": 30, "cumulativeLungDose": 50, "wholeNormalLiverDose": 90, "territoryNormalLiverDose": 120}
dmax2, q2, dstar2, acts2, coef2 = optimum("y90-glass", terr2, 1350, 16, 1000, limits2, 0, 205)
obj = {"description": "Two territories with a 16 % lung shunt: the shared lung limit binds across both injections.",
       "patient": patient("MULTI-02", bili=0.9),
       "anatomy": {"lungShuntPercent": 16, "lungMassG": 1000, "wholeNormalLiverMassG": 1350,
                   "territories": [{"name": n, "normalLiverMassG": m, "tumors": [{"name": a, "massG": b, "tnRatio": c} for a, b, c in ts]} for n, m, ts in terr2]},
       "treatment": {"modality": "y90-glass", "tumorTargetGy": 205}}
write("multi-02-glass-lung-binds.json", obj)
case("MULTI-02", "closed form (this script), shared lung", "analytic", "multi-02-glass-lung-binds.json",
     [num("radioembolization.maximumCommonTumorDoseGy", dmax2, rel=1e-6), num("radioembolization.activityGBq", sum(acts2), rel=1e-6),
      num("radioembolization.lungDoseGy", 30.0 if q2 == "lungDose" else dstar2 * coef2["lungDose"], rel=1e-6),
      eq("radioembolization.bindingConstraint", binding_name(q2, "y90-glass", 0.9)), eq("status", "ok" if dmax2 >= 205 else "infeasible")],
     exitCode=0 if dmax2 >= 205 else 3, note="D_max = %.4f Gy, binding %s" % (dmax2, q2))

# ---------------- glass vial and time in a window ----------------
# The scheduling rule, implemented here from its description in README ("Calendar scheduling"): the
# allowed instants are the requested window ∩ the product's usable time after calibration ∩ the
# working hours (local time of the earliest treatment time's offset), on a 5-minute grid. For each vial,
# smallest first, the instant t* at which the whole vial holds the need; the allowed grid instants just
# after and just before t*; the one closest to the need that delivers at most need·min(1+tol, s_max/s*);
# the first vial within tol of the need wins, else the one delivering the most.
from datetime import datetime, timedelta, timezone
def iso(t): return datetime.fromisoformat(t)
def schedule(need, cal, e, l, offset_h, usable=(0, 288), hours=(7 * 60 + 30, 17 * 60), vials=VIALS, keep=1 - 0.0061,
             tol=0.02, upper=1.02, half=64.1):
    lo = max(e, cal + timedelta(hours=usable[0])); hi = min(l, cal + timedelta(hours=usable[1]))
    tz = timezone(timedelta(hours=offset_h))
    intervals = []
    d = lo.astimezone(tz).date()
    while d <= hi.astimezone(tz).date():
        midnight = datetime(d.year, d.month, d.day, tzinfo=tz)
        s_, e_ = max(lo, midnight + timedelta(minutes=hours[0])), min(hi, midnight + timedelta(minutes=hours[1]))
        if s_ <= e_: intervals.append((s_, e_))
        d += timedelta(days=1)
    def first(t):
        for s_, e_ in intervals:
            if t <= e_:
                g = math.ceil(max(t, s_).timestamp() / 300) * 300
                return min(datetime.fromtimestamp(g, tz), e_)
    def last(t):
        for s_, e_ in reversed(intervals):
            if t >= s_:
                g = math.floor(min(t, e_).timestamp() / 300) * 300
                return max(datetime.fromtimestamp(g, tz), s_)
    deliv = lambda v, t: v * 2 ** (-(t - cal).total_seconds() / 3600 / half) * keep
    best = None
    for v in vials:
        ts = cal + timedelta(hours=half * math.log2(v * keep / need))
        cands = [(x, deliv(v, x)) for x in (first(ts), last(ts)) if x is not None]
        cands = [c for c in cands if c[1] <= need * upper * (1 + 1e-12)]
        if not cands: continue
        x, dl = min(cands, key=lambda c: abs(c[1] - need))
        if dl >= need * (1 - tol) * (1 - 1e-12): return v, x, dl, True
        if best is None or dl > best[2]: best = (v, x, dl, False)
    return best
def hours_after(cal, t): return (t - cal).total_seconds() / 3600
def local(t, offset_h):
    # The readable form dosecalc prints: "Fri 4 Dec 2026, 07:30 (UTC−05:00)".
    x = t.astimezone(timezone(timedelta(hours=offset_h)))
    sign = "−" if offset_h < 0 else "+"
    zone = "UTC" if offset_h == 0 else "UTC%s%02d:%02d" % (sign, abs(int(offset_h)), round(abs(offset_h) % 1 * 60))
    return "%s %d %s %d, %02d:%02d (%s)" % (x.strftime("%a"), x.day, x.strftime("%b"), x.year, x.hour, x.minute, zone)

terr3 = [("right", 900, [("T1", 150, 4.0)])]
limits3 = {"lungDose": 30, "cumulativeLungDose": 50, "wholeNormalLiverDose": 90, "territoryNormalLiverDose": 120}
dmax3, q3, dstar3, acts3, _ = optimum("y90-glass", terr3, 1400, 6, 1000, limits3, 0, 205)
need = acts3[0]; keep = 1 - 0.61 / 100
upper3 = min(1.02, dmax3 / dstar3)
CAL = "2026-11-29T12:00:00-05:00"   # Sunday 12:00 ET, the classic TheraSphere calibration [R]
E1, L1 = "2026-11-30T07:30:00-05:00", "2026-12-04T17:00:00-05:00"
chosen = schedule(need, iso(CAL), iso(E1), iso(L1), -5, upper=upper3)
assert chosen[3], chosen
obj = {"description": "Glass vial and treatment time: calibration Sunday 12:00 ET; the treatment window is Monday 07:30 to Friday 17:00 inside the default treatment hours 07:30-17:00. The smallest vial whose whole activity is within 2 % of the prescription at an allowed time on the 5-minute grid is chosen, with that time.",
       "patient": patient("VIAL-GLASS-01", bili=0.9),
       "anatomy": {"lungShuntPercent": 6, "lungMassG": 1000, "wholeNormalLiverMassG": 1400,
                   "territories": [{"name": "right", "normalLiverMassG": 900, "tumors": [{"name": "T1", "massG": 150, "tnRatio": 4.0}]}]},
       "treatment": {"modality": "y90-glass", "calibrationTime": CAL, "earliestTreatmentTime": E1, "latestTreatmentTime": L1}}
write("vial-glass-01-window.json", obj)
case("VIAL-GLASS-01", "scheduling rule implemented in this script (README, Calendar scheduling); vial sizes from the TheraSphere insert [V]", "computed",
     "vial-glass-01-window.json",
     [num("radioembolization.territories[0].prescribedActivityGBq", need, rel=1e-6), num("radioembolization.vialSizeGBq", chosen[0], abs_=0),
      num("radioembolization.hoursAfterCalibration", hours_after(iso(CAL), chosen[1]), abs_=1e-6),
      eq("radioembolization.treatmentTimeLocal", local(chosen[1], -5)),
      num("radioembolization.activityGBq", chosen[2], rel=1e-9), num("radioembolization.orders[0].vialActivityAtCalibrationGBq", chosen[0], abs_=0),
      eq("radioembolization.orders[0].administrationTimeLocal", local(chosen[1], -5)),
      eq("radioembolization.tumorTargetReached", True), eq("status", "ok")],
     note="prescription %.4f GBq; vial %d GBq at %s (%.3f h after calibration), delivering %.4f GBq" % (need, chosen[0], local(chosen[1], -5), hours_after(iso(CAL), chosen[1]), chosen[2]))

# Same patient, custom vial sizes given (e.g. a custom dose-size order): 1.8 and 2.5 GBq.
chosen2 = schedule(need, iso(CAL), iso(E1), iso(L1), -5, vials=[1.8, 2.5], upper=upper3)
obj2 = json.loads(json.dumps(obj))
obj2["description"] = "As VIAL-GLASS-01 with the vial sizes given in the input (1.8 and 2.5 GBq)."
obj2["patient"]["id"] = "VIAL-GLASS-02"
obj2["treatment"]["vialSizesGBq"] = [2.5, 1.8]
write("vial-glass-02-custom-sizes.json", obj2)
case("VIAL-GLASS-02", "scheduling rule implemented in this script, with the given vial sizes", "computed", "vial-glass-02-custom-sizes.json",
     [num("radioembolization.vialSizeGBq", chosen2[0], abs_=0), num("radioembolization.hoursAfterCalibration", hours_after(iso(CAL), chosen2[1]), abs_=1e-6),
      num("radioembolization.activityGBq", chosen2[2], rel=1e-9), eq("status", "ok" if chosen2[3] else "infeasible")],
     exitCode=0 if chosen2[3] else 3, note="vial %.1f GBq at %s" % (chosen2[0], local(chosen2[1], -5)))

# The old window, Monday 02:00 to Thursday 02:00: the only vial that fits decays to the prescription in the
# night, so no treatment-hours time is within the tolerance: infeasible, and no order.
E3, L3 = "2026-11-30T02:00:00-05:00", "2026-12-03T02:00:00-05:00"
chosen3 = schedule(need, iso(CAL), iso(E3), iso(L3), -5, upper=upper3)
assert not chosen3[3], chosen3
obj3 = json.loads(json.dumps(obj))
obj3["description"] = "Glass, window Monday 02:00 to Thursday 02:00: the only vial that fits decays to the prescription at night, outside the treatment hours; the plan is infeasible and no order is given."
obj3["patient"]["id"] = "VIAL-GLASS-03"
obj3["treatment"]["earliestTreatmentTime"] = E3; obj3["treatment"]["latestTreatmentTime"] = L3
write("vial-glass-03-night-only.json", obj3)
case("VIAL-GLASS-03", "scheduling rule implemented in this script: no allowed time within 2 % of the prescription", "computed", "vial-glass-03-night-only.json",
     [eq("status", "infeasible"), num("radioembolization.notAnOrder[0].vialActivityAtCalibrationGBq", chosen3[0], abs_=0),
      num("radioembolization.activityGBq", chosen3[2], rel=1e-9), eq("radioembolization.tumorTargetReached", False)],
     exitCode=3, note="best: vial %d GBq at %s delivers %.4f of %.4f GBq" % (chosen3[0], local(chosen3[1], -5), chosen3[2], need))

# Two territories, each with its own vial and time.
# The left tumour's mass is the first of a few for which both vials fall inside the treatment hours, so
# that the example shows a complete two-vial order (the night-only outcome is VIAL-GLASS-03).
for left_mass in [100, 90, 110, 80, 120, 70, 130]:
    terr6 = [("right", 800, [("T1", 200, 4.0), ("T2", 50, 2.0)]), ("left", 500, [("T3", left_mass, 3.0)])]
    dmax6, q6, dstar6, acts6, _ = optimum("y90-glass", terr6, 1300, 8, 1000, {"lungDose": 30, "cumulativeLungDose": 50, "wholeNormalLiverDose": 90, "territoryNormalLiverDose": 120}, 0, 205)
    up6 = min(1.02, dmax6 / dstar6)
    s6 = [schedule(a, iso(CAL), iso(E1), iso(L1), -5, upper=up6) for a in acts6]
    if all(x[3] for x in s6): break
assert all(x[3] for x in s6)
obj6 = {"description": "Two glass territories with a calibration time and a window: each territory gets its own vial and time (one order line per vial).",
        "patient": patient("MULTI-03", bili=0.9),
        "anatomy": {"lungShuntPercent": 8, "lungMassG": 1000, "wholeNormalLiverMassG": 1300,
                    "territories": [{"name": n, "normalLiverMassG": m, "tumors": [{"name": a, "massG": b, "tnRatio": c} for a, b, c in ts]} for n, m, ts in terr6]},
        "treatment": {"modality": "y90-glass", "calibrationTime": CAL, "earliestTreatmentTime": E1, "latestTreatmentTime": L1}}
write("multi-03-glass-two-vials.json", obj6)
exp6 = [eq("status", "ok" if all(x[3] for x in s6) else "infeasible")]
for i, x in enumerate(s6):
    exp6 += [num("radioembolization.territories[%d].vialSizeGBq" % i, x[0], abs_=0), num("radioembolization.territories[%d].activityGBq" % i, x[2], rel=1e-9),
             eq("radioembolization.territories[%d].treatmentTimeLocal" % i, local(x[1], -5)),
             num("radioembolization.orders[%d].vialActivityAtCalibrationGBq" % i, x[0], abs_=0), eq("radioembolization.orders[%d].draws[0].territory" % i, terr6[i][0])]
case("MULTI-03", "closed form and scheduling rule (this script): one vial and time per territory", "computed", "multi-03-glass-two-vials.json", exp6,
     exitCode=0 if all(x[3] for x in s6) else 3, note="; ".join("%s: %d GBq at %s" % (terr6[i][0], x[0], local(x[1], -5)) for i, x in enumerate(s6)))

# Treatment hours given: resin, the first allowed time inside 08:00-12:00 local (+01:00).
terr7 = [("whole liver", 1300, [("T1", 200, 3.0)])]
dmax7, q7, dstar7, acts7, _ = optimum("y90-resin", terr7, 1300, 10, 1000, {"lungDose": 30, "cumulativeLungDose": 50, "territoryNormalLiverDose": 40}, 0, 120)
cal7, e7 = iso("2026-11-30T06:00:00+01:00"), iso("2026-11-30T06:40:00+01:00")
t7 = iso("2026-11-30T08:00:00+01:00")
frac7 = acts7[0] / (1 - 3.01 / 100) / (3 * 2 ** (-hours_after(cal7, t7) / 64.1))
obj7 = {"description": "Resin with treatment hours 08:00-12:00 and a window from 06:40 to 18:00: the earliest allowed time is 08:00, and the draw is for then.",
        "patient": patient("HOURS-01", bili=0.8),
        "anatomy": {"lungShuntPercent": 10, "lungMassG": 1000, "wholeNormalLiverMassG": 1300,
                    "territories": [{"name": "whole liver", "normalLiverMassG": 1300, "tumors": [{"name": "T1", "massG": 200, "tnRatio": 3.0}]}]},
        "treatment": {"modality": "y90-resin", "calibrationTime": "2026-11-30T06:00:00+01:00", "earliestTreatmentTime": "2026-11-30T06:40:00+01:00",
                      "latestTreatmentTime": "2026-11-30T18:00:00+01:00", "treatmentHours": "08:00-12:00"}}
write("hours-01-resin-working-hours.json", obj7)
case("HOURS-01", "hand: first allowed time 08:00 local; fraction = A/(1−0.0301)/(3·2^(−2/64.1))", "computed", "hours-01-resin-working-hours.json",
     [eq("radioembolization.treatmentTimeLocal", local(t7, 1)), num("radioembolization.hoursAfterCalibration", 2.0, abs_=1e-9),
      num("radioembolization.territories[0].vialFraction", frac7, rel=1e-9), eq("radioembolization.treatmentHours", "08:00-12:00"), eq("status", "ok")],
     note="fraction %.5f at 08:00" % frac7)

# ---------------- intents ----------------
# Radiation segmentectomy: 400 Gy to a 60 mL segment (61.8 g at 1.03 g/mL: 40 g normal liver + 21.8 g tumour).
def ablative_obj(pid, intent, perfused=None, desc=""):
    ter = {"name": "segment 8", "intent": intent, "normalLiverMassG": 40, "tumors": [{"name": "T1", "massG": 21.8, "tnRatio": 3.0}]}
    if perfused is not None: ter["perfusedDoseTargetGy"] = perfused
    return {"description": desc, "patient": patient(pid, bili=0.9),
            "anatomy": {"lungShuntPercent": 5, "lungMassG": 1000, "wholeNormalLiverMassG": 1400, "territories": [ter]},
            "treatment": {"modality": "y90-glass"}}
A_abl = 400 * 0.0618 / (50 * 0.95)
nl_abl = 50 * A_abl * 0.95 / (3 * 0.0218 + 0.040)
write("abl-01-glass-segmentectomy.json", ablative_obj("ABL-01", "ablative", desc="Radiation segmentectomy with glass: 400 Gy to a 60 mL segment (EANM 2022 Table 2 default for the ablative intent). The perfused normal-liver limit of a lobar treatment does not apply; lung, whole normal liver and hepatic reserve do."))
case("ABL-01", "MIRD perfused dose A = D·M/(K(1−LSF)) (EANM 2022 Table 2 segmentectomy > 400 Gy); partition doses by hand", "computed", "abl-01-glass-segmentectomy.json",
     [num("radioembolization.activityGBq", A_abl, rel=1e-9), num("radioembolization.territories[0].perfusedDoseGy", 400, rel=1e-9),
      num("radioembolization.territories[0].normalLiverDoseGy", nl_abl, rel=1e-9), num("radioembolization.lungDoseGy", 50 * A_abl * 0.05, rel=1e-9),
      num("radioembolization.wholeNormalLiverDoseGy", nl_abl * 0.040 / 1.4, rel=1e-9), num("radioembolization.hepaticReservePercent", 100 * 1360 / 1400, rel=1e-9),
      eq("checks[name=hepaticReserve].state", "passed"), eq("radioembolization.bindingConstraint", "doseTarget"), eq("status", "ok")],
     note="A = %.5f GBq; segment normal liver %.1f Gy (a lobar 120 Gy limit would block it)" % (A_abl, nl_abl))
write("abl-02-glass-segmental-keeps-limit.json", ablative_obj("ABL-02", "segmental", perfused=400, desc="The same segment with segmental (not ablative) intent and a 400 Gy perfused prescription: the perfused normal-liver limit (120 Gy) applies and binds, so the target is out of reach."))
s_abl = 120 / nl_abl
case("ABL-02", "hand: s_max = 120 Gy / segment normal-liver dose at 400 Gy", "computed", "abl-02-glass-segmental-keeps-limit.json",
     [num("radioembolization.fractionOfTargetAllowed", s_abl, rel=1e-9), num("radioembolization.activityGBq", s_abl * A_abl, rel=1e-9),
      eq("radioembolization.bindingConstraint", "perfusedNormalLiverDose"), eq("status", "infeasible")], exitCode=3,
     note="s_max = %.5f" % s_abl)
obj8 = {"description": "Radiation lobectomy of a right lobe holding most of the liver: the normal liver left outside the ablative territory is 23 %, below the 30 % hepatic reserve (EANM 2022): contraindicated.",
        "patient": patient("ABL-03", bili=0.9),
        "anatomy": {"lungShuntPercent": 5, "lungMassG": 1000, "wholeNormalLiverMassG": 1300,
                    "territories": [{"name": "right lobe", "intent": "ablative", "perfusedDoseTargetGy": 150, "normalLiverMassG": 1000,
                                     "tumors": [{"name": "T1", "massG": 150, "tnRatio": 3.0}]}]},
        "treatment": {"modality": "y90-glass"}}
write("abl-03-glass-lobectomy-reserve.json", obj8)
case("ABL-03", "hand: reserve = (1300 − 1000)/1300", "computed", "abl-03-glass-lobectomy-reserve.json",
     [num("radioembolization.hepaticReservePercent", 100 * 300 / 1300, rel=1e-9), eq("checks[name=hepaticReserve].state", "failed"), eq("status", "contraindicated")],
     exitCode=3)
obj9 = ablative_obj("ABL-04", "lobar", perfused=400, desc="A perfused-dose prescription on a lobar territory is refused: it is allowed for segmental and ablative intents.")
write("bad-perfused-target-on-lobar.json", obj9)
case("BAD-PERFUSED-LOBAR", "input rule: MIRD perfused prescription only for segmental and ablative intents", "input", "bad-perfused-target-on-lobar.json", None,
     exitCode=2, stderrContains="anatomy.territories[0].perfusedDoseTargetGy")

# A territory excluded on purpose receives no activity and says so.
obj10 = {"description": "Two territories, the left excluded from this session on purpose: it receives no activity and the plan says so; the right lobe is planned alone.",
         "patient": patient("EXCL-01", bili=0.9),
         "anatomy": {"lungShuntPercent": 8, "lungMassG": 1000, "wholeNormalLiverMassG": 1300,
                     "territories": [{"name": "right", "normalLiverMassG": 800, "tumors": [{"name": "T1", "massG": 200, "tnRatio": 4.0}]},
                                     {"name": "left", "normalLiverMassG": 500, "excluded": True, "tumors": [{"name": "T3", "massG": 100, "tnRatio": 3.0}]}]},
         "treatment": {"modality": "y90-glass"}}
write("excl-01-territory-excluded.json", obj10)
dmax10, q10, dstar10, acts10, coef10 = optimum("y90-glass", [("right", 800, [("T1", 200, 4.0)])], 1300, 8, 1000,
                                              {"lungDose": 30, "cumulativeLungDose": 50, "wholeNormalLiverDose": 90, "territoryNormalLiverDose": 120}, 0, 205)
case("EXCL-01", "closed form (this script) for the treated territory alone", "computed", "excl-01-territory-excluded.json",
     [num("radioembolization.territories[0].activityGBq", acts10[0], rel=1e-9), num("radioembolization.territories[1].activityGBq", 0, abs_=0),
      eq("radioembolization.territories[1].prescription", "excluded"), num("radioembolization.activityGBq", acts10[0], rel=1e-9),
      eq("status", "ok" if dmax10 >= 205 * 0.98 else "infeasible")], exitCode=0 if dmax10 >= 205 * 0.98 else 3)

# ---------------- resin: fraction of the 3 GBq vial ----------------
terr4 = [("whole liver", 1300, [("T1", 200, 3.0)])]
dmax4, q4, dstar4, acts4, _ = optimum("y90-resin", terr4, 1300, 10, 1000, {"lungDose": 30, "cumulativeLungDose": 50, "territoryNormalLiverDose": 40}, 0, 120)
hh = 18.0
frac = acts4[0] / (1 - 3.01 / 100) / (3 * 2 ** (-hh / 64.1))
obj = {"description": "Resin: the fraction of the 3 GBq SIR-Spheres vial to draw, 18 h after calibration (inside the 24 h the vial may be used), with the median resin residual 3.01 %.",
       "patient": patient("VIAL-RESIN-01", bili=0.8),
       "anatomy": {"lungShuntPercent": 10, "lungMassG": 1000, "wholeNormalLiverMassG": 1300,
                   "territories": [{"name": "whole liver", "normalLiverMassG": 1300, "tumors": [{"name": "T1", "massG": 200, "tnRatio": 3.0}]}]},
       "treatment": {"modality": "y90-resin", "calibrationTime": "2026-11-29T18:00:00Z", "earliestTreatmentTime": "2026-11-30T12:00:00Z"}}
write("vial-resin-01-fraction.json", obj)
case("VIAL-RESIN-01", "hand: fraction = A/(1−0.0301)/(3·2^(−18/64.1))", "computed", "vial-resin-01-fraction.json",
     [num("radioembolization.activityGBq", acts4[0], rel=1e-6), num("radioembolization.territories[0].vialFraction", frac, rel=1e-6)],
     note="A = %.4f GBq, fraction %.4f" % (acts4[0], frac))

# ---------------- Ho-166: HCC has no target → largest activity; order for the treatment time ----------------
terr5 = [("right", 1000, [("T1", 180, 3.5)])]
dmax5, q5, dstar5, acts5, coef5 = optimum("ho166", terr5, 1500, 5, 1000, {"lungDose": 30, "cumulativeLungDose": 50, "wholeNormalLiverDose": 60}, 0, None)
hh5 = 20.0
order_cal = acts5[0] * 2 ** (hh5 / 26.8)
obj = {"description": "Ho-166, HCC (no tumour threshold in EANM 2022 Table 4): the largest activity that keeps the whole normal liver below 60 Gy (unilobar); the activity to order at calibration for a treatment 20 h later.",
       "patient": patient("HO-PLAN-01", bili=0.7),
       "anatomy": {"lungShuntPercent": 5, "lungMassG": 1000, "wholeNormalLiverMassG": 1500,
                   "territories": [{"name": "right", "normalLiverMassG": 1000, "tumors": [{"name": "T1", "massG": 180, "tnRatio": 3.5}]}]},
       "treatment": {"modality": "ho166", "residualPercent": 0, "calibrationTime": "2026-12-01T12:00:00+01:00", "earliestTreatmentTime": "2026-12-02T08:00:00+01:00"}}
write("ho166-01-no-target.json", obj)
case("HO-PLAN-01", "EANM 2022 Table 4 (whole NL < 60 Gy unilobar; no HCC target); closed form (this script)", "published-rule", "ho166-01-no-target.json",
     [num("radioembolization.activityGBq", acts5[0], rel=1e-6), num("radioembolization.wholeNormalLiverDoseGy", 60.0, rel=1e-6),
      eq("radioembolization.bindingConstraint", "wholeNormalLiverDose"), num("radioembolization.orderActivityAtCalibrationGBq", order_cal, rel=1e-6),
      eq("status", "ok")], note="A = %.4f GBq" % acts5[0])

# ---------------- contraindications ----------------
obj = {"description": "Resin with a 25 % lung shunt: SIR-Spheres contraindicated (> 20 %).",
       "patient": patient("CONTRA-RESIN-LSF"),
       "anatomy": {"lungShuntPercent": 25, "lungMassG": 1000, "wholeNormalLiverMassG": 1300,
                   "territories": [{"name": "whole liver", "normalLiverMassG": 1300, "tumors": [{"name": "T1", "massG": 200, "tnRatio": 3.0}]}]},
       "treatment": {"modality": "y90-resin"}}
write("contra-resin-lsf-25.json", obj)
case("CONTRA-RESIN-LSF", "SIR-Spheres IFU: lung shunt > 20 % contraindicated [R]", "safety", "contra-resin-lsf-25.json",
     [eq("status", "contraindicated"), eq("checks[name=lungShunt].passed", False)], exitCode=3)
obj = {"description": "Prior lung dose 50 Gy: no further radioembolization activity is allowed.",
       "patient": patient("CONTRA-LUNG-50", prior=[{"kind": "y90-resin", "date": "2025-10-01", "lungDoseGy": 28}, {"kind": "y90-glass", "date": "2026-04-01", "lungDoseGy": 22}]),
       "anatomy": {"lungShuntPercent": 12, "lungMassG": 1000, "wholeNormalLiverMassG": 1300,
                   "territories": [{"name": "whole liver", "normalLiverMassG": 1300, "tumors": [{"name": "T1", "massG": 200, "tnRatio": 3.0}]}]},
       "treatment": {"modality": "y90-glass"}}
write("contra-prior-lung-50.json", obj)
case("CONTRA-LUNG-50", "cumulative lung dose 50 Gy already reached (28 + 22 Gy)", "safety", "contra-prior-lung-50.json",
     [eq("status", "contraindicated"), num("radioembolization.activityGBq", 0, abs_=0), eq("radioembolization.bindingConstraint", "cumulativeLungDose"),
      num("assessment.priorLungDoseGy", 50, abs_=1e-9)], exitCode=3)

# ---------------- assessment: ALBI and Child–Pugh through the planner ----------------
def assess_case(id, src, labs, expect, histology="HCC"):
    obj = {"description": "Assessment reference " + id,
           "patient": patient(id, labs=labs, histology=histology),
           "anatomy": {"lungShuntPercent": 5, "lungMassG": 1000, "wholeNormalLiverMassG": 1300,
                       "territories": [{"name": "whole liver", "normalLiverMassG": 1300, "tumors": [{"name": "T1", "massG": 200, "tnRatio": 3.0}]}]},
           "treatment": {"modality": "y90-glass", "tumorTargetGy": 100}}
    f = "assess-" + id.lower() + ".json"
    write(f, obj)
    c = {"id": id, "source": src, "kind": "published" if id == "ALBI-01" else "computed",
         "args": ["plan", "--input", PATIENTS + f, "--json"], "expect": expect}
    c["exitCode"] = 0   # 100 Gy at T/N 3 keeps every normal-liver limit; a soft advisory may warn (exit 0)
    cases.append(c)
assess_case("ALBI-01", "public ALBI calculator worked example (albumin 3.5 g/dL, bilirubin 1.2 mg/dL): −2.109, grade 2 (one page wrongly shows −2.35); Johnson JCO 2015",
            {"bilirubinMgPerDl": 1.2, "albuminGPerDl": 3.5, "inr": 1.1, "ascites": "none", "encephalopathy": "none"},
            [num("assessment.albiScore", -2.109, abs_=0.005), num("assessment.albiGrade", 2, abs_=0)])
assess_case("ALBI-02", "Johnson JCO 2015 formula; " + SRC, {"bilirubinUmolPerL": 8.0, "albuminGPerL": 45.0, "inr": 1.0, "ascites": "none", "encephalopathy": "none"},
            [num("assessment.albiScore", -3.229, abs_=0.005), num("assessment.albiGrade", 1, abs_=0)])
assess_case("ALBI-03", "Johnson JCO 2015 formula; " + SRC, {"bilirubinUmolPerL": 34.0, "albuminGPerL": 28.0, "inr": 1.2, "ascites": "none", "encephalopathy": "none"},
            [num("assessment.albiScore", -1.369, abs_=0.005), num("assessment.albiGrade", 3, abs_=0)])
assess_case("CP-01", "standard Child–Pugh table; " + SRC, {"bilirubinMgPerDl": 2.5, "albuminGPerDl": 3.0, "inr": 1.5, "ascites": "mild", "encephalopathy": "none"},
            [num("assessment.childPughScore", 8, abs_=0), eq("assessment.childPughClass", "B")])
assess_case("CP-02", "standard Child–Pugh table; " + SRC, {"bilirubinMgPerDl": 1.0, "albuminGPerDl": 4.0, "inr": 1.1, "ascites": "none", "encephalopathy": "none"},
            [num("assessment.childPughScore", 5, abs_=0), eq("assessment.childPughClass", "A")])


# ---------------- DEB-TACE planning ----------------
DEBSRC = "the independent scipy implementation of DEB-IX-3C (Benchmarks/scipy_peer.py, BDF rtol 1e-10; values written by reference-data/tools/make_deb_cases.py to reference-data/cases/deb.json)"
# The peer's values for the planned treatments, read from the DEB cases (run make_deb_cases.py first).
_DEB_CASES = {c["id"]: c for c in json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cases", "deb.json")))["cases"]}
def deb_value(case_id, path):
    return next(e["value"] for e in _DEB_CASES[case_id]["expect"] if e["path"] == path)
def deb_patient(pid, bili=0.9, prior_mg=None, chest=False, h=170, w=72):
    p = patient(pid, bili=bili, alb=3.8, histology="HCC", cirrhosis=True, h=h, w=w)
    if prior_mg: p["priorTreatments"] = [{"kind": "deb-tace", "date": "2025-09-01", "doxorubicinMg": prior_mg}]
    p["priorChestIrradiation"] = bool(chest)
    return p
def dubois(h, w): return 0.007184 * w ** 0.425 * h ** 0.725

obj = {"description": "DEB-TACE, DC Bead 100–300 or 300–500 µm, normal bilirubin: the 150 mg session cap binds; the faster-eluting 100–300 µm beads at 37.5 mg/mL (4 mL) give the most 28-day tissue exposure.",
       "patient": deb_patient("DEB-01"), "treatment": {"modality": "deb", "product": "dc-bead", "sizes": ["100-300", "300-500"], "targetDoxorubicinMg": 150}}
write("deb-01-hcc-dc-bead.json", obj)
case("DEB-01", "session cap 150 mg (Poon 2007; Varela 2007); dose = min(150, 4 mL × 37.5 mg/mL) = 150 mg by hand; peak and exposure from " + DEBSRC + " case deb-computed-DC100-300_150mg_37.5", "computed",
     "deb-01-hcc-dc-bead.json",
     [num("chemoembolization.doxorubicinMg", 150, rel=1e-9), eq("chemoembolization.size", "100-300"), num("chemoembolization.loadingMgPerMl", 37.5, rel=1e-9),
      num("chemoembolization.beadVolumeMl", 4.0, rel=1e-9), num("chemoembolization.plasmaPeakNgPerMl", deb_value("deb-computed-DC100-300_150mg_37.5", "plasmaPeakNgPerMl"), rel=1e-6),
      num("chemoembolization.tissueAucUgHPerMl", deb_value("deb-computed-DC100-300_150mg_37.5", "tissueAuc0to28dUgHPerMl"), rel=1e-6), eq("chemoembolization.bindingConstraint", "sessionDose"), eq("status", "ok")])

obj = {"description": "DEB-TACE with bilirubin 2.0 mg/dL: the doxorubicin dose is halved (label: 1.2–3.0 mg/dL → 50 %), so 75 mg; loading 25 mg/mL as given → 3 mL of 100–300 µm DC Bead.",
       "patient": deb_patient("DEB-02", bili=2.0), "treatment": {"modality": "deb", "product": "dc-bead", "sizes": ["100-300"], "loadingsMgPerMl": [25]}}
write("deb-02-bilirubin-halved.json", obj)
case("DEB-02", "doxorubicin label bilirubin 1.2–3.0 mg/dL → 50 % (GLOWM monograph); 150 × 0.5 = 75 mg, 75/25 = 3 mL by hand; peak and exposure from " + DEBSRC + " case deb-computed-DC100-300_75mg_25", "computed",
     "deb-02-bilirubin-halved.json",
     [num("chemoembolization.doxorubicinMg", 75, rel=1e-9), num("chemoembolization.beadVolumeMl", 3.0, rel=1e-9), num("chemoembolization.doseCapMg", 75, rel=1e-9),
      num("chemoembolization.plasmaPeakNgPerMl", deb_value("deb-computed-DC100-300_75mg_25", "plasmaPeakNgPerMl"), rel=1e-6),
      num("chemoembolization.tissueAucUgHPerMl", deb_value("deb-computed-DC100-300_75mg_25", "tissueAuc0to28dUgHPerMl"), rel=1e-6),
      eq("chemoembolization.bindingConstraint", "sessionDose"), num("checks[name=sessionDose].limit", 75, abs_=0)],
     exitCode=0)

obj = {"description": "DEB-TACE with a plasma-peak limit of 50 ng/mL (configurable; default 160): 150 mg of 300–500 µm beads at 37.5 mg/mL would peak near 56 ng/mL, so the dose is reduced until the peak equals the limit.",
       "patient": deb_patient("DEB-03"), "treatment": {"modality": "deb", "product": "dc-bead", "sizes": ["300-500"], "loadingsMgPerMl": [37.5], "plasmaPeakLimitNgPerMl": 50}}
write("deb-03-plasma-peak-binds.json", obj)
case("DEB-03", "150 mg of 300–500 µm at 37.5 mg/mL peaks at %.2f ng/mL (" % deb_value("deb-computed-DC300-500_150mg_37.5", "plasmaPeakNgPerMl") + DEBSRC + "), above the 50 ng/mL limit given: the planner must land the peak on the limit (the dose scaled to it and accepted from a solve that holds it)", "computed",
     "deb-03-plasma-peak-binds.json",
     [num("chemoembolization.plasmaPeakNgPerMl", 50.0, rel=1e-4), eq("chemoembolization.bindingConstraint", "plasmaPeak"),
      {"path": "chemoembolization.doxorubicinMg", "min": 100, "max": 149}, eq("status", "ok")])

bsa = dubois(170, 72)
rem = 550 * bsa - 900
obj = {"description": "DEB-TACE after 900 mg of earlier doxorubicin: the lifetime 550 mg/m² (DuBois BSA) leaves less than the session cap.",
       "patient": deb_patient("DEB-04", prior_mg=900), "treatment": {"modality": "deb", "product": "dc-bead", "sizes": ["300-500"], "loadingsMgPerMl": [37.5]}}
write("deb-04-lifetime-binds.json", obj)
case("DEB-04", "lifetime 550 mg/m² (GLOWM monograph); hand: 550 × %.4f m² − 900 mg = %.3f mg" % (bsa, rem), "computed", "deb-04-lifetime-binds.json",
     [num("chemoembolization.doxorubicinMg", rem, rel=1e-9), eq("chemoembolization.bindingConstraint", "lifetimeDose"),
      num("checks[name=lifetimeDose].value", 550, rel=1e-9), num("assessment.bsaM2", bsa, rel=1e-9)])

rem2 = 450 * bsa - 700
obj = {"description": "DEB-TACE after chest irradiation and 700 mg of earlier doxorubicin: lifetime limit 450 mg/m².",
       "patient": deb_patient("DEB-05", prior_mg=700, chest=True), "treatment": {"modality": "deb", "product": "dc-bead", "sizes": ["300-500"], "loadingsMgPerMl": [37.5]}}
write("deb-05-chest-irradiation.json", obj)
case("DEB-05", "lifetime 450 mg/m² after chest irradiation (GLOWM monograph); hand: 450 × %.4f − 700 = %.3f mg" % (bsa, rem2), "computed", "deb-05-chest-irradiation.json",
     [num("chemoembolization.doxorubicinMg", rem2, rel=1e-9), eq("chemoembolization.bindingConstraint", "lifetimeDose"),
      num("checks[name=lifetimeDose].limit", 450, abs_=0)])

obj = {"description": "Bilirubin 6 mg/dL: doxorubicin must not be given.",
       "patient": deb_patient("DEB-06", bili=6.0), "treatment": {"modality": "deb", "product": "dc-bead"}}
write("deb-06-bilirubin-contraindicated.json", obj)
case("DEB-06", "doxorubicin label: bilirubin > 5 mg/dL → do not give", "safety", "deb-06-bilirubin-contraindicated.json",
     [eq("status", "contraindicated"), num("chemoembolization.doxorubicinMg", 0, abs_=0)], exitCode=3)

obj = {"description": "Requested 150 mg with a 2 mL bead limit at 37.5 mg/mL: only 75 mg fit, so the request is infeasible and the best plan is shown.",
       "patient": deb_patient("DEB-07"), "treatment": {"modality": "deb", "product": "dc-bead", "sizes": ["300-500"], "loadingsMgPerMl": [37.5], "targetDoxorubicinMg": 150, "maxBeadVolumeMl": 2}}
write("deb-07-volume-infeasible.json", obj)
case("DEB-07", "hand: 2 mL × 37.5 mg/mL = 75 mg < 150 mg requested", "computed", "deb-07-volume-infeasible.json",
     [num("chemoembolization.doxorubicinMg", 75, rel=1e-9), eq("chemoembolization.bindingConstraint", "beadVolume"), eq("status", "infeasible")], exitCode=3)

# ---------------- bad input ----------------
def bad(id, obj, field):
    f = "bad-" + id + ".json"
    write(f, obj)
    cases.append({"id": "PLAN-BAD-" + id, "source": "safety rule: bad input never becomes a number", "kind": "safety",
                  "args": ["plan", "--input", PATIENTS + f], "exitCode": 2, "stderrContains": field})
good = json.load(open(os.path.join(ROOT, "patients", "plan-05-glass-target-reached.json")))
import copy
o = copy.deepcopy(good); o["patient"]["labs"]["bilirubinMgDl"] = 0.8; bad("unknown-key", o, "patient.labs.bilirubinMgDl")
o = copy.deepcopy(good); o["patient"]["labs"]["bilirubinUmolPerL"] = 13.7; bad("two-bilirubin-units", o, "bilirubinUmolPerL")
o = copy.deepcopy(good); del o["patient"]["labs"]["inr"]; bad("missing-inr", o, "patient.labs.inr")
o = copy.deepcopy(good); o["anatomy"]["wholeNormalLiverMassG"] = 1000; bad("territory-exceeds-whole", o, "anatomy.wholeNormalLiverMassG")
o = copy.deepcopy(good); o["anatomy"]["lungShuntPercent"] = 100; bad("lung-shunt-100", o, "anatomy.lungShuntPercent")
o = copy.deepcopy(good); o["anatomy"]["territories"][0]["tumors"][0]["tnRatio"] = -2; bad("negative-tn", o, "tnRatio")
o = copy.deepcopy(good); o["treatment"]["modality"] = "y90-plastic"; bad("unknown-modality", o, "treatment.modality")
o = copy.deepcopy(good); o["treatment"]["calibrationTime"] = "2026-12-01 12:00"; o["treatment"]["earliestTreatmentTime"] = "2026-12-02T08:00:00Z"; bad("time-without-offset", o, "treatment.calibrationTime")
o = copy.deepcopy(good); o["patient"]["heightCm"] = 1.72; bad("height-in-metres", o, "patient.heightCm")
# Closed sets, names and unit slips: each was once accepted and changed the plan silently.
o = copy.deepcopy(good); o["patient"]["histology"] = "colorectal"; bad("histology-not-in-set", o, "patient.histology")
o = copy.deepcopy(good); o["patient"]["priorTreatments"] = [{"kind": "radioembolisation", "date": "2025-01-01"}]; bad("prior-kind-not-in-set", o, "patient.priorTreatments[0].kind")
o = copy.deepcopy(good); o["patient"]["priorTreatments"] = [{"kind": "y90-resin", "date": "2025-02-29"}]; bad("prior-date-not-a-date", o, "patient.priorTreatments[0].date")
o = copy.deepcopy(good); o["patient"]["labs"].pop("bilirubinMgPerDl"); o["patient"]["labs"]["bilirubinUmolPerL"] = 1.4; bad("bilirubin-mg-in-umol-field", o, "bilirubinUmolPerL")
o = copy.deepcopy(good); o["patient"]["labs"].pop("albuminGPerDl"); o["patient"]["labs"]["albuminGPerL"] = 3.9; bad("albumin-gdl-in-gl-field", o, "albuminGPerL")
o = copy.deepcopy(good); o["patient"]["labs"]["albuminGPerDl"] = 39; bad("albumin-gl-in-gdl-field", o, "albuminGPerDl")
o = copy.deepcopy(good); o["anatomy"]["territories"][0]["tumors"].append(dict(o["anatomy"]["territories"][0]["tumors"][0])); bad("duplicate-tumour-name", o, "tumors[1].name")
o = copy.deepcopy(good); o["anatomy"]["territories"][0]["tumors"][0]["name"] = ""; bad("empty-tumour-name", o, "tumors[0].name")
o = copy.deepcopy(good); o["anatomy"]["territories"].append(copy.deepcopy(o["anatomy"]["territories"][0])); o["anatomy"]["wholeNormalLiverMassG"] = 5000; bad("duplicate-territory-name", o, "territories[1].name")
o = copy.deepcopy(good); o["treatment"].pop("calibrationTime", None); o["treatment"]["earliestTreatmentTime"] = "2026-12-02T08:00:00Z"; bad("window-without-calibration", o, "treatment.calibrationTime")
o = copy.deepcopy(good); o["treatment"]["calibrationTime"] = "2026-02-30T12:00:00Z"; o["treatment"]["earliestTreatmentTime"] = "2026-03-02T08:00:00Z"; bad("calibration-not-a-date", o, "treatment.calibrationTime")
o = copy.deepcopy(good); o["treatment"]["calibrationTime"] = "2026-12-01T12:00:00+25:00"; o["treatment"]["earliestTreatmentTime"] = "2026-12-02T08:00:00Z"; bad("offset-out-of-range", o, "treatment.calibrationTime")
o = copy.deepcopy(good); o["anatomy"]["territories"][0]["tumors"] = [{"name": "T%d" % i, "massG": 1, "tnRatio": 3} for i in range(1000)]; bad("too-many-tumours", o, "tumors")
deb = json.load(open(os.path.join(ROOT, "patients", "deb-01-hcc-dc-bead.json")))
o = copy.deepcopy(deb); o["treatment"]["loadingsMgPerMl"] = [10 + i * 0.03 for i in range(1000)]; bad("too-many-loadings", o, "treatment.loadingsMgPerMl")
o = copy.deepcopy(deb); o["treatment"]["sizes"] = ["100-300", "100-300"]; bad("size-twice", o, "treatment.sizes[1]")

# Orders that cannot be delivered: shown with the best plan, status infeasible, exit 3 — never ok.
o = copy.deepcopy(json.load(open(os.path.join(ROOT, "patients", "vial-resin-01-fraction.json"))))
o["treatment"]["calibrationTime"] = "2026-11-27T12:00:00Z"; o["treatment"]["earliestTreatmentTime"] = "2026-11-30T12:00:00Z"
o["description"] = "Resin vial calibrated 72 h before the treatment: outside the 24 h the vial may be used, and the draw exceeds the vial."
write("infeasible-resin-72h.json", o)
case("PLAN-INFEASIBLE-resin-72h", "SIR-Spheres usable within 24 h of calibration (configurable, recalled); one 3 GBq vial", "safety", "infeasible-resin-72h.json",
     [eq("status", "infeasible"), eq("checks[name=usableUntilAfterCalibration].passed", False)], exitCode=3)
o = copy.deepcopy(json.load(open(os.path.join(ROOT, "patients", "ho166-01-no-target.json"))))
o["treatment"]["calibrationTime"] = "2025-12-01T12:00:00+01:00"
o["description"] = "Ho-166 with the calibration time a year before the treatment (a typing error): the order cannot be delivered."
write("infeasible-ho166-year-off.json", o)
case("PLAN-INFEASIBLE-ho166-year-off", "Ho-166 used within 24 h of calibration (configurable); largest order 20 GBq", "safety", "infeasible-ho166-year-off.json",
     [eq("status", "infeasible"), eq("checks[name=activityAvailable].passed", False), eq("checks[name=usableFromCalibration].passed", True),
      eq("checks[name=usableUntilAfterCalibration].passed", False)], exitCode=3)
o = copy.deepcopy(json.load(open(os.path.join(ROOT, "patients", "plan-01-resin-nl-limited.json"))))
del o["patient"]["cirrhosis"]
o["description"] = "PLAN-01 without the cirrhosis fact: a missing fact never reads as 'no cirrhosis'; the most cautious resin limit (30 Gy, pretreated or compromised liver) applies and the plan says so."
write("fact-cirrhosis-not-given.json", o)
case("PLAN-FACT-cirrhosis-not-given", "EANM 2022 Table 3: < 30 Gy for a pretreated or compromised liver; hand: the normal-liver dose lands on 30 Gy", "safety",
     "fact-cirrhosis-not-given.json",
     [num("checks[name=perfusedNormalLiverDose].limit", 30, abs_=0), num("radioembolization.territories[0].normalLiverDoseGy", 30.0, abs_=0.01),
      eq("radioembolization.bindingConstraint", "perfusedNormalLiverDose"), eq("status", "infeasible")], exitCode=3)

out = {"description": "Planner reference cases. Example patients are in reference-data/patients/; file paths in args are relative to the reference-data folder. Expected values: the fact base's PLAN/ALBI/CP cases, or the closed form computed independently by reference-data/tools/make_plan_cases.py.",
       "cases": cases}
with open(os.path.join(ROOT, "cases", "plan.json"), "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False); f.write("\n")
print(len(cases), "cases")
