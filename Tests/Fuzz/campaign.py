#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reproducible fuzz campaign for the dosecalc command-line tool.

    python3 Tests/Fuzz/campaign.py --binary .build/release/dosecalc [--count N] [--seed S] [--jobs J] [--out report.json]
    python3 Tests/Fuzz/campaign.py --binary … --seed S --only 17,4242 [--keep]    # replay single cases

Standard library only. Generates CLI and planner inputs (about 40 % valid, 60 % corrupted or abusive),
runs the binary on each one (cwd: a fresh temp dir; timeout 2 s) and checks the CONTRACT described in
Tests/Fuzz/README.md. Case i is generated from its own RNG seeded with (seed, i), so any case can be
replayed alone with --only. The last line printed is "fuzz: N passed, M failed"; exit status 0 iff no
case violated the contract.
"""

import argparse
import collections
import concurrent.futures
import datetime as dt
import json
import math
import os
import random
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_REFERENCE_DATA = os.path.join(REPO, "reference-data")
DEFAULT_SEED = 20261126
DEFAULT_COUNT = 10000
TIMEOUT_S = 2.0

ALLOWED_EXIT = {0, 2, 3, 64, 70, 73, 78}
ERROR_EXIT = {2, 64, 70, 73, 78}
RESULT_EXIT = {0, 3}
REFUSAL_EXIT = {2, 64}
OK_STATUSES = {"ok", "warning"}
BAD_STATUSES = {"infeasible", "contraindicated"}

# ---------------------------------------------------------------------------------------------
# Small helpers for values
# ---------------------------------------------------------------------------------------------


def fnum(rng, lo, hi, decimals=None, sci=0.03):
    """A decimal string for a number uniformly drawn in [lo, hi] (kept inside after rounding)."""
    for _ in range(50):
        x = rng.uniform(lo, hi)
        if rng.random() < sci:
            s = f"{x:.4e}"
        else:
            d = rng.choice((0, 1, 1, 2, 2, 3)) if decimals is None else decimals
            s = f"{x:.{d}f}"
        v = float(s)
        if lo <= v <= hi and (lo > 0 or v != 0 or lo == 0):
            if lo > 0 and v <= 0:
                continue
            return s
    return repr((lo + hi) / 2)


def flog(rng, lo, hi):
    """Log-uniform in [lo, hi], 4 significant digits."""
    for _ in range(50):
        x = math.exp(rng.uniform(math.log(lo), math.log(hi)))
        s = f"{x:.4g}"
        if lo <= float(s) <= hi:
            return s
    return repr(lo)


def pnum(rng, lo, hi, digits=None):
    """A JSON number (float or int) in [lo, hi]."""
    x = rng.uniform(lo, hi)
    d = rng.choice((0, 1, 1, 2)) if digits is None else digits
    v = round(x, d)
    if d == 0:
        v = int(v)
    if v < lo or v > hi or (lo > 0 and v <= 0):
        v = round(x, 3)
    return v


OFFSETS = ["Z", "Z", "+00:00", "+01:00", "+02:00", "-05:00", "-04:00", "+05:30", "+09:00", "-03:30", "+14:00", "-12:00"]


def iso(t_utc, off, frac=None):
    """ISO 8601 local time with its UTC offset ('Z' or ±hh:mm)."""
    if off == "Z":
        tz = dt.timezone.utc
    else:
        sign = 1 if off[0] == "+" else -1
        tz = dt.timezone(sign * dt.timedelta(hours=int(off[1:3]), minutes=int(off[4:6])))
    local = t_utc.astimezone(tz)
    s = local.strftime("%Y-%m-%dT%H:%M:%S")
    if frac is not None:
        s += ".%03d" % frac
    return s + off


def rand_utc(rng):
    base = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    return base + dt.timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))


def rand_iso(rng, t):
    return iso(t, rng.choice(OFFSETS), rng.randrange(1000) if rng.random() < 0.05 else None)


def ascending_times(rng, n, hi, zero=False):
    vals = set()
    while len(vals) < n:
        vals.add(float(flog(rng, 0.01, hi)))
    out = sorted(vals)
    if zero:
        out = [0.0] + out
    return ",".join(f"{v:g}" for v in out)


def weighted(rng, table):
    """table: list of (item, weight)."""
    total = sum(w for _, w in table)
    r = rng.uniform(0, total)
    acc = 0.0
    for item, w in table:
        acc += w
        if r <= acc:
            return item
    return table[-1][0]


# ---------------------------------------------------------------------------------------------
# CLI specifications: ordered [flag, value] pairs (value None for a boolean flag)
# ---------------------------------------------------------------------------------------------


class Spec:
    def __init__(self, command, variant):
        self.command = command
        self.variant = variant
        self.opts = []           # [[flag, value-or-None], ...]
        self.plan = None         # planner input (dict) for `plan`
        self.files = {}          # name -> text, written into the temp dir
        self.setup = []          # setup actions for output-file abuse
        self.input_path = None   # plan --input value

    def add(self, flag, value=None):
        self.opts.append([flag, value])

    def has(self, flag):
        return any(o[0] == flag for o in self.opts)

    def args(self):
        out = [self.command]
        for flag, value in self.opts:
            out.append(flag)
            if value is not None:
                out.append(value)
        return out


NUMERIC_FLAGS = {
    "--lung-shunt", "--perfused-mass-g", "--perfused-volume-ml", "--tumor-mass-g", "--tumor-volume-ml",
    "--normal-liver-mass-g", "--normal-liver-volume-ml", "--whole-normal-liver-mass-g", "--tn-ratio",
    "--target-dose-gy", "--normal-liver-dose-gy", "--tumor-dose-gy", "--activity-gbq", "--density-g-per-ml",
    "--lung-mass-g", "--prior-lung-dose-gy", "--dose-factor-gy-kg-per-gbq", "--residual-percent",
    "--height-cm", "--weight-kg", "--liver-volume-ml", "--treated-volume-ml", "--liver-mass-g",
    "--lung-anterior", "--lung-posterior", "--liver-anterior", "--liver-posterior",
    "--tumor-counts", "--normal-counts", "--normal-volume-ml", "--hours", "--half-life-h", "--mean-energy-mev",
    "--loading-mg-per-ml", "--dose-mg", "--dose-split-mg", "--days", "--clearance-factor", "--treated-volume-l",
    "--shells", "--bead-diameter-um", "--diffusivity-cm2-per-s", "--times-h", "--medium-ml", "--bead-volume-ml",
    "--iv-bolus-mg",
}
LIST_FLAGS = {"--times-h", "--dose-split-mg", "--loading-mg-per-ml", "--size"}
TIME_FLAGS = {"--from", "--to", "--calibration-time", "--treatment-time"}
MISSPELT = {
    ("y90", "--device"): ["Glass", "GLASS", "glas", "Resin", "sir-spheres", "theraspheres"],
    ("y90", "--method"): ["MIRD", "Partition", "partiton", "BSA", "empirical", "standard", "mird2"],
    ("ho166", "--method"): ["Standard", "standart", "mird", "PARTITION", "bsa"],
    ("y90", "--bsa-lobar-convention"): ["Split", "scaled", "scaled_whole", "whole"],
    ("decay", "--nuclide"): ["Y90", "y-90", "Y-90", "yttrium", "Ho166", "ho-166", "y 90"],
    ("vial", "--device"): ["Glass", "quirem", "resins", "QuiremSpheres", "sirspheres"],
    ("deb", "--product"): ["DC-Bead", "dcbead", "dc_bead", "LifePearl", "hepaspheres", "tandem-beads"],
    ("deb", "--size"): ["100\u2013300", "100_300", "100-300um", "100-301", "0100-300"],
    ("deb", "--in-vitro"): ["Sink", "open", "closed-vessel", "in-vitro"],
    ("deb", "--grid"): ["Equal", "refine", "uniform"],
}

UNKNOWN_FLAGS = ["--lung-shunt-percent", "--tumour-mass-g", "--jsn", "--dose", "--target-dose", "--Json",
                 "--verbose", "-x", "--perfused-mass-kg", "--activity", "--output", "--loading"]


def lsf_value(rng):
    kind = rng.random()
    if kind < 0.70:
        v = fnum(rng, 0, 20)
    elif kind < 0.80:
        v = fnum(rng, 20, 35)
    elif kind < 0.88:
        v = "0"
    elif kind < 0.94:
        v = fnum(rng, 0.01, 0.99, 2)
    else:
        v = fnum(rng, 1, 20)
    if rng.random() < 0.1:
        v += "%"
    return v


def add_mass(spec, rng, mass_flag, vol_flag, lo, hi):
    if rng.random() < 0.6:
        spec.add(mass_flag, fnum(rng, lo, hi))
    else:
        spec.add(vol_flag, fnum(rng, lo, hi))


def add_partition(spec, rng):
    add_mass(spec, rng, "--tumor-mass-g", "--tumor-volume-ml", 5, 800)
    add_mass(spec, rng, "--normal-liver-mass-g", "--normal-liver-volume-ml", 300, 2000)
    spec.add("--tn-ratio", fnum(rng, 1, 10))
    given = rng.random()
    if given < 0.40:
        spec.add("--tumor-dose-gy", fnum(rng, 80, 300))
    elif given < 0.75:
        spec.add("--normal-liver-dose-gy", fnum(rng, 20, 90))
    else:
        spec.add("--activity-gbq", fnum(rng, 0.3, 8))
    if rng.random() < 0.25:
        spec.add("--whole-normal-liver-mass-g", fnum(rng, 2100, 3500))


def add_common_extras(spec, rng):
    if rng.random() < 0.15:
        spec.add("--lung-mass-g", fnum(rng, 700, 1400))
    if rng.random() < 0.15:
        spec.add("--prior-lung-dose-gy", fnum(rng, 0, 35))
    if rng.random() < 0.10:
        spec.add("--density-g-per-ml", fnum(rng, 0.95, 1.1, 2))
    if rng.random() < 0.15:
        spec.add("--residual-percent", fnum(rng, 0, 5))
    if rng.random() < 0.08:
        spec.add("--dose-factor-gy-kg-per-gbq", fnum(rng, 15, 50.5))


def finish(spec, rng, json_p=0.6):
    if rng.random() < json_p:
        spec.add("--json")
    if rng.random() < 0.5:
        rng.shuffle(spec.opts)
    return spec


def gen_y90(rng, force=()):
    device = rng.choice(["glass", "resin"])
    method = rng.choice(["mird", "partition"] if device == "glass" else ["mird", "partition", "bsa", "empiric"])
    s = Spec("y90", f"{device}/{method}")
    s.add("--device", device)
    s.add("--method", method)
    s.add("--lung-shunt", lsf_value(rng))
    if method == "mird":
        add_mass(s, rng, "--perfused-mass-g", "--perfused-volume-ml", 300, 2500)
        if rng.random() < 0.7:
            s.add("--target-dose-gy", fnum(rng, 80, 150))
        else:
            s.add("--activity-gbq", fnum(rng, 0.3, 8))
    elif method == "partition":
        add_partition(s, rng)
    else:
        tumor = float(fnum(rng, 5, 800))
        liver = tumor + float(fnum(rng, 800, 2200))
        s.add("--tumor-volume-ml", f"{tumor:g}")
        s.add("--liver-volume-ml", f"{liver:g}")
        if method == "bsa":
            s.add("--height-cm", fnum(rng, 145, 200))
            s.add("--weight-kg", fnum(rng, 40, 130))
            if rng.random() < 0.3:
                s.add("--treated-volume-ml", f"{rng.uniform(max(tumor, 0.3 * liver), 0.95 * liver):.1f}")
                if rng.random() < 0.5:
                    s.add("--bsa-lobar-convention", rng.choice(["scaled-whole", "split"]))
    if method in ("mird", "partition"):
        add_common_extras(s, rng)
    elif rng.random() < 0.15:
        s.add("--prior-lung-dose-gy", fnum(rng, 0, 35))
    return finish(s, rng)


def gen_ho166(rng, force=()):
    method = rng.choice(["standard", "partition"])
    s = Spec("ho166", method)
    s.add("--method", method)
    s.add("--lung-shunt", lsf_value(rng))
    if method == "standard":
        add_mass(s, rng, "--liver-mass-g", "--liver-volume-ml", 700, 2500)
        if rng.random() < 0.2:
            s.add("--target-dose-gy", fnum(rng, 40, 80))
    else:
        add_partition(s, rng)
    add_common_extras(s, rng)
    return finish(s, rng)


def gen_lsf(rng, force=()):
    s = Spec("lsf", "planar")
    s.add("--lung-anterior", str(int(float(flog(rng, 100, 1e6)))) if rng.random() < 0.7 else flog(rng, 100, 1e6))
    s.add("--lung-posterior", flog(rng, 100, 1e6) if rng.random() < 0.95 else "0")
    s.add("--liver-anterior", flog(rng, 1e4, 1e8))
    s.add("--liver-posterior", str(int(float(flog(rng, 1e4, 1e8)))))
    return finish(s, rng)


def gen_tn(rng, force=()):
    s = Spec("tn-ratio", "spect")
    s.add("--tumor-counts", flog(rng, 1e3, 1e8))
    s.add("--tumor-volume-ml", fnum(rng, 2, 1500))
    s.add("--normal-counts", flog(rng, 1e3, 1e8))
    s.add("--normal-volume-ml", fnum(rng, 200, 2500))
    return finish(s, rng)


def add_hours_or_times(s, rng, force, from_flag, to_flag, lo, hi):
    if "times" in force or rng.random() < 0.4:
        t1 = rand_utc(rng)
        t2 = t1 + dt.timedelta(minutes=rng.randrange(int(lo * 60), int(hi * 60)))
        s.add(from_flag, rand_iso(rng, t1))
        s.add(to_flag, rand_iso(rng, t2))
        s.variant += "+times"
    else:
        s.add("--hours", fnum(rng, lo, hi))
        s.variant += "+hours"


def gen_decay(rng, force=()):
    nuclide = rng.choice(["y90", "ho166"])
    s = Spec("decay", nuclide)
    s.add("--nuclide", nuclide)
    s.add("--activity-gbq", fnum(rng, 0.05, 30) if rng.random() < 0.9 else fnum(rng, 30, 1000))
    add_hours_or_times(s, rng, force, "--from", "--to", -300, 500)
    return finish(s, rng)


def gen_vial(rng, force=()):
    device = rng.choice(["glass", "resin", "quiremspheres"])
    s = Spec("vial", device)
    s.add("--device", device)
    s.add("--activity-gbq", fnum(rng, 0.3, 10) if rng.random() < 0.9 else fnum(rng, 10, 30))
    r = fnum(rng, 0, 5)
    s.add("--residual-percent", r + ("%" if rng.random() < 0.1 else ""))
    add_hours_or_times(s, rng, force, "--calibration-time", "--treatment-time", -24, 200)
    return finish(s, rng)


def gen_dose_factor(rng, force=()):
    s = Spec("dose-factor", "derive")
    if rng.random() < 0.1:
        s.variant = "catalogue"
    else:
        s.add("--half-life-h", fnum(rng, 1, 1000))
        s.add("--mean-energy-mev", fnum(rng, 0.05, 3, 4))
    return finish(s, rng)


DEB_PRODUCTS = {
    "dc-bead": ["70-150", "100-300", "300-500", "500-700", "700-900"],
    "lifepearl": ["100", "200", "400"],
    "hepasphere": ["30-60"],
    "tandem": ["40", "75", "100"],
}
DEB_MAX_LOADING = 40.0   # maxLoadingMgPerMl of every product in reference-data/products/deb-beads.json


def pick_product(rng):
    return weighted(rng, [("dc-bead", 7), ("lifepearl", 1), ("hepasphere", 1), ("tandem", 1)])


def gen_deb(rng, force=()):
    mode = weighted(rng, [("in-vivo", 60), ("sink", 12), ("sink-loaded", 10), ("closed", 10), ("iv-bolus", 8)])
    if "in-vivo" in force:
        mode = "in-vivo"
    s = Spec("deb", mode)
    if mode == "in-vivo":
        prod = pick_product(rng)
        n = min(len(DEB_PRODUCTS[prod]), weighted(rng, [(1, 70), (2, 25), (3, 5)]))
        sizes = rng.sample(DEB_PRODUCTS[prod], n)
        s.add("--product", prod)
        s.add("--size", ",".join(sizes))
        if n > 1 and rng.random() < 0.4:
            s.add("--loading-mg-per-ml", ",".join(fnum(rng, 10, DEB_MAX_LOADING, 1) for _ in sizes))
        else:
            s.add("--loading-mg-per-ml", fnum(rng, 10, DEB_MAX_LOADING, 1))
        if n > 1 and rng.random() < 0.4:
            s.add("--dose-split-mg", ",".join(fnum(rng, 10, 75, 1) for _ in sizes))
        else:
            s.add("--dose-mg", fnum(rng, 25, 150) if rng.random() < 0.9 else fnum(rng, 150, 250))
        if rng.random() < 0.3:
            s.add("--days", fnum(rng, 1, 28) if rng.random() < 0.85 else fnum(rng, 28, 90))
        if rng.random() < 0.15:
            s.add("--clearance-factor", fnum(rng, 0.3, 2, 2))
        if rng.random() < 0.15:
            s.add("--treated-volume-l", fnum(rng, 0.05, 1, 2))
        if rng.random() < 0.05:
            s.add("--shells", str(rng.randrange(5, 41)))
        if rng.random() < 0.15:
            s.add("--csv", rng.choice(["curves.csv", "{tmp}/curves.csv", "out-{n}.csv".format(n=rng.randrange(100))]))
    elif mode == "sink":
        s.add("--in-vitro", "sink")
        s.add("--bead-diameter-um", fnum(rng, 20, 1000))
        s.add("--diffusivity-cm2-per-s", flog(rng, 1e-9, 1e-5))
        s.add("--times-h", ascending_times(rng, rng.randrange(1, 9), 1000, zero=rng.random() < 0.2))
        if rng.random() < 0.2:
            s.add("--grid", "equal")
            if rng.random() < 0.6:
                s.add("--shells", str(rng.randrange(10, 61)))
    elif mode in ("sink-loaded", "closed"):
        prod = pick_product(rng)
        s.add("--in-vitro", "sink" if mode == "sink-loaded" else "closed")
        s.add("--product", prod)
        s.add("--size", rng.choice(DEB_PRODUCTS[prod]))
        s.add("--loading-mg-per-ml", fnum(rng, 5, DEB_MAX_LOADING, 1))
        s.add("--times-h", ascending_times(rng, rng.randrange(1, 7), 700, zero=rng.random() < 0.2))
        if mode == "closed":
            s.add("--bead-volume-ml", fnum(rng, 0.5, 4, 2))
            s.add("--medium-ml", fnum(rng, 10, 1000))
    else:
        s.add("--iv-bolus-mg", fnum(rng, 10, 150))
        s.add("--times-h", ascending_times(rng, rng.randrange(1, 9), 200, zero=rng.random() < 0.3))
    return finish(s, rng)


# ---------------------------------------------------------------------------------------------
# Planner inputs
# ---------------------------------------------------------------------------------------------

TERRITORY_NAMES = ["right", "left", "segment 4", "caudate", "right anterior", "S7", "left lateral", "S8"]
RE_KINDS = ["y90-glass", "y90-resin", "ho166"]


def gen_patient(rng):
    p = {"id": f"P-{rng.randrange(10 ** 6):06d}", "heightCm": pnum(rng, 145, 200), "weightKg": pnum(rng, 40, 130)}
    if rng.random() < 0.8:
        p["cirrhosis"] = rng.random() < 0.5
    if rng.random() < 0.9:
        p["histology"] = rng.choice(["HCC", "HCC", "ICC", "mCRC"])
    if rng.random() < 0.15:
        p["priorChestIrradiation"] = rng.random() < 0.5
    if rng.random() < 0.25:
        p["bsaFormula"] = rng.choice(["dubois", "mosteller"])
    labs = {}
    bili = rng.choice([rng.uniform(0.3, 1.2), rng.uniform(0.3, 1.2), rng.uniform(1.2, 3.2), rng.uniform(3, 6)])
    if rng.random() < 0.75:
        labs["bilirubinMgPerDl"] = round(bili, 1)
    else:
        labs["bilirubinUmolPerL"] = round(bili * 17.1, 0)
    alb = rng.uniform(2.5, 4.8)
    if rng.random() < 0.75:
        labs["albuminGPerDl"] = round(alb, 1)
    else:
        labs["albuminGPerL"] = round(alb * 10, 0)
    labs["inr"] = round(rng.uniform(0.9, 2.0), 2)
    labs["ascites"] = weighted(rng, [("none", 80), ("mild", 15), ("moderate-severe", 5)])
    labs["encephalopathy"] = weighted(rng, [("none", 85), ("grade1-2", 12), ("grade3-4", 3)])
    p["labs"] = labs
    if rng.random() < 0.3:
        prior = []
        for _ in range(rng.randrange(1, 3)):
            kind = rng.choice(RE_KINDS + ["deb-tace"])
            t = {"kind": kind, "date": (dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(900))).isoformat()}
            if kind == "deb-tace":
                t["doxorubicinMg"] = pnum(rng, 0, 300)
            else:
                t["lungDoseGy"] = pnum(rng, 0, 25)
            prior.append(t)
        p["priorTreatments"] = prior
    return p


def gen_anatomy(rng, modality):
    nterr = weighted(rng, [(1, 60), (2, 30), (3, 10)])
    names = rng.sample(TERRITORY_NAMES, nterr)
    terr = []
    tumour_no = 1
    for name in names:
        ntum = weighted(rng, [(1, 50), (2, 25), (3, 15), (4, 10)])
        tumours = []
        for _ in range(ntum):
            tumours.append({"name": f"T{tumour_no}", "massG": pnum(rng, 5, 400), "tnRatio": pnum(rng, 1, 8, 1)})
            tumour_no += 1
        t = {"name": name, "normalLiverMassG": pnum(rng, 200, 1200), "tumors": tumours}
        r = rng.random()
        if r < 0.12:
            # A segment treated with ablative intent (its own perfused-dose target, or the policy's default).
            t["intent"] = "ablative"
            t["normalLiverMassG"] = pnum(rng, 20, 200)
            if modality == "ho166" or rng.random() < 0.5:
                t["perfusedDoseTargetGy"] = pnum(rng, 100, 500)
        elif r < 0.2:
            t["intent"] = "segmental"
            if rng.random() < 0.5:
                t["perfusedDoseTargetGy"] = pnum(rng, 80, 300)
        elif r < 0.25:
            t["intent"] = "lobar"
        terr.append(t)
    if rng.random() < 0.2:
        # An image-derived anatomy (dosecalc voxel --anatomy-out): every compartment's DVH shape, 101 ratios
        # r_k = D_k / mean, never rising.
        def shape():
            top, fall = rng.uniform(1.0, 4.0), rng.uniform(0.5, 6.0)
            vals = [round(top * math.exp(-fall * k / 100), 6) for k in range(101)]
            for k in range(1, 101):
                vals[k] = min(vals[k], vals[k - 1])
            return vals
        for t in terr:
            t["normalLiverDoseRatioAtMassPercent"] = shape()
            for tu in t["tumors"]:
                tu["doseRatioAtMassPercent"] = shape()
    if len(terr) > 1 and rng.random() < 0.1:
        terr[-1]["excluded"] = True
    nl = sum(t["normalLiverMassG"] for t in terr)
    whole = nl if rng.random() < 0.35 else round(nl + rng.uniform(0, 600))
    a = {"lungShuntPercent": pnum(rng, 0, 20) if rng.random() < 0.9 else pnum(rng, 20, 30),
         "wholeNormalLiverMassG": whole, "territories": terr}
    if "normalLiverDoseRatioAtMassPercent" in terr[0]:
        a["imageSource"] = "local deposition of spect.nii.gz with labels labels.nii.gz"
    if rng.random() < 0.8:
        a["lungMassG"] = pnum(rng, 800, 1300) if rng.random() < 0.7 else 1000
    return a


def gen_plan_input(rng, modality=None):
    modality = modality or weighted(rng, [("y90-glass", 35), ("y90-resin", 25), ("ho166", 15), ("deb", 25)])
    plan = {}
    if rng.random() < 0.3:
        plan["description"] = "fuzz case"
    plan["patient"] = gen_patient(rng)
    t = {"modality": modality}
    if modality == "deb":
        prod = pick_product(rng)
        t["product"] = prod
        if rng.random() < 0.85:
            t["sizes"] = rng.sample(DEB_PRODUCTS[prod], min(len(DEB_PRODUCTS[prod]), rng.randrange(1, 3)))
        if rng.random() < 0.6:
            t["targetDoxorubicinMg"] = pnum(rng, 50, 150)
        if rng.random() < 0.25:
            t["plasmaPeakLimitNgPerMl"] = pnum(rng, 40, 200)
        if rng.random() < 0.25:
            t["maxBeadVolumeMl"] = pnum(rng, 1, 8, 1)
        if rng.random() < 0.4:
            t["loadingsMgPerMl"] = [pnum(rng, 10, 45, 1) for _ in range(rng.randrange(1, 4))]
    else:
        plan["anatomy"] = gen_anatomy(rng, modality)
        if rng.random() < 0.4:
            lo, hi = {"y90-glass": (150, 300), "y90-resin": (80, 150), "ho166": (60, 200)}[modality]
            t["tumorTargetGy"] = pnum(rng, lo, hi)
        if rng.random() < 0.45:
            cal = rand_utc(rng)
            first = cal + dt.timedelta(minutes=rng.randrange(0, 72 * 60))
            t["calibrationTime"] = rand_iso(rng, cal)
            t["earliestTreatmentTime"] = rand_iso(rng, first)
            if modality == "y90-glass" and rng.random() < 0.7:
                t["latestTreatmentTime"] = rand_iso(rng, first + dt.timedelta(minutes=rng.randrange(0, 96 * 60)))
        if "earliestTreatmentTime" in t and rng.random() < 0.3:
            start = rng.randrange(6 * 60, 12 * 60, 5)
            end = rng.randrange(start + 60, 22 * 60, 5)
            t["treatmentHours"] = "%02d:%02d-%02d:%02d" % (start // 60, start % 60, end // 60, end % 60)
        if rng.random() < 0.15:
            t["prescriptionTolerancePercent"] = pnum(rng, 0, 10)
        if rng.random() < 0.25:
            t["residualPercent"] = pnum(rng, 0, 5)
        if modality == "y90-glass":
            if rng.random() < 0.15:
                t["wholeNormalLiverLimitGy"] = pnum(rng, 40, 90)
            if rng.random() < 0.15:
                t["perfusedNormalLiverLimitGy"] = pnum(rng, 80, 150)
            if rng.random() < 0.2:
                t["vialSizesGBq"] = sorted(rng.sample([1.5, 2.5, 3, 5, 7, 10, 15, 20], rng.randrange(1, 5)))
        elif modality == "y90-resin" and rng.random() < 0.1:
            t["perfusedNormalLiverLimitGy"] = pnum(rng, 25, 40)
    plan["treatment"] = t
    return plan


def gen_plan(rng, force=()):
    plan = gen_plan_input(rng)
    s = Spec("plan", plan["treatment"]["modality"])
    s.plan = plan
    s.input_path = rng.choice(["patient.json", "{tmp}/patient.json", "./in/patient.json"])
    s.add("--input", s.input_path)
    if rng.random() < 0.1:
        s.add("--report", rng.choice(["plan.html", "{tmp}/report.html"]))
    return finish(s, rng, json_p=0.65)


GENERATORS = {
    "y90": gen_y90, "ho166": gen_ho166, "lsf": gen_lsf, "tn-ratio": gen_tn, "decay": gen_decay,
    "vial": gen_vial, "dose-factor": gen_dose_factor, "deb": gen_deb, "plan": gen_plan,
}
COMMAND_WEIGHTS = [("y90", 20), ("ho166", 8), ("lsf", 5), ("tn-ratio", 5), ("decay", 8), ("vial", 8),
                   ("dose-factor", 4), ("deb", 14), ("plan", 28)]

# ---------------------------------------------------------------------------------------------
# JSON text with duplicate keys, trailing commas and raw tokens
# ---------------------------------------------------------------------------------------------


class Raw:
    """A raw JSON token, written as is (NaN, 0x10, 1e400, deep nesting…)."""

    def __init__(self, text):
        self.text = text


class TList(list):
    """A list written with a trailing comma."""


TRAILING = ("__trailing_comma__",)


def dup_key(name, n=1):
    return ("__dup__", name, n)


def to_json(v, ensure_ascii=False):
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, dict):
        parts = []
        trailing = False
        for k, val in v.items():
            if k == TRAILING:
                trailing = True
                continue
            name = k[1] if isinstance(k, tuple) else k
            parts.append(json.dumps(name, ensure_ascii=ensure_ascii) + ": " + to_json(val, ensure_ascii))
        return "{" + ", ".join(parts) + ("," if trailing and parts else "") + "}"
    if isinstance(v, list):
        body = ", ".join(to_json(x, ensure_ascii) for x in v)
        return "[" + body + ("," if isinstance(v, TList) and v else "") + "]"
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("non-finite float must be written with Raw")
    return json.dumps(v, ensure_ascii=ensure_ascii)


def leaf_paths(v, path=(), numeric=True):
    """Paths to the numeric leaves (or, with numeric=False, the string leaves) of a JSON tree."""
    out = []
    if isinstance(v, dict):
        for k, val in v.items():
            out += leaf_paths(val, path + (k,), numeric)
    elif isinstance(v, list):
        for i, val in enumerate(v):
            out += leaf_paths(val, path + (i,), numeric)
    elif numeric and isinstance(v, (int, float)) and not isinstance(v, bool):
        out.append(path)
    elif not numeric and isinstance(v, str):
        out.append(path)
    return out


def object_paths(v, path=()):
    out = []
    if isinstance(v, dict):
        out.append(path)
        for k, val in v.items():
            out += object_paths(val, path + (k,))
    elif isinstance(v, list):
        for i, val in enumerate(v):
            out += object_paths(val, path + (i,))
    return out


def get_at(v, path):
    for p in path:
        v = v[p]
    return v


def set_at(v, path, value):
    get_at(v, path[:-1])[path[-1]] = value


def path_text(path):
    s = ""
    for p in path:
        s += f"[{p}]" if isinstance(p, int) else ("." if s else "") + str(p if not isinstance(p, tuple) else p[1])
    return s or "input"


# ---------------------------------------------------------------------------------------------
# Corruptions
# ---------------------------------------------------------------------------------------------

ARABIC = str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669")
FULLWIDTH = str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")

# name -> (weight, must be refused with exit 2 or 64)
CLI_VALUE_CORRUPTIONS = {
    "negative": (6, False), "zero": (5, False), "neg-zero": (5, False), "denormal": (3, False),
    "huge": (3, False), "overflow": (3, False), "nan": (5, True), "inf": (5, True), "hex": (4, True),
    "comma-decimal": (4, True), "arabic-digits": (3, True), "fullwidth-digits": (3, True),
    "newline": (4, True), "trailing-newline": (2, False), "empty": (3, False), "long-string": (2, False),
    "padded": (2, False), "unit-suffix": (2, False),
}
CLI_OTHER_CORRUPTIONS = {
    "misspelt-enum": (8, True), "invalid-date": (6, True), "duplicate-flag": (8, True), "unknown-flag": (6, True),
    "missing-required": (3, False), "extra-positional": (2, False), "inapplicable-flag": (3, False),
}
PLAN_CORRUPTIONS = {
    "negative": (4, False), "zero": (4, False), "neg-zero": (3, False), "denormal": (2, False), "huge": (2, False),
    "overflow": (2, False), "nan": (3, True), "inf": (3, True), "hex": (2, True), "comma-decimal": (2, True),
    "arabic-digits": (2, True), "fullwidth-digits": (2, True), "newline": (2, True), "wrong-type": (5, False),
    "null": (4, False), "misspelt-enum": (8, True), "invalid-date": (5, True), "duplicate-json-key": (6, True),
    "trailing-comma": (5, True), "unknown-key": (6, True), "missing-required": (5, False),
    "duplicate-names": (4, False), "empty-name": (3, False), "long-name": (2, False), "huge-array": (4, False),
    "deep-nesting": (3, False), "not-json": (3, False), "input-path": (2, False),
    "duplicate-flag": (2, True), "unknown-flag": (2, True),
}


def corrupt_number_text(rng, kind, value):
    """The corrupted text for one numeric command-line value."""
    v = value if value and value[0] in "-+0123456789." else "5"
    v = v.rstrip("%")
    if kind == "negative":
        return v[1:] if v.startswith("-") else "-" + v
    if kind == "zero":
        return rng.choice(["0", "0.0", "0e0", "0%"])
    if kind == "neg-zero":
        return rng.choice(["-0", "-0.0", "-0.00", "-0e0"])
    if kind == "denormal":
        return rng.choice(["1e-320", "4.9e-324", "-1e-320", "2.2250738585072014e-309"])
    if kind == "huge":
        return rng.choice(["1e308", "1.7976931348623157e308", "-1e308", "9" * 40])
    if kind == "overflow":
        return rng.choice(["1e400", "-1e400", "1e99999", "1" + "0" * 400])
    if kind == "nan":
        return rng.choice(["nan", "NaN", "-nan", "+nan", "NAN", "nan(0x1)", "snan"])
    if kind == "inf":
        return rng.choice(["inf", "Infinity", "-inf", "+INF", "infinity", "-Infinity"])
    if kind == "hex":
        return rng.choice(["0x10", "0x1p3", "0X1A", "0x1.8p1", "-0x10"])
    if kind == "comma-decimal":
        return v.replace(".", ",") if "." in v else rng.choice(["1,5", v + ",5", "1,000"])
    if kind == "arabic-digits":
        return v.translate(ARABIC).replace(".", rng.choice([".", "\u066b"]))
    if kind == "fullwidth-digits":
        return v.translate(FULLWIDTH).replace(".", rng.choice([".", "\uff0e"]))
    if kind == "newline":
        if len(v) < 2:
            v = v + v
        cut = rng.randrange(1, len(v))
        return rng.choice([v[:cut] + "\n" + v[cut:], v + "\n--json", "\n" + v + "\n5", v + "\r\n" + v])
    if kind == "trailing-newline":
        return v + rng.choice(["\n", "\r\n", "\t"])
    if kind == "empty":
        return rng.choice(["", " ", "%"])
    if kind == "long-string":
        return rng.choice(["9" * 5000, "1." + "1" * 5000, "x" * 10000, v * 1000])
    if kind == "padded":
        return rng.choice([" " + v, v + " ", "  " + v + "  ", "+" + v.lstrip("+")])
    if kind == "unit-suffix":
        return v + rng.choice(["g", " Gy", "mL", "x", "kg", "e"])
    raise ValueError(kind)


def corrupt_cli(spec, rng, kind):
    """Applies one CLI corruption in place; returns the field it touched."""
    valued = [o for o in spec.opts if o[1] is not None]
    if kind in CLI_VALUE_CORRUPTIONS:
        numeric = [o for o in valued if o[0] in NUMERIC_FLAGS]
        if kind == "comma-decimal":
            numeric = [o for o in numeric if o[0] not in LIST_FLAGS]
        if not numeric:
            return None
        o = rng.choice(numeric)
        if o[0] in LIST_FLAGS and "," in o[1] and kind not in ("empty", "long-string", "newline"):
            parts = o[1].split(",")
            i = rng.randrange(len(parts))
            parts[i] = corrupt_number_text(rng, kind, parts[i])
            o[1] = ",".join(parts)
        else:
            o[1] = corrupt_number_text(rng, kind, o[1])
        return o[0]
    if kind == "misspelt-enum":
        cands = [o for o in valued if (spec.command, o[0]) in MISSPELT]
        if not cands:
            return None
        o = rng.choice(cands)
        o[1] = rng.choice(MISSPELT[(spec.command, o[0])])
        return o[0]
    if kind == "invalid-date":
        cands = [o for o in valued if o[0] in TIME_FLAGS]
        if not cands:
            return None
        o = rng.choice(cands)
        o[1] = invalid_date(rng)
        return o[0]
    if kind == "duplicate-flag":
        if not valued:
            return None
        o = rng.choice(valued)
        if o[0] in NUMERIC_FLAGS and o[0] not in LIST_FLAGS:
            try:
                new = f"{float(o[1].rstrip('%')) * rng.choice([0.5, 2, 3, 10]):g}"
            except ValueError:
                new = o[1]
        elif (spec.command, o[0]) in MISSPELT or o[0] in ("--device", "--method", "--nuclide", "--product", "--in-vitro"):
            alternatives = {"--device": ["glass", "resin", "quiremspheres"], "--method": ["mird", "partition", "bsa", "empiric", "standard"],
                            "--nuclide": ["y90", "ho166"], "--product": list(DEB_PRODUCTS), "--in-vitro": ["sink", "closed"]}
            new = rng.choice(alternatives.get(o[0], [o[1]]))
        else:
            new = o[1]
        if rng.random() < 0.2:
            new = o[1]     # the very same value twice
        pos = rng.randrange(len(spec.opts) + 1)
        spec.opts.insert(pos, [o[0], new])
        return o[0]
    if kind == "unknown-flag":
        flag = rng.choice(UNKNOWN_FLAGS)
        pos = rng.randrange(len(spec.opts) + 1)
        spec.opts.insert(pos, [flag, rng.choice(["5", "1", "glass"]) if rng.random() < 0.6 else None])
        return flag
    if kind == "missing-required":
        if not valued:
            return None
        o = rng.choice(valued)
        spec.opts.remove(o)
        return o[0]
    if kind == "extra-positional":
        spec.opts.insert(rng.randrange(len(spec.opts) + 1), [rng.choice(["5", "glass", "--", "-"]), None])
        return "positional"
    if kind == "inapplicable-flag":
        flag = rng.choice(["--tn-ratio", "--perfused-mass-g", "--height-cm", "--days", "--times-h", "--liver-mass-g",
                           "--bead-volume-ml", "--hours"])
        if spec.has(flag):
            return None
        spec.opts.append([flag, "5"])
        return flag
    raise ValueError(kind)


def invalid_date(rng, date_only=False):
    if date_only:
        return rng.choice(["2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-05-12",
                           "2026/05/12", "12.05.2026", "2026-5-12x", ""])
    return rng.choice([
        "2026-02-30T10:00:00Z", "2025-02-29T10:00:00+01:00", "2026-11-26T09:30:00+25:00", "2026-11-26T09:30:00+99:99",
        "2026-11-26T09:30:00", "2026-13-01T00:00:00Z", "2026-11-26T24:30:00Z", "2026-11-26T09:60:00Z",
        "2026-11-26T09:30:61+01:00", "2026-04-31T08:00:00-05:00", "2026-11-26 09:30:00",
        "2026-11-26T09:30:00+01", "2026-11-26", "tomorrow", "2026-11-26T09:30:00+0100x",
    ])


PLAN_MISSPELT = {
    ("treatment", "modality"): ["Y90-glass", "radioembolisation", "y90_glass", "Deb", "glass", "y90-Glass", "holmium"],
    ("patient", "histology"): ["colorectal", "hepatocellular", "CRC", "HCCC", "cholangio", "mCRC2"],
    ("patient", "labs", "ascites"): ["Mild", "severe", "moderate", "None", "no"],
    ("patient", "labs", "encephalopathy"): ["grade 1-2", "Grade1-2", "yes", "grade1-4", "None"],
    ("patient", "bsaFormula"): ["DuBois", "boyd", "du bois", "Mosteller"],
    ("treatment", "product"): ["DC Bead", "dc-beads", "DC-Bead", "lifepearls", "Tandem"],
}
PRIOR_KIND_MISSPELT = ["radioembolisation", "y90glass", "TACE", "sirt-y90-glass", "Y90-GLASS", "doxorubicin", "holmium"]
SIZE_MISSPELT = ["100\u2013300", "100_300", "100-301", "100-300um", "300-500 ", "0100-300"]
UNKNOWN_KEYS = {
    (): ["patients", "Patient", "notes", "version"],
    ("patient",): ["sex", "height", "weightKG", "HeightCm", "heightCm ", "age"],
    ("patient", "labs"): ["bilirubinMgDl", "albumin", "INR", "creatinine"],
    ("anatomy",): ["lungShunt", "lungShuntFraction", "liverMassG", "wholeNormalLiverMass"],
    ("treatment",): ["targetGy", "tumourTargetGy", "vialSizes", "dose", "modalities", ""],
}
REQUIRED = [("patient",), ("patient", "id"), ("patient", "heightCm"), ("patient", "weightKg"), ("patient", "labs"),
            ("patient", "labs", "inr"), ("patient", "labs", "ascites"), ("patient", "labs", "encephalopathy"),
            ("treatment",), ("treatment", "modality"), ("anatomy",), ("anatomy", "lungShuntPercent"),
            ("anatomy", "wholeNormalLiverMassG"), ("anatomy", "territories"), ("anatomy", "territories", 0, "name"),
            ("anatomy", "territories", 0, "normalLiverMassG"), ("anatomy", "territories", 0, "tumors"),
            ("anatomy", "territories", 0, "tumors", 0, "massG"), ("anatomy", "territories", 0, "tumors", 0, "tnRatio"),
            ("anatomy", "territories", 0, "tumors", 0, "name")]


def raw_for(rng, kind, value):
    """A JSON token (raw text or Python value) replacing a number in the planner input."""
    v = value if isinstance(value, (int, float)) else 5
    if kind == "negative":
        return -abs(v) if v != 0 else -1
    if kind == "zero":
        return rng.choice([0, 0.0])
    if kind == "neg-zero":
        return Raw(rng.choice(["-0", "-0.0", "-0e0"]))
    if kind == "denormal":
        return Raw(rng.choice(["1e-320", "5e-324", "-1e-320"]))
    if kind == "huge":
        return Raw(rng.choice(["1e308", "1.7976931348623157e308", "-1e308"]))
    if kind == "overflow":
        return Raw(rng.choice(["1e400", "-1e400", "1" + "0" * 400]))
    if kind == "nan":
        return Raw(rng.choice(["NaN", "nan", "-NaN"]))
    if kind == "inf":
        return Raw(rng.choice(["Infinity", "-Infinity", "inf", "-inf"]))
    if kind == "hex":
        return Raw(rng.choice(["0x10", "0X1A", "0x1p3"]))
    if kind == "comma-decimal":
        return rng.choice(["1,5", f"{v}".replace(".", ","), Raw("1,5")])
    if kind == "arabic-digits":
        return rng.choice([str(v).translate(ARABIC), Raw(str(v).translate(ARABIC))])
    if kind == "fullwidth-digits":
        return rng.choice([str(v).translate(FULLWIDTH), Raw(str(v).translate(FULLWIDTH))])
    if kind == "newline":
        # a string with a newline (not a number), or a newline inside the number token (not JSON);
        # a newline after the token would be valid JSON whitespace, so it is not used
        digits = str(v) if len(str(v)) > 1 else "15"
        return rng.choice([f"{v}\n5", f"{v}\n", Raw(digits[:1] + "\n" + digits[1:])])
    if kind == "wrong-type":
        return rng.choice([str(v), True, False, [v], {"value": v}, "", "five"])
    if kind == "null":
        return None
    raise ValueError(kind)


def corrupt_plan(spec, rng, kind):
    """Applies one planner-input corruption in place; returns the field it touched."""
    plan = spec.plan
    if kind in ("negative", "zero", "neg-zero", "denormal", "huge", "overflow", "nan", "inf", "hex", "comma-decimal",
                "arabic-digits", "fullwidth-digits", "newline", "wrong-type", "null"):
        paths = leaf_paths(plan)
        if kind in ("wrong-type", "null"):
            paths += [p for p in leaf_paths(plan, numeric=False) if p[-1] != "description"]
        if not paths:
            return None
        p = rng.choice(paths)
        token = raw_for(rng, kind, get_at(plan, p))
        if kind == "comma-decimal" and isinstance(token, Raw) and isinstance(p[-1], int):
            token = "1,5"      # a raw 1,5 inside an array is two valid elements
        set_at(plan, p, token)
        return path_text(p)
    if kind == "misspelt-enum":
        cands = [k for k in PLAN_MISSPELT if _exists(plan, k)]
        if plan["patient"].get("priorTreatments"):
            cands.append(("patient", "priorTreatments", 0, "kind"))
        if plan["treatment"].get("sizes"):
            cands.append(("treatment", "sizes", 0))
        k = rng.choice(cands)
        if k[-1] == "kind":
            set_at(plan, k, rng.choice(PRIOR_KIND_MISSPELT))
        elif k[-2:] == ("sizes", 0):
            set_at(plan, k, rng.choice(SIZE_MISSPELT))
        else:
            set_at(plan, k, rng.choice(PLAN_MISSPELT[k]))
        return path_text(k)
    if kind == "invalid-date":
        t = plan["treatment"]
        cands = [("treatment", k) for k in ("calibrationTime", "earliestTreatmentTime", "latestTreatmentTime") if k in t]
        if plan["patient"].get("priorTreatments"):
            cands.append(("patient", "priorTreatments", 0, "date"))
        if not cands:
            if t["modality"] == "deb":
                plan["patient"]["priorTreatments"] = [{"kind": "deb-tace", "date": "2025-01-01", "doxorubicinMg": 50}]
                cands.append(("patient", "priorTreatments", 0, "date"))
            else:
                cal = rand_utc(rng)
                t["calibrationTime"] = rand_iso(rng, cal)
                t["earliestTreatmentTime"] = rand_iso(rng, cal + dt.timedelta(hours=20))
                cands = [("treatment", "calibrationTime"), ("treatment", "earliestTreatmentTime")]
        k = rng.choice(cands)
        set_at(plan, k, invalid_date(rng, date_only=(k[-1] == "date")))
        return path_text(k)
    if kind == "duplicate-json-key":
        objs = [p for p in object_paths(plan) if get_at(plan, p)]
        p = rng.choice(objs)
        obj = get_at(plan, p)
        keys = [k for k in obj if not isinstance(obj[k], (dict, list))] or list(obj)
        key = rng.choice(keys)
        val = obj[key]
        if isinstance(val, bool):
            new = not val
        elif isinstance(val, (int, float)):
            new = val * rng.choice([3, 10, 0.1, -1]) if rng.random() < 0.8 else val
        elif isinstance(val, str):
            new = rng.choice(["y90-resin", "deb", "mild", "ICC", val + "x", val])
        else:
            new = val
        rebuilt = {}
        for k, v in obj.items():
            rebuilt[k] = v
            if k == key:
                rebuilt[dup_key(key)] = new
        if rng.random() < 0.3:   # the duplicate first
            rebuilt = {dup_key(key): new, **{k: v for k, v in obj.items()}}
        if p:
            set_at(plan, p, rebuilt)
        else:
            spec.plan = rebuilt
        return path_text(p + (key,))
    if kind == "trailing-comma":
        if rng.random() < 0.6:
            objs = [p for p in object_paths(plan) if get_at(plan, p)]
            p = rng.choice(objs)
            get_at(plan, p)[TRAILING] = True
            return path_text(p) + " (object)"
        arrays = _array_paths(plan)
        if not arrays:
            plan["patient"][TRAILING] = True
            return "patient (object)"
        p = rng.choice(arrays)
        set_at(plan, p, TList(get_at(plan, p)))
        return path_text(p) + " (array)"
    if kind == "unknown-key":
        cands = [(p, names) for p, names in UNKNOWN_KEYS.items() if _exists(plan, p)]
        if plan.get("anatomy"):
            cands.append((("anatomy", "territories", 0), ["volumeMl", "Name", "tumours"]))
            cands.append((("anatomy", "territories", 0, "tumors", 0), ["volumeMl", "tnratio", "TN"]))
        p, names = rng.choice(cands)
        obj = get_at(plan, p)
        key = rng.choice([n for n in names if n not in obj] or ["zzz"])
        obj[key] = rng.choice([5, "x", True, None, {"a": 1}])
        return path_text(p + (key,))
    if kind == "missing-required":
        cands = [k for k in REQUIRED if _exists(plan, k)]
        labs = plan["patient"]["labs"]
        cands.append(("patient", "labs", "bilirubinMgPerDl" if "bilirubinMgPerDl" in labs else "bilirubinUmolPerL"))
        cands.append(("patient", "labs", "albuminGPerDl" if "albuminGPerDl" in labs else "albuminGPerL"))
        k = rng.choice(cands)
        del get_at(plan, k[:-1])[k[-1]]
        return path_text(k)
    if kind == "duplicate-names":
        a = plan.get("anatomy")
        if not a:
            return None
        terr = a["territories"]
        if len(terr) > 1 and rng.random() < 0.5:
            terr[1]["name"] = terr[0]["name"]
            return "anatomy.territories[].name"
        tumours = [t for tt in terr for t in tt["tumors"]]
        if len(tumours) < 2:
            terr[0]["tumors"].append(dict(terr[0]["tumors"][0]))
        else:
            tumours[1]["name"] = tumours[0]["name"]
        return "anatomy.territories[].tumors[].name"
    if kind in ("empty-name", "long-name"):
        cands = [("patient", "id")]
        if plan.get("anatomy"):
            cands += [("anatomy", "territories", 0, "name"), ("anatomy", "territories", 0, "tumors", 0, "name")]
        k = rng.choice(cands)
        if kind == "empty-name":
            set_at(plan, k, rng.choice(["", " ", "\t"]))
        else:
            set_at(plan, k, rng.choice(["x" * 10000, "<script>alert(1)</script>" * 200, "é" * 5000, "\u202e" * 1000]))
        return path_text(k)
    if kind == "huge-array":
        t = plan["treatment"]
        if t["modality"] == "deb":
            what = rng.choice(["loadings", "loadings", "sizes", "prior"])
            if what == "loadings":
                t["loadingsMgPerMl"] = [round(10 + 35 * i / 999, 3) for i in range(1000)]
                return "treatment.loadingsMgPerMl (1000)"
            if what == "sizes":
                t["sizes"] = [rng.choice(DEB_PRODUCTS[t["product"]]) for _ in range(1000)]
                return "treatment.sizes (1000)"
        else:
            what = rng.choice(["tumours", "tumours", "territories", "vials", "prior"])
            a = plan["anatomy"]
            if what == "tumours":
                a["territories"][0]["tumors"] = [{"name": f"T{i}", "massG": 1 + (i % 7), "tnRatio": 1 + (i % 5)} for i in range(1000)]
                return "anatomy.territories[0].tumors (1000)"
            if what == "territories":
                a["territories"] = [{"name": f"S{i}", "normalLiverMassG": 10, "tumors": [{"name": f"T{i}", "massG": 2, "tnRatio": 3}]}
                                    for i in range(1000)]
                a["wholeNormalLiverMassG"] = 10000
                return "anatomy.territories (1000)"
            if what == "vials":
                t["vialSizesGBq"] = [round(0.5 + i * 0.02, 2) for i in range(1000)]
                return "treatment.vialSizesGBq (1000)"
        plan["patient"]["priorTreatments"] = [{"kind": "y90-glass", "date": "2025-01-01", "lungDoseGy": 0.01}
                                              for _ in range(1000)]
        return "patient.priorTreatments (1000)"
    if kind == "deep-nesting":
        depth = rng.choice([64, 513, 1000, 10000, 100000])
        junk = Raw(rng.choice(["[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth]))
        where = rng.random()
        if where < 0.4:
            plan["patient"]["junk"] = junk
            return f"patient.junk (depth {depth})"
        if where < 0.7:
            plan["treatment"]["modality"] = junk
            return f"treatment.modality (depth {depth})"
        plan["description"] = junk
        return f"description (depth {depth})"
    raise ValueError(kind)


def _exists(plan, path):
    try:
        get_at(plan, path)
        return True
    except (KeyError, IndexError, TypeError):
        return False


def _array_paths(v, path=()):
    out = []
    if isinstance(v, dict):
        for k, val in v.items():
            out += _array_paths(val, path + (k,))
    elif isinstance(v, list):
        if v:
            out.append(path)
        for i, val in enumerate(v):
            out += _array_paths(val, path + (i,))
    return out


# ---------------------------------------------------------------------------------------------
# Output-file abuse (--report, --csv): every target lives in the case's temp dir
# ---------------------------------------------------------------------------------------------

FILE_ABUSE = ["directory", "devnull", "symlink-to-file", "symlink-dangling", "symlink-to-dir", "input-itself",
              "readonly-file", "readonly-dir", "missing-parent", "empty-path", "long-name", "trailing-slash"]


def file_abuse_target(spec, rng, kind):
    """Returns the path to pass and records the setup actions in spec.setup."""
    if kind == "directory":
        spec.setup.append(("mkdir", "out.d"))
        return rng.choice(["out.d", "{tmp}/out.d", ".", "{tmp}"])
    if kind == "devnull":
        spec.setup.append(("devnull", "null"))
        return rng.choice(["null", "{tmp}/null"])
    if kind == "symlink-to-file":
        spec.setup.append(("write", "target.txt", "precious\n"))
        spec.setup.append(("symlink", "link.out", "target.txt"))
        return "link.out"
    if kind == "symlink-dangling":
        spec.setup.append(("symlink", "dangling.out", "nowhere/target.out"))
        return "dangling.out"
    if kind == "symlink-to-dir":
        spec.setup.append(("mkdir", "sub"))
        spec.setup.append(("symlink", "dirlink", "sub"))
        return "dirlink"
    if kind == "input-itself":
        return spec.input_path
    if kind == "readonly-file":
        spec.setup.append(("write", "ro.out", "read-only\n"))
        spec.setup.append(("chmod", "ro.out", 0o444))
        return "ro.out"
    if kind == "readonly-dir":
        spec.setup.append(("mkdir", "rodir"))
        spec.setup.append(("chmod", "rodir", 0o555))
        return "rodir/out.file"
    if kind == "missing-parent":
        return rng.choice(["nodir/sub/out.file", "{tmp}/nodir/out.file"])
    if kind == "empty-path":
        return ""
    if kind == "long-name":
        return "n" * 300 + ".out"
    if kind == "trailing-slash":
        return "out.file/"
    raise ValueError(kind)


# ---------------------------------------------------------------------------------------------
# Case generation
# ---------------------------------------------------------------------------------------------


def make_case(seed, index):
    rng = random.Random(f"dosecalc-fuzz:{seed}:{index}")
    r = rng.random()
    category = "valid" if r < 0.40 else ("file-abuse" if r < 0.46 else "corrupt")
    case = {"index": index, "category": category, "corruption": None, "field": None, "must_refuse": False}
    if category == "file-abuse":
        command = rng.choice(["deb", "plan"])
        spec = gen_deb(rng, force=("in-vivo",)) if command == "deb" else gen_plan(rng)
        kinds = [k for k in FILE_ABUSE if command == "plan" or k != "input-itself"]
        kind = rng.choice(kinds)
        flag = "--csv" if command == "deb" else "--report"
        spec.opts = [o for o in spec.opts if o[0] != flag]
        spec.add(flag, file_abuse_target(spec, rng, kind))
        case.update(corruption="file:" + kind, field=flag)
    else:
        command = weighted(rng, COMMAND_WEIGHTS)
        if category == "valid":
            spec = GENERATORS[command](rng)
        else:
            spec = None
            for _ in range(20):
                if command == "plan":
                    table = PLAN_CORRUPTIONS
                else:
                    table = dict(CLI_VALUE_CORRUPTIONS)
                    table.update(CLI_OTHER_CORRUPTIONS)
                kind = weighted(rng, [(k, w) for k, (w, _) in table.items()])
                force = ("times",) if kind == "invalid-date" else ()
                candidate = GENERATORS[command](rng, force)
                if command == "plan" and kind in ("duplicate-flag", "unknown-flag"):
                    field = corrupt_plan_cli(candidate, rng, kind)
                elif command == "plan" and kind == "not-json":
                    field = not_json(candidate, rng)
                elif command == "plan" and kind == "input-path":
                    field = input_path_abuse(candidate, rng)
                elif command == "plan":
                    field = corrupt_plan(candidate, rng, kind)
                else:
                    field = corrupt_cli(candidate, rng, kind)
                if field is not None:
                    spec = candidate
                    case.update(corruption=kind, field=field, must_refuse=table[kind][1])
                    break
            if spec is None:     # nothing applicable: run it valid
                spec = GENERATORS[command](rng)
                case["category"] = "valid"
    case["command"] = spec.command
    case["variant"] = spec.variant
    case["args"] = spec.args()
    case["setup"] = spec.setup
    files = dict(spec.files)
    if spec.plan is not None and "input" not in files and spec.input_path not in (None,) and not spec.files.get("__no_input__"):
        files["input"] = to_json(spec.plan, ensure_ascii=rng.random() < 0.3)
    files.pop("__no_input__", None)
    case["files"] = files
    case["input_path"] = spec.input_path
    return case


def corrupt_plan_cli(spec, rng, kind):
    if kind == "duplicate-flag":
        other = gen_plan_input(rng)
        spec.files["other.json"] = to_json(other)
        spec.opts.insert(rng.randrange(len(spec.opts) + 1), ["--input", "other.json"])
        return "--input"
    flag = rng.choice(UNKNOWN_FLAGS + ["--out", "--reports", "--input-file"])
    spec.opts.insert(rng.randrange(len(spec.opts) + 1), [flag, "x.json" if rng.random() < 0.6 else None])
    return flag


def not_json(spec, rng):
    text = to_json(spec.plan)
    choice = rng.choice(["empty", "truncated", "array", "null", "junk", "bom", "utf16", "json-lines", "comment", "single-quotes"])
    spec.files["input"] = {
        "empty": "",
        "truncated": text[: len(text) // 2],
        "array": "[" + text + "]",
        "null": "null",
        "junk": "\x7fELF\x02\x01\x01" + "\x00" * 8 + "garbage",
        "bom": "\ufeff" + text,
        "utf16": None,
        "json-lines": text + "\n" + text,
        "comment": "// patient\n" + text,
        "single-quotes": text.replace('"', "'"),
    }[choice]
    if choice == "utf16":
        spec.files["input"] = ("utf-16", text)
    return "input file (" + choice + ")"


def input_path_abuse(spec, rng):
    kind = rng.choice(["directory", "missing", "devnull", "empty", "trailing-slash"])
    spec.files["__no_input__"] = True
    idx = [i for i, o in enumerate(spec.opts) if o[0] == "--input"][0]
    if kind == "directory":
        spec.setup.append(("mkdir", "indir"))
        spec.opts[idx][1] = "indir"
    elif kind == "missing":
        spec.opts[idx][1] = "missing.json"
    elif kind == "devnull":
        spec.opts[idx][1] = "/dev/null"       # read only: safe
    elif kind == "empty":
        spec.opts[idx][1] = ""
    else:
        spec.files["__no_input__"] = False
        spec.opts[idx][1] = spec.input_path + "/"
    spec.input_path = spec.opts[idx][1]
    return "--input (" + kind + ")"


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------

_MKNOD_OK = None
_MKNOD_LOCK = threading.Lock()


def can_mknod(tmp):
    global _MKNOD_OK
    with _MKNOD_LOCK:
        if _MKNOD_OK is None:
            p = os.path.join(tmp, ".mknod-probe")
            try:
                os.mknod(p, stat.S_IFCHR | 0o666, os.makedev(1, 3))
                os.unlink(p)
                _MKNOD_OK = True
            except OSError:
                _MKNOD_OK = False
        return _MKNOD_OK


def materialize(case, tmp):
    """Writes the input files and performs the setup actions inside tmp (and nowhere else)."""
    for name, content in case["files"].items():
        if name == "input":
            path = case["input_path"]
            if not path or path.endswith("/"):
                path = (path or "").rstrip("/") or "patient.json"
        else:
            path = name
        path = path.replace("{tmp}", tmp)
        full = path if os.path.isabs(path) else os.path.join(tmp, path)
        full = os.path.normpath(full)
        if not full.startswith(tmp + os.sep):
            continue
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if isinstance(content, tuple):
            with open(full, "wb") as f:
                f.write(content[1].encode(content[0]))
        else:
            with open(full, "wb") as f:
                f.write(content.encode("utf-8", "surrogatepass"))
    for action in case["setup"]:
        op, name = action[0], action[1]
        full = os.path.join(tmp, name)
        if op == "mkdir":
            os.makedirs(full, exist_ok=True)
        elif op == "write":
            with open(full, "w") as f:
                f.write(action[2])
        elif op == "chmod":
            os.chmod(full, action[2])
        elif op == "symlink":
            os.symlink(action[2], full)          # relative target: stays inside tmp
        elif op == "devnull":
            # A character device 1:3 (like /dev/null) inside the temp dir. Never the real /dev/null: an
            # atomic write run as root would rename its temp file over it.
            if can_mknod(tmp):
                os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 3))
            else:
                os.makedirs(full, exist_ok=True)   # fall back to a directory


def execute(binary, args, cwd, env):
    t0 = time.monotonic()
    proc = subprocess.Popen([binary] + args, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)   # our own child's process group only
        except OSError:
            proc.kill()
        out, err = proc.communicate()
    elapsed = time.monotonic() - t0
    return {"code": proc.returncode, "stdout": out, "stderr": err, "elapsed": elapsed, "timed_out": timed_out}


def _rm_tree(path):
    def onerror(func, p, exc):
        try:
            os.chmod(os.path.dirname(p), 0o755)
            os.chmod(p, 0o755)
            func(p)
        except OSError:
            pass
    for root, dirs, _ in os.walk(path):
        for d in dirs:
            dp = os.path.join(root, d)
            if not os.path.islink(dp):
                try:
                    os.chmod(dp, 0o755)
                except OSError:
                    pass
    shutil.rmtree(path, onerror=onerror)


def run_case(case, binary, env, keep=False):
    attempts = []
    for attempt in range(2):
        tmp = os.path.realpath(tempfile.mkdtemp(prefix="dosecalc-fuzz-"))
        try:
            materialize(case, tmp)
            args = [a.replace("{tmp}", tmp) for a in case["args"]]
            res = execute(binary, args, tmp, env)
            res["tmp"] = tmp
            attempts.append(res)
        finally:
            if not keep:
                _rm_tree(tmp)
        if not (res["timed_out"] or res["elapsed"] > TIMEOUT_S):
            break
        # slow: run once more to rule out a load spike on the shared machine
    res = attempts[-1]
    res["slow"] = all(a["timed_out"] or a["elapsed"] > TIMEOUT_S for a in attempts)
    res["elapsed_all"] = [round(a["elapsed"], 3) for a in attempts]
    return res


# ---------------------------------------------------------------------------------------------
# The contract
# ---------------------------------------------------------------------------------------------

NONFINITE_RE = re.compile(r"(?<![A-Za-z0-9_.])[-+\u2212]?(?:nan|inf(?:inity)?)(?![A-Za-z0-9_])", re.IGNORECASE)
NEGZERO_RE = re.compile(r"(?<![\w.\-\u2212])[-\u2212]0(?:\.0*)?(?:[eE][-+]?\d+)?(?![\w.])")
QUANTITY_SUFFIXES = ("Gy", "GBq", "MCi", "Mg", "MgPerMl", "NgPerMl", "UM", "Ml", "G", "Percent")
SIGNED_KEY_PARTS = ("margin", "delta", "difference", "deviation", "error", "change", "offset", "relative",
                    "hours", "time", "shift")
# stderr that blames the reference data (a broken or missing data file must exit 78)
DATA_ERROR_RE = re.compile(r"reference-data/\S+\.json|reference-data directory|DOSECALC_REFERENCE_DATA")
SIGNALS = {getattr(signal, n): n for n in dir(signal) if n.startswith("SIG") and not n.startswith("SIG_")}


def _reject_constant(name):
    raise ValueError(f"non-finite JSON constant {name}")


def quantity_key(key):
    if not isinstance(key, str) or not key.endswith(QUANTITY_SUFFIXES):
        return False
    low = key.lower()
    return not any(part in low for part in SIGNED_KEY_PARTS)


def negative_quantities(v, path=""):
    """(path, value) of every negative number under a physical-quantity key (a number, a list of numbers,
    or a dict of numbers keyed by names, e.g. tumorDosesGy: {"T1": 205})."""
    out = []
    if isinstance(v, dict):
        for k, val in v.items():
            sub = f"{path}.{k}" if path else str(k)
            if quantity_key(k):
                out += _negative_values(val, sub)
            if isinstance(val, (dict, list)):
                out += negative_quantities(val, sub)
    elif isinstance(v, list):
        for i, val in enumerate(v):
            out += negative_quantities(val, f"{path}[{i}]")
    return out


def _negative_values(v, path):
    if isinstance(v, bool):
        return []
    if isinstance(v, (int, float)):
        return [(path, v)] if v < 0 else []
    out = []
    if isinstance(v, list):
        for i, x in enumerate(v):
            if isinstance(x, (int, float, list)) and not isinstance(x, bool):
                out += _negative_values(x, f"{path}[{i}]")
    elif isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, (int, float)) and not isinstance(x, bool):
                out += _negative_values(x, f"{path}.{k}")
    return out


def check_contract(case, res):
    """Returns [(kind, detail)] for every contract violation of one run."""
    v = []
    code = res["code"]
    out = res["stdout"].decode("utf-8", "replace")
    err = res["stderr"].decode("utf-8", "replace")
    if res["slow"]:
        v.append(("slow", f"over {TIMEOUT_S:g} s (runs: {res['elapsed_all']} s{', killed' if res['timed_out'] else ''})"))
        if res["timed_out"]:
            return v
    if code < 0 or code in (132, 133, 134, 135, 136, 137, 139):
        sig = -code if code < 0 else code - 128
        v.append(("crash", f"killed by {SIGNALS.get(sig, sig)} (exit {code})"))
        return v
    if code not in ALLOWED_EXIT:
        v.append(("exit-1" if code == 1 else "bad-exit-code", f"exit code {code} is not in {sorted(ALLOWED_EXIT)}"))
    if case["must_refuse"] and code not in REFUSAL_EXIT:
        v.append(("accepted-bad-input", f"{case['corruption']} in {case['field']}: exit {code}, expected 2 or 64"))
    if code in ERROR_EXIT:
        if out:
            v.append(("error-with-stdout", f"exit {code} with {len(out)} bytes on stdout"))
        body = err[:-1] if err.endswith("\n") else err
        lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n") if body else []
        if len(lines) != 1 or not body.strip():
            v.append(("stderr-not-one-line", f"exit {code} with {len(lines)} stderr line(s)"))
        if code != 78 and DATA_ERROR_RE.search(err):
            v.append(("data-error-not-78", f"a reference-data problem reported with exit {code}"))
    if code in RESULT_EXIT:
        if not out.strip():
            v.append(("result-without-stdout", f"exit {code} with empty stdout"))
        if err:
            v.append(("result-with-stderr", f"exit {code} with stderr: {err[:120]!r}"))
    if out:
        m = NONFINITE_RE.search(out)
        if m:
            v.append(("non-finite-output", f"'{m.group(0)}' in: {_context(out, m)!r}"))
        m = NEGZERO_RE.search(out)
        if m:
            v.append(("negative-zero-output", f"'{m.group(0)}' in: {_context(out, m)!r}"))
    if code in RESULT_EXIT and "--json" in case["args"] and out.strip():
        try:
            obj = json.loads(out, parse_constant=_reject_constant)
        except ValueError as e:
            v.append(("json-invalid", str(e)[:200]))
            return v
        if not isinstance(obj, dict):
            v.append(("json-invalid", f"top level is {type(obj).__name__}, not an object"))
            return v
        status = obj.get("status")
        if status not in OK_STATUSES | BAD_STATUSES:
            v.append(("json-bad-status", f"status {status!r}"))
        elif (code == 0) != (status in OK_STATUSES):
            v.append(("exit-status-mismatch", f"exit {code} with status {status!r}"))
        neg = negative_quantities(obj)
        if neg:
            v.append(("negative-quantity", ", ".join(f"{p} = {x!r}" for p, x in neg[:4])))
        re_plan = obj.get("radioembolization")
        if isinstance(re_plan, dict) and case["args"][:1] == ["plan"]:
            v += check_orders(re_plan, status)
        if status == "ok":
            bad = []
            for c in obj.get("checks") or []:
                # A check that carries a state was evaluated unless it says notEvaluated; older output has only "passed".
                failed = c.get("state") == "failed" if "state" in c else c.get("passed") is not True
                if isinstance(c, dict) and c.get("severity") == "hard" and failed:
                    bad.append(str(c.get("name")))
            if bad:
                v.append(("ok-with-failed-hard-check", "status ok but hard check(s) failed: " + ", ".join(bad[:4])))
    return v


def check_orders(re_plan, status):
    """A plan's orders: none unless ok or warning; every administration inside the treatment hours;
    no treated territory left at 0 GBq on a deliverable plan."""
    v = []
    orders = re_plan.get("orders") or []
    if status in BAD_STATUSES and orders:
        v.append(("order-on-bad-plan", f"status {status} with {len(orders)} order line(s)"))
    hours = re_plan.get("treatmentHours")
    if hours and orders:
        a, b = hours.split("-")
        lo, hi = int(a[:2]) * 60 + int(a[3:]), int(b[:2]) * 60 + int(b[3:])
        for o in orders:
            local = o.get("administrationTimeLocal") or ""
            m = re.search(r", (\d\d):(\d\d) \(", local)
            if m and not lo <= int(m.group(1)) * 60 + int(m.group(2)) <= hi:
                v.append(("order-outside-hours", f"{local} outside {hours}"))
    if status in OK_STATUSES:
        for t in re_plan.get("territories") or []:
            if t.get("prescription") != "excluded" and not (t.get("activityGBq") or 0) > 0:
                v.append(("territory-without-activity", f"territory {t.get('name')!r} receives 0 GBq on an {status} plan"))
    return v


def _context(text, m, width=50):
    return text[max(0, m.start() - width): m.end() + width]


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


def short_args(args, limit=300):
    s = shlex.join(["dosecalc"] + [a if len(a) <= 80 else a[:60] + f"…(+{len(a) - 60} chars)" for a in args])
    s = s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    return s if len(s) <= limit else s[:limit] + "…"


def violation_record(case, res, violations):
    rec = {
        "index": case["index"], "command": case["command"], "variant": case["variant"], "category": case["category"],
        "corruption": case["corruption"], "field": case["field"], "args": case["args"], "shell": short_args(case["args"], 2000),
        "exit": res["code"], "elapsed_s": res["elapsed_all"],
        "stdout_head": res["stdout"].decode("utf-8", "replace")[:1500],
        "stderr_head": res["stderr"].decode("utf-8", "replace")[:1500],
        "violations": [{"kind": k, "detail": d} for k, d in violations],
    }
    if case["files"]:
        rec["files"] = {}
        for name, content in case["files"].items():
            text = content[1] if isinstance(content, tuple) else content
            rec["files"][name] = text if len(text) <= 4000 else text[:4000] + f"…(+{len(text) - 4000} chars)"
    if case["setup"]:
        rec["setup"] = [list(a) for a in case["setup"]]
    return rec


def percentile(xs, q):
    if not xs:
        return 0.0
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(q * (len(xs) - 1)))))
    return xs[k]


def main(argv=None):
    ap = argparse.ArgumentParser(description="dosecalc fuzz campaign (see Tests/Fuzz/README.md)")
    ap.add_argument("--binary", required=True, help="path to the dosecalc executable")
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT, help=f"number of cases (default {DEFAULT_COUNT})")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"campaign seed (default {DEFAULT_SEED})")
    ap.add_argument("--jobs", type=int, default=2, help="concurrent runs (default 2)")
    ap.add_argument("--out", help="report file (JSON); default: a file in the system temp dir")
    ap.add_argument("--reference-data", default=DEFAULT_REFERENCE_DATA,
                    help="value of DOSECALC_REFERENCE_DATA (default: the repository's reference-data/, found from this script)")
    ap.add_argument("--no-reference-env", action="store_true", help="do not set DOSECALC_REFERENCE_DATA (the binary must find its data)")
    ap.add_argument("--only", help="comma-separated case indices to replay (prints every detail)")
    ap.add_argument("--keep", action="store_true", help="with --only: keep the temp dirs")
    ap.add_argument("--examples", type=int, default=3, help="examples per violation kind in the summary (default 3)")
    a = ap.parse_args(argv)

    binary = os.path.abspath(a.binary)
    if not os.access(binary, os.X_OK):
        print(f"campaign: {binary} is not an executable", file=sys.stderr)
        return 2
    env = {k: val for k, val in os.environ.items() if k != "DOSECALC_REFERENCE_DATA"}
    if not a.no_reference_env:
        env["DOSECALC_REFERENCE_DATA"] = os.path.abspath(a.reference_data)

    if a.only:
        failed = 0
        for idx in [int(x) for x in a.only.split(",") if x.strip()]:
            case = make_case(a.seed, idx)
            res = run_case(case, binary, env, keep=a.keep)
            viol = check_contract(case, res)
            failed += bool(viol)
            print(json.dumps(violation_record(case, res, viol), indent=2, ensure_ascii=False))
            print(f"stdout ({len(res['stdout'])} bytes):\n{res['stdout'].decode('utf-8', 'replace')}")
            print(f"stderr ({len(res['stderr'])} bytes):\n{res['stderr'].decode('utf-8', 'replace')}")
            if a.keep:
                print(f"temp dir kept: {res['tmp']}")
        print(f"fuzz: {len(a.only.split(',')) - failed} passed, {failed} failed")
        return 0 if failed == 0 else 1

    out_path = a.out or os.path.join(tempfile.gettempdir(), f"dosecalc-fuzz-report-{a.seed}.json")
    print("dosecalc fuzz campaign")
    print(f"  binary:          {binary}")
    print(f"  seed:            {a.seed}")
    print(f"  count / jobs:    {a.count} / {a.jobs}")
    print(f"  reference data:  {env.get('DOSECALC_REFERENCE_DATA', '(not set: the binary finds its own)')}")
    print(f"  reproduce:       python3 {os.path.relpath(os.path.abspath(__file__))} --binary {a.binary} --seed {a.seed} --count {a.count}")
    print(f"  replay one case: python3 {os.path.relpath(os.path.abspath(__file__))} --binary {a.binary} --seed {a.seed} --only INDEX", flush=True)

    started = time.time()
    per_command = collections.defaultdict(collections.Counter)     # command -> category counts
    exits = collections.defaultdict(collections.Counter)           # command -> exit code counts
    variant_exits = collections.defaultdict(collections.Counter)   # command/variant (valid only) -> exit
    corruption_outcomes = collections.defaultdict(collections.Counter)  # corruption -> outcome
    kinds = collections.Counter()
    breakdown = collections.defaultdict(collections.Counter)      # kind -> command/corruption counts
    examples = collections.defaultdict(list)
    records = []
    elapsed = []
    failed = 0
    done = 0
    lock = threading.Lock()

    def work(i):
        case = make_case(a.seed, i)
        res = run_case(case, binary, env)
        return case, res, check_contract(case, res)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = [pool.submit(work, i) for i in range(a.count)]
        for fut in concurrent.futures.as_completed(futures):
            case, res, viol = fut.result()
            with lock:
                done += 1
                cmd = case["command"]
                per_command[cmd][case["category"]] += 1
                exits[cmd][res["code"]] += 1
                elapsed.append(res["elapsed"])
                if case["category"] == "valid":
                    variant_exits[f"{cmd} {case['variant']}"][res["code"]] += 1
                else:
                    outcome = "accepted (0/3)" if res["code"] in RESULT_EXIT else (
                        "refused (2/64)" if res["code"] in REFUSAL_EXIT else f"exit {res['code']}")
                    corruption_outcomes[case["corruption"]][outcome] += 1
                if viol:
                    failed += 1
                    rec = violation_record(case, res, viol)
                    records.append(rec)
                    for k, d in viol:
                        kinds[k] += 1
                        breakdown[k][f"{cmd}/{case['corruption'] or 'valid'}"] += 1
                        if len(examples[k]) < 50:
                            examples[k].append((case["index"], rec, d))
                if done % 1000 == 0:
                    print(f"  … {done}/{a.count} run, {failed} failed, {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    wall = time.time() - started
    records.sort(key=lambda r: r["index"])

    # ---- figures
    print()
    print("cases by command (valid / corrupt / file-abuse):")
    for cmd, _ in COMMAND_WEIGHTS:
        c = per_command.get(cmd, collections.Counter())
        print(f"  {cmd:12s} {sum(c.values()):6d}  ({c['valid']} / {c['corrupt']} / {c['file-abuse']})")
    tot = collections.Counter()
    for c in per_command.values():
        tot.update(c)
    print(f"  {'total':12s} {sum(tot.values()):6d}  ({tot['valid']} / {tot['corrupt']} / {tot['file-abuse']})")
    print("exit codes by command:")
    for cmd, _ in COMMAND_WEIGHTS:
        if cmd in exits:
            print(f"  {cmd:12s} " + ", ".join(f"{k}: {n}" for k, n in sorted(exits[cmd].items())))
    print("valid inputs by variant (exit codes; a refused valid input is not a violation, but worth a look):")
    for key in sorted(variant_exits):
        print(f"  {key:28s} " + ", ".join(f"{k}: {n}" for k, n in sorted(variant_exits[key].items())))
    print("corruptions: outcome (accepted = exit 0/3):")
    for key in sorted(corruption_outcomes, key=str):
        c = corruption_outcomes[key]
        print(f"  {str(key):28s} " + ", ".join(f"{k}: {n}" for k, n in sorted(c.items())))
    print(f"timing: {wall:.1f} s wall for {a.count} cases; per run mean {1000 * sum(elapsed) / max(1, len(elapsed)):.1f} ms, "
          f"p50 {1000 * percentile(elapsed, 0.5):.1f} ms, p99 {1000 * percentile(elapsed, 0.99):.1f} ms, max {1000 * max(elapsed or [0]):.0f} ms")

    # ---- violations
    print()
    if kinds:
        print("violations by kind:")
        for k, n in kinds.most_common():
            print(f"  {k}: {n}")
            groups = breakdown[k].most_common(8)
            print("    by command/corruption: " + ", ".join(f"{g} {m}" for g, m in groups)
                  + (", …" if len(breakdown[k]) > 8 else ""))
            picked = _spread(examples[k], a.examples)
            for idx, rec, detail in picked:
                print(f"    #{idx} [{rec['command']} {rec['variant']}; {rec['corruption'] or 'valid'}] exit {rec['exit']}: {detail}")
                print(f"       {short_args(rec['args'], 240)}")
                print(f"       → {_outcome_line(rec)}")
    else:
        print("no violations")

    report = {
        "seed": a.seed, "count": a.count, "jobs": a.jobs, "binary": binary,
        "reference_data": env.get("DOSECALC_REFERENCE_DATA"), "wall_s": round(wall, 1),
        "passed": a.count - failed, "failed": failed,
        "counts_by_command": {k: dict(v) for k, v in per_command.items()},
        "exit_codes_by_command": {k: {str(c): n for c, n in v.items()} for k, v in exits.items()},
        "valid_exit_codes_by_variant": {k: {str(c): n for c, n in v.items()} for k, v in variant_exits.items()},
        "corruption_outcomes": {str(k): dict(v) for k, v in corruption_outcomes.items()},
        "violations_by_kind": dict(kinds.most_common()),
        "violations_by_kind_and_corruption": {k: dict(v.most_common()) for k, v in breakdown.items()},
        "violations": records,
    }
    with open(out_path, "w") as f:
        json.dump(report, f, indent=1, ensure_ascii=False)
    print(f"report: {out_path}")
    print(f"fuzz: {a.count - failed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def _outcome_line(rec):
    if rec["stderr_head"].strip():
        return rec["stderr_head"].strip().splitlines()[0][:200]
    out = rec["stdout_head"]
    m = re.search(r'"status"\s*:\s*"(\w+)"', out)
    if m:
        return f"stdout: JSON with status {m.group(1)}"
    m = re.search(r"Status: *(.*)", out)
    if m:
        return f"stdout: Status: {m.group(1)[:150]}"
    lines = out.strip().splitlines()
    return "stdout: " + (lines[0][:150] if lines else "(empty)")


def _spread(items, n):
    """n examples from different commands when possible."""
    seen, picked = set(), []
    for it in items:
        key = (it[1]["command"], it[1]["corruption"])
        if key not in seen:
            seen.add(key)
            picked.append(it)
        if len(picked) == n:
            return picked
    for it in items:
        if it not in picked:
            picked.append(it)
        if len(picked) == n:
            break
    return picked


if __name__ == "__main__":
    sys.exit(main())
