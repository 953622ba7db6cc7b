#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Python peer of `dosecalc batch`: reads the same JSON-Lines requests (file argument or stdin)
and writes one JSON line per request, {"id": …, "command": …, "result": {…}} (or "error"), with
dosecalc's key names for the numbers: minidose.py for the single calculations, scipy_peer.simulate
(BDF, dosecalc's tolerances) for deb, plan_peers.re_plan for plan.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import minidose  # noqa: E402

_deb = None


def deb(a):
    import scipy_peer
    product = minidose.find(minidose.load("products/deb-beads.json")["products"], a.get("product", "dc-bead"))
    sizes = str(a["size"]).split(",")
    loading, dose = float(a["loading-mg-per-ml"]), float(a["dose-mg"])
    classes = [(minidose.find(product["sizes"], s)["modelDiameterUm"], loading, dose / len(sizes) / loading) for s in sizes]
    o, _ = scipy_peer.simulate(classes, days=float(a.get("days", 28)), p=scipy_peer.for_product(product))
    return {"plasmaPeakNgPerMl": o["plasma_peak_ng_per_ml"], "plasmaAucNgHPerMl": o["plasma_auc_ng_h_per_ml"],
            "tissueAucUgHPerMl": o["tissue_auc_ug_h_per_ml"], "elutedPercentAtEnd": o["eluted_end_pct"],
            "tissuePeakUM": o["tissue_peak_uM"]}


def plan(a):
    import plan_peers
    o = plan_peers.re_plan(a)   # args is the planner input object
    return {"radioembolization": {"activityGBq": o["activity_gbq"], "commonTumorDoseGy": o["common_tumor_dose_gy"],
                                  "lungDoseGy": o["lung_dose_gy"], "cumulativeLungDoseGy": o["cumulative_lung_dose_gy"],
                                  "wholeNormalLiverDoseGy": o["whole_normal_liver_dose_gy"]}}


def main():
    src = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
    out = sys.stdout
    handlers = dict(minidose.COMMANDS, deb=deb, plan=plan)
    for line in src:
        if not line.strip():
            continue
        r = json.loads(line)
        try:
            res = {"id": r["id"], "command": r["command"], "result": handlers[r["command"]](r["args"])}
        except Exception as e:  # one failing request does not stop the stream
            res = {"id": r.get("id"), "command": r.get("command"), "error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
