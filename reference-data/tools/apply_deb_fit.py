#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Puts the values of a DEB fit (reference-data/deb-fit/result.json, written by
`dosecalc deb-calibrate --output`) into the reference data that dosecalc reads: the model parameters in
deb-model.json and the per-product constants in products/deb-beads.json. Each value is written to 8
significant digits, and the 95 % confidence interval quoted in its source text is replaced by the fit's.

Usage: python3 reference-data/tools/apply_deb_fit.py   (from the repository root)
"""
import json
import re
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = "95 % confidence interval "


def fmt(x):
    return float(f"{x:.8g}")


def quoted(text, lo, hi):
    interval = f"{MARK}{lo:.3g} to {hi:.3g}"
    if MARK in text:
        return re.sub(re.escape(MARK) + r"[-+0-9.eE]+ to [-+0-9]*\.?[0-9]*(?:[eE][-+]?[0-9]+)?", interval, text)
    return text + "; " + interval


def main():
    fit = json.loads((ROOT / "deb-fit/result.json").read_text())
    model_path, beads_path = ROOT / "deb-model.json", ROOT / "products/deb-beads.json"
    model = json.loads(model_path.read_text(), object_pairs_hook=OrderedDict)
    beads = json.loads(beads_path.read_text(), object_pairs_hook=OrderedDict)
    for q in fit["parameters"]:
        if q.get("product"):
            b = next(p for p in beads["products"] if p["id"] == q["product"])
            src = {"dissociationConstantMgPerMl": "dissociationConstantSource", "exchangeRatePerH": "exchangeRateSource"}[q["name"]]
            b[q["name"]] = fmt(q["value"])
            b[src] = quoted(b[src], q["lower95"], q["upper95"])
        else:
            e = model["parameters"][q["name"]]
            e["value"] = fmt(q["value"])
            e["source"] = quoted(e["source"], q["lower95"], q["upper95"])
    lines = ["{", '  "description": ' + json.dumps(model["description"], ensure_ascii=False) + ",",
             '  "model": ' + json.dumps(model["model"]) + ",", '  "parameters": {']
    items = list(model["parameters"].items())
    for i, (k, v) in enumerate(items):
        lines.append("    " + json.dumps(k) + ": " + json.dumps(v, ensure_ascii=False) + ("," if i < len(items) - 1 else ""))
    lines += ["  }", "}"]
    model_path.write_text("\n".join(lines) + "\n")
    beads_path.write_text(json.dumps(beads, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
