#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Request streams for `dosecalc batch` (JSON Lines, one request per line):

    {"id": "p000001", "command": "y90", "args": {"device": "glass", "method": "partition", ...}}

`args` holds the command-line flags without their leading dashes (for plan: the planner input
object, as Sources/DosecalcCLI/BatchCommand.swift specifies). Deterministic (seeded).

    batch_gen.py partition N OUT   N y90 glass partition requests (tumour dose solved for)
    batch_gen.py mixed N OUT       y90 partition/mird, ho166, lsf, tn-ratio, decay, vial, and 0.1 % each
                                   of plan (reference-data/patients, single-territory glass) and deb
"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PATIENTS = os.path.normpath(os.path.join(HERE, "..", "..", "reference-data", "patients"))


def partition(rng):
    return {"device": "glass", "method": "partition", "tumor-mass-g": round(rng.uniform(20, 800), 1),
            "normal-liver-mass-g": round(rng.uniform(400, 2000), 1), "tn-ratio": round(rng.uniform(1.5, 8), 2),
            "tumor-dose-gy": round(rng.uniform(120, 300), 1), "lung-shunt": round(rng.uniform(1, 15), 1)}


def request(kind, rng):
    if kind == "y90-partition":
        return "y90", partition(rng)
    if kind == "y90-mird":
        return "y90", {"device": "glass", "method": "mird", "perfused-mass-g": round(rng.uniform(200, 2000), 1),
                       "target-dose-gy": round(rng.uniform(80, 150), 1), "lung-shunt": round(rng.uniform(1, 15), 1)}
    if kind == "ho166":
        return "ho166", {"method": "standard", "liver-mass-g": round(rng.uniform(900, 2500), 1), "lung-shunt": round(rng.uniform(1, 10), 1)}
    if kind == "lsf":
        return "lsf", {"lung-anterior": rng.randint(500, 5000), "lung-posterior": rng.randint(500, 5000),
                       "liver-anterior": rng.randint(10000, 80000), "liver-posterior": rng.randint(10000, 80000)}
    if kind == "tn-ratio":   # counts drawn for a T/N of 1 to 20 (dosecalc refuses T/N above 100 as implausible)
        vt, vn, cn = round(rng.uniform(10, 500), 1), round(rng.uniform(500, 2000), 1), rng.randint(50000, 400000)
        return "tn-ratio", {"tumor-counts": round(rng.uniform(1, 20) * vt * cn / vn), "tumor-volume-ml": vt,
                            "normal-counts": cn, "normal-volume-ml": vn}
    if kind == "decay":
        return "decay", {"nuclide": "y90", "activity-gbq": round(rng.uniform(0.5, 20), 3), "hours": round(rng.uniform(-48, 168), 2)}
    if kind == "vial":
        return "vial", {"device": "glass", "activity-gbq": round(rng.uniform(0.5, 8), 3), "residual-percent": round(rng.uniform(0, 5), 2),
                        "hours": round(rng.uniform(0, 100), 1)}
    if kind == "plan":
        name = rng.choice(["plan-02-glass-lung-limited.json", "plan-05-glass-target-reached.json"])
        with open(os.path.join(PATIENTS, name), encoding="utf-8") as f:
            return "plan", json.load(f)   # for plan, args is the planner input object
    if kind == "deb":
        return "deb", {"product": "dc-bead", "size": rng.choice(["100-300", "300-500"]), "loading-mg-per-ml": 37.5,
                       "dose-mg": rng.choice([75, 100, 150])}
    raise ValueError(kind)


MIX = [("y90-partition", 0.30), ("y90-mird", 0.10), ("ho166", 0.10), ("lsf", 0.10), ("tn-ratio", 0.10),
       ("decay", 0.15), ("vial", 0.148), ("plan", 0.001), ("deb", 0.001)]


def generate(kind, n, path, seed=20261204):
    rng = random.Random(seed)
    kinds, weights = zip(*MIX)
    with open(path, "w") as f:
        for i in range(n):
            k = "y90-partition" if kind == "partition" else rng.choices(kinds, weights)[0]
            cmd, args = request(k, rng)
            f.write(json.dumps({"id": f"{kind[0]}{i:06d}", "command": cmd, "args": args}) + "\n")


if __name__ == "__main__":
    generate(sys.argv[1], int(sys.argv[2]), sys.argv[3])
