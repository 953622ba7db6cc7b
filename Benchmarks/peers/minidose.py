#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small Python peer of dosecalc's single-calculation commands, for Benchmarks/run.

y90 (mird, partition), ho166 (standard, partition), lsf, tn-ratio, decay and vial with the same
formulas (Sources/Radioembolization/Dosimetry.swift, Decay.swift), the constants read from
reference-data/products/radioembolization.json and the hard dose limits from
reference-data/constraints/constraint-sets.json on every call (as dosecalc reads them on every
command), results as a JSON object with dosecalc's key names for the numbers.

Not a replacement for dosecalc: no input ranges beyond the obvious, no text output, no sources.

    python3 minidose.py y90 --device glass --method partition --tumor-mass-g 150 \\
        --normal-liver-mass-g 850 --tn-ratio 4 --tumor-dose-gy 205 --lung-shunt 6
"""
import argparse
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE_DATA = os.environ.get("DOSECALC_REFERENCE_DATA") or os.path.join(HERE, "..", "..", "reference-data")


def load(rel):
    with open(os.path.join(REFERENCE_DATA, rel), encoding="utf-8") as f:
        return json.load(f)


def catalogue():
    return load("products/radioembolization.json")


def find(items, key):
    for x in items:
        if x["id"] == key:
            return x
    raise ValueError(f"unknown id {key}")


def when_holds(when, facts):
    """True, False, or None when a fact it needs is unknown."""
    if not when:
        return True
    b = facts.get("bilirubin")
    for k, v in when.items():
        if k.startswith("bilirubinMgPerDl"):
            if b is None:
                return None
            ok = {"bilirubinMgPerDlBelow": b < v, "bilirubinMgPerDlAtLeast": b >= v,
                  "bilirubinMgPerDlAbove": b > v, "bilirubinMgPerDlAtMost": b <= v}[k]
        else:
            f = facts.get(k)
            if f is None:
                return None
            ok = f == v
        if not ok:
            return False
    return True


def policy_checks(modality, quantities, facts):
    """The hard limits of the constraint file for `modality` evaluated on `quantities`."""
    checks = []
    for row in load("constraints/constraint-sets.json")["limits"]:
        if modality not in row["modalities"] or row["severity"] != "hard":
            continue
        if when_holds(row.get("when"), facts) is False:
            continue
        v = quantities.get(row["quantity"])
        if v is None:
            checks.append({"name": row["name"], "limit": row["limit"], "state": "notEvaluated"})
            continue
        ok = v <= row["limit"] if row["comparison"] == "atMost" else v >= row["limit"]
        checks.append({"name": row["name"], "value": v, "limit": row["limit"], "state": "passed" if ok else "failed"})
    return checks


def status(checks):
    return "contraindicated" if any(c["state"] == "failed" for c in checks) else "ok"


def num(a, key, default=None):
    v = a.get(key)
    return default if v is None else float(str(v).rstrip("%"))


def y90(a, device_id=None):
    cat = catalogue()
    device = find(cat["devices"], device_id or a["device"])
    k = num(a, "dose-factor-gy-kg-per-gbq", device["doseFactorGyKgPerGBq"])
    rho = num(a, "density-g-per-ml", cat["tissue"]["densityGPerMl"])
    lung_g = num(a, "lung-mass-g", cat["tissue"]["lungMassG"])
    prior = num(a, "prior-lung-dose-gy", 0.0)
    lsf_pct = num(a, "lung-shunt")
    lsf = lsf_pct / 100
    method = a["method"]
    out = {"device": device["id"], "method": method, "lungShuntPercent": lsf_pct}
    q = {}
    if method in ("mird", "standard"):
        if method == "standard":
            m = num(a, "liver-mass-g") or num(a, "liver-volume-ml") * rho
            d = num(a, "target-dose-gy", cat["holmiumStandard"]["targetDoseGy"])
            act = num(a, "activity-gbq") or d * (m / 1000) / (k * (1 - 0))
        else:
            m = num(a, "perfused-mass-g") or num(a, "perfused-volume-ml") * rho
            act = num(a, "activity-gbq") or num(a, "target-dose-gy") * (m / 1000) / (k * (1 - lsf))
        out["perfusedMassG"] = m
        out["perfusedLiverDoseGy"] = k * act * (1 - lsf) / (m / 1000)
    else:  # partition
        mt = num(a, "tumor-mass-g") or num(a, "tumor-volume-ml") * rho
        mn = num(a, "normal-liver-mass-g") or num(a, "normal-liver-volume-ml") * rho
        tn = num(a, "tn-ratio")
        comps = [(mt / 1000, tn), (mn / 1000, 1.0)]
        weighted = 0.0
        for mass, r in comps:
            weighted += r * mass
        if a.get("tumor-dose-gy") is not None:
            act = num(a, "tumor-dose-gy") * weighted / (k * (1 - lsf) * tn)
        elif a.get("normal-liver-dose-gy") is not None:
            act = num(a, "normal-liver-dose-gy") * weighted / (k * (1 - lsf) * 1.0)
        else:
            act = num(a, "activity-gbq")
        doses = [k * act * (1 - lsf) * r / weighted for (_, r) in comps]
        out.update(tumorDoseGy=doses[0], normalLiverDoseGy=doses[1], tumorMassG=mt, normalLiverMassG=mn,
                   perfusedLiverDoseGy=k * act * (1 - lsf) / ((mt + mn) / 1000))
        q["perfusedNormalLiverDoseGy"] = doses[1]
        whole = num(a, "whole-normal-liver-mass-g")
        if whole is not None:
            out["wholeNormalLiverDoseGy"] = doses[1] * (mn / 1000) / (whole / 1000)
            q["wholeNormalLiverDoseGy"] = out["wholeNormalLiverDoseGy"]
    out["activityGBq"] = act
    out["activityMBq"] = act * 1000
    out["activityMCi"] = act * 1000 / 37
    out["lungDoseGy"] = k * act * lsf / (lung_g / 1000)
    out["cumulativeLungDoseGy"] = prior + out["lungDoseGy"]
    q.update(lungDoseGy=out["lungDoseGy"], cumulativeLungDoseGy=out["cumulativeLungDoseGy"], lungShuntPercent=lsf_pct)
    modality = {"glass": "y90-glass", "resin": "y90-resin", "quiremspheres": "ho166"}[device["id"]]
    facts = {"bilirubin": num(a, "bilirubin-mg-per-dl")}
    out["checks"] = policy_checks(modality, q, facts)
    out["status"] = status(out["checks"])
    return out


def ho166(a):
    return y90(a, device_id="quiremspheres")


def lsf(a):
    gl = math.sqrt(num(a, "lung-anterior") * num(a, "lung-posterior"))
    gv = math.sqrt(num(a, "liver-anterior") * num(a, "liver-posterior"))
    f = gl / (gl + gv)
    return {"geometricMeanLungCounts": gl, "geometricMeanLiverCounts": gv, "lungShuntFraction": f,
            "lungShuntPercent": 100 * f, "status": "ok"}


def tn_ratio(a):
    return {"tnRatio": (num(a, "tumor-counts") / num(a, "tumor-volume-ml")) / (num(a, "normal-counts") / num(a, "normal-volume-ml")),
            "status": "ok"}


def half_life(nuclide):
    return find(catalogue()["nuclides"], nuclide)["halfLifeH"]


def decay(a):
    t_half = half_life(a["nuclide"])
    a0, h = num(a, "activity-gbq"), num(a, "hours")
    f = math.exp(-math.log(2) * h / t_half)
    return {"activityGBq": a0 * f, "activityMCi": a0 * f * 1000 / 37, "elapsedHours": h, "fractionRemaining": f,
            "initialActivityGBq": a0, "status": "ok"}


def vial(a):
    cat = catalogue()
    device = find(cat["devices"], a["device"])
    t_half = find(cat["nuclides"], device["nuclide"])["halfLifeH"]
    inj, r, h = num(a, "activity-gbq"), num(a, "residual-percent"), num(a, "hours")
    at_t = inj / (1 - r / 100)
    at_cal = at_t / math.exp(-math.log(2) * h / t_half)
    v = {"injectedActivityGBq": inj, "residualPercent": r, "hoursFromCalibration": h,
         "vialActivityAtTreatmentGBq": at_t, "vialActivityAtCalibrationGBq": at_cal}
    for size in sorted(device.get("vialSizesGBq") or []):
        if size >= at_cal * (1 - 1e-12):
            v.update(smallestSufficientVialGBq=size,
                     wholeVialActivityAtTreatmentGBq=size * math.exp(-math.log(2) * h / t_half),
                     hoursAfterCalibrationWholeVialMatchesNeed=t_half * math.log2(size / at_t))
            break
    return {"activityGBq": inj, "device": device["id"], "vial": v, "status": "ok"}


COMMANDS = {"y90": y90, "ho166": ho166, "lsf": lsf, "tn-ratio": tn_ratio, "decay": decay, "vial": vial}

FLAGS = {
    "y90": ["device", "method", "lung-shunt", "perfused-mass-g", "perfused-volume-ml", "tumor-mass-g", "tumor-volume-ml",
            "normal-liver-mass-g", "normal-liver-volume-ml", "whole-normal-liver-mass-g", "tn-ratio", "target-dose-gy",
            "normal-liver-dose-gy", "tumor-dose-gy", "activity-gbq", "density-g-per-ml", "lung-mass-g", "prior-lung-dose-gy",
            "dose-factor-gy-kg-per-gbq", "residual-percent", "bilirubin-mg-per-dl"],
    "ho166": ["method", "lung-shunt", "liver-mass-g", "liver-volume-ml", "tumor-mass-g", "normal-liver-mass-g", "tn-ratio",
              "tumor-dose-gy", "normal-liver-dose-gy", "activity-gbq", "target-dose-gy", "lung-mass-g", "prior-lung-dose-gy"],
    "lsf": ["lung-anterior", "lung-posterior", "liver-anterior", "liver-posterior"],
    "tn-ratio": ["tumor-counts", "tumor-volume-ml", "normal-counts", "normal-volume-ml"],
    "decay": ["nuclide", "activity-gbq", "hours"],
    "vial": ["device", "activity-gbq", "residual-percent", "hours"],
}


def parser():
    p = argparse.ArgumentParser(prog="minidose")
    sub = p.add_subparsers(dest="command", required=True)
    for name, flags in FLAGS.items():
        s = sub.add_parser(name)
        for f in flags:
            s.add_argument("--" + f, dest=f)
        s.add_argument("--json", action="store_true")
    return p


def cli(argv):
    """Parses like a command line, computes, returns the JSON text (what the process prints)."""
    ns = vars(parser().parse_args(argv))
    cmd = ns.pop("command")
    ns.pop("json", None)
    return json.dumps(COMMANDS[cmd](ns), sort_keys=True)


if __name__ == "__main__":
    print(cli(sys.argv[1:]))
