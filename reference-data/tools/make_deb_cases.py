#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the expected values of the in-vivo DEB reference cases in reference-data/cases/deb.json from
the independent scipy implementation of DEB-IX-3C (Benchmarks/scipy_peer.py), whose parameters are read
from reference-data/deb-model.json and reference-data/products/deb-beads.json.

Cases rewritten: every case of kind "computed" whose arguments are an in-vivo `deb` run (no --in-vitro),
and the 90-day tail case; only the "value" of expectations that have one (and the texts that quote a
computed figure) change. Each case's arguments give the product, size classes, loading, dose and days.
In-vitro cases with a product (closed vessel and sink, equal shells) are computed by the peer's in-vitro
solve (scipy_peer.in_vitro: the same bead kinetics, films and exchange) and, for the closed-vessel plateau,
by the exact Langmuir equilibrium; the non-binding Crank cases are analytic and left as they are.

Usage: python3 reference-data/tools/make_deb_cases.py [--check]
  --check        compares instead of writing, and exits 1 when a value differs by more than 1e-7 relative.
The library test ElutionModelTests.referenceCases and Benchmarks/Sources/DEBProfile read the in-vivo cases from the file.
Needs numpy and scipy (Benchmarks/requirements.txt).
"""
import json
import os
import sys

import numpy as np
from scipy.optimize import brentq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(os.path.dirname(ROOT), "Benchmarks"))
import scipy_peer  # noqa: E402

CASES = os.path.join(ROOT, "cases", "deb.json")
MW = scipy_peer.P["MW"]


def args_of(case):
    a = case["args"]
    out = {}
    i = 1
    while i < len(a):
        if a[i].startswith("--") and i + 1 < len(a) and not a[i + 1].startswith("--"):
            out[a[i]] = a[i + 1]
            i += 2
        else:
            out[a[i]] = True
            i += 1
    return out


def product_parameters(product):
    """The peer's parameters with the product's own constants (capacity, K_d, k_off, shrink)."""
    return scipy_peer.for_product(product)


def product_of(a):
    beads = json.load(open(os.path.join(ROOT, "products", "deb-beads.json")))
    return next(p for p in beads["products"] if p["id"] == a["--product"])


def closed_plateau(product, loading, packed_ml, medium_ml):
    """Exact Langmuir equilibrium of a closed vessel: the load L V_packed shared between the medium (V_m c)
    and the beads (phi V_packed (eps c + Q c/(K_d + c))); c by Brent to 1e-15. Returns (released fraction, c)."""
    p = product_parameters(product)
    Q, eps, phi, Kd = p["Q_packed"] / p["phi"], p["eps"], p["phi"], p["Kd"]
    total = loading * packed_ml
    vb = phi * packed_ml
    c = brentq(lambda c: medium_ml * c + vb * (eps * c + Q * c / (Kd + c)) - total, 0.0, total / medium_ml, xtol=1e-300, rtol=1e-15)
    return medium_ml * c / total, c


def run_in_vitro(case):
    """dosecalc deb --in-vitro sink|closed with a product, on an equal grid (the cases give --grid equal)."""
    a = args_of(case)
    product = product_of(a)
    diam = {s["id"]: s["modelDiameterUm"] for s in product["sizes"]}[a["--size"]]
    loading = float(a["--loading-mg-per-ml"])
    packed = float(a.get("--bead-volume-ml", 1))
    medium = float(a["--medium-ml"]) if a["--in-vitro"] == "closed" else None
    times = [float(x) for x in a["--times-h"].split(",")]
    if a.get("--grid") != "equal" and case["kind"] != "analytic":
        sys.exit("%s: the peer solves on equal shells; give the case --grid equal" % case["id"])
    if "--shells" not in a and case["kind"] != "analytic":
        sys.exit("%s: give the case --shells, the count the peer must solve on as dosecalc does" % case["id"])
    # An analytic case's values are the exact plateau (main); its curve is solved on 20 shells only to find
    # the times to 50 and 90 % of it.
    shells = int(a.get("--shells", 20))
    p = product_parameters(product)
    v = {}
    if medium:
        plateau, c = closed_plateau(product, loading, packed, medium)
        v["plateauPercent"], v["plateauFreeConcentrationMgPerMl"] = 100 * plateau, c
        targets = {"timeTo50PercentOfPlateauH": 0.5 * plateau, "timeTo90PercentOfPlateauH": 0.9 * plateau}
    else:
        targets = {"timeTo50PercentH": 0.5, "timeTo90PercentH": 0.9}
    t_end = max(times + [2000.0])
    f, released = scipy_peer.in_vitro(diam, loading, packed, p, medium_ml=medium, shells=shells, times=times, t_end=t_end)
    for i, x in enumerate(f):
        v["releasedPercent[%d]" % i] = 100 * x
    for k, target in targets.items():
        if released(t_end) < target:
            sys.exit("%s: %s not reached by %g h" % (case["id"], k, t_end))
        v[k] = brentq(lambda t: released(t) - target, 1e-9, t_end, xtol=1e-14, rtol=1e-13)
    return v


def run(case):
    a = args_of(case)
    beads = json.load(open(os.path.join(ROOT, "products", "deb-beads.json")))
    product = next(p for p in beads["products"] if p["id"] == a["--product"])
    sizes = a["--size"].split(",")
    loading = float(a["--loading-mg-per-ml"])
    doses = [float(x) for x in a["--dose-split-mg"].split(",")] if "--dose-split-mg" in a else \
        [float(a["--dose-mg"]) / len(sizes)] * len(sizes)
    days = float(a.get("--days", 28))
    diam = {s["id"]: s["modelDiameterUm"] for s in product["sizes"]}
    classes = [(diam[s], loading, d / loading) for s, d in zip(sizes, doses)]
    p = product_parameters(product)
    rhs, jac, y0, dose, bead_mass, idx = model = scipy_peer.build(classes, p)
    o, sol = scipy_peer.simulate(classes, days=days, model=model, p=p)

    def at(h):
        return sol.sol(h)

    tissue_uM = lambda y: float(y[idx["T"]]) / p["VT"] / MW * 1000
    v = {
        "plasmaPeakNgPerMl": o["plasma_peak_ng_per_ml"],
        "plasmaPeakTimeMin": 60 * o["plasma_peak_time_h"],
        "burstFraction": float(y0[idx["B"]]) / dose,
        "plasmaAuc0to24hNgHPerMl": 1000 * float(at(24.0)[idx["AUCp"]]),
        "tissueUMAt8h": tissue_uM(at(8.0)),
        "tissueAuc0to28dUgHPerMl": float(at(672.0)[idx["AUCT"]]),
        "tissuePeakUM": o["tissue_peak_uM"],
    }
    if days * 24 >= 720:
        v["tissueUMAt30d"] = tissue_uM(at(720.0))
    for d in (1, 2, 3, 7, 14, 21, 28, 30, 60, 90):
        if 24 * d <= days * 24:
            v["elutedPercentByDay.%d" % d] = 100 * (1 - bead_mass(at(24.0 * d)) / dose)
    return v


def main():
    check = "--check" in sys.argv[1:]
    doc = json.load(open(CASES))
    worst = 0.0
    for case in doc["cases"]:
        a = args_of(case)
        invivo = case["args"][0] == "deb" and "--in-vitro" not in a and "--iv-bolus-mg" not in a
        # Only the values this script computes: a published in-vitro case keeps its published numbers.
        invitro = case["args"][0] == "deb" and "--in-vitro" in a and "--product" in a and case["kind"] in ("computed", "analytic")
        if not case["expect"] or not any("value" in e for e in case["expect"]):
            continue
        if invitro:
            v = run_in_vitro(case)
            if case["kind"] == "analytic":   # the exact plateau; the curve must reach it at the times the case lists
                v = {k: (v["plateauPercent"] if k.startswith("releasedPercent") else x) for k, x in v.items()}
        elif invivo and (case["kind"] == "computed" or case["id"] == "deb-pub-namur2010-90d-tail-miss"):
            v = run(case)
        else:
            continue
        for e in case["expect"]:
            if "value" not in e:
                continue
            if e["path"] not in v:
                sys.exit("%s: the peer does not compute %s" % (case["id"], e["path"]))
            new = v[e["path"]]
            worst = max(worst, abs(new - e["value"]) / abs(e["value"]) if e["value"] else float("inf"))
            if check and abs(new - e["value"]) > 1e-7 * abs(e["value"]):
                print("%s %s: %r in the file, %r computed" % (case["id"], e["path"], e["value"], new))
            e["value"] = new
        if case["id"] == "deb-pub-namur2010-90d-tail-miss":
            x = v["elutedPercentByDay.90"]
            case["expect"][0]["note"] = ("KNOWN MISS: the model releases %.1f %% by 90 d; the published (recalled) 89 %% is "
                                         "NOT reached. max 80 documents that the model stays far below it." % x)
        print("%-40s %s" % (case["id"], ", ".join("%s %.6g" % (k, x) for k, x in v.items() if k in
                                                    ("plasmaPeakNgPerMl", "tissueUMAt30d", "elutedPercentByDay.28", "elutedPercentByDay.90"))))
    print("largest relative change: %.3g" % worst)
    if check:
        sys.exit(1 if worst > 1e-7 else 0)
    with open(CASES, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
