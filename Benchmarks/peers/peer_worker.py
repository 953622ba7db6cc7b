#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Python peer worker of Benchmarks/run: the same JSON-lines protocol as the Swift worker
(Benchmarks/Sources/InProcessBench): one request per line on stdin, one answer per line with the
time of each iteration (seconds) and the outputs. Inputs are loaded outside the timed region.
"""
import json
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import minidose  # noqa: E402
import plan_peers  # noqa: E402
import scipy_peer  # noqa: E402

_inputs = {}
_models = {}


def inputs(path, width):
    if path not in _inputs:
        _inputs[path] = np.fromfile(path, dtype=np.float64).reshape(-1, width)
    return _inputs[path]


def glass_k():
    return minidose.find(minidose.catalogue()["devices"], "glass")["doseFactorGyKgPerGBq"]


def partition_one(mt, mn, tn, dose, lsf_pct, k, lung_kg=1.0):
    """Dosimetry.partitionActivityGBq / partitionDosesGy / lungDoseGy for one patient."""
    lsf = lsf_pct / 100
    comps = ((mt / 1000, tn), (mn / 1000, 1.0))
    weighted = 0.0
    for m, r in comps:
        weighted += r * m
    a = dose * weighted / (k * (1 - lsf) * tn)
    return a, k * a * (1 - lsf) * tn / weighted, k * a * (1 - lsf) * 1.0 / weighted, k * a * lsf / lung_kg


def handle(req):
    op, iters = req["op"], req.get("iters", 1)
    secs, out = [], {}
    if op == "ping":
        return {"ok": True}
    if op == "partition_numpy":
        x = inputs(req["input"], 5)
        k = glass_k()
        for _ in range(iters):
            t0 = time.perf_counter()
            mt, mn, tn, d, lsf = x[:, 0] / 1000, x[:, 1] / 1000, x[:, 2], x[:, 3], x[:, 4] / 100
            w = tn * mt + mn
            a = d * w / (k * (1 - lsf) * tn)
            res = np.stack([a, k * a * (1 - lsf) * tn / w, k * a * (1 - lsf) / w, k * a * lsf / 1.0], axis=1)
            secs.append(time.perf_counter() - t0)
        out["calls_per_iter"] = len(x)
        if req.get("dump"):
            np.ascontiguousarray(res).tofile(req["dump"])
    elif op == "partition_python":
        x = inputs(req["input"], 5)
        n = min(len(x), req.get("n", len(x)))
        rows = x[:n].tolist()
        k = glass_k()
        for _ in range(iters):
            t0 = time.perf_counter()
            res = [partition_one(mt, mn, tn, d, l, k) for mt, mn, tn, d, l in rows]
            secs.append(time.perf_counter() - t0)
        out["calls_per_iter"] = n
        if req.get("dump"):
            np.array(res, dtype=np.float64).tofile(req["dump"])
    elif op == "decay_numpy":
        x = inputs(req["input"], 2)
        t_half = minidose.half_life("y90")
        for _ in range(iters):
            t0 = time.perf_counter()
            res = x[:, 0] * np.exp(-np.log(2) * x[:, 1] / t_half)
            secs.append(time.perf_counter() - t0)
        out["calls_per_iter"] = len(x)
        if req.get("dump"):
            res.tofile(req["dump"])
    elif op == "decay_python":
        x = inputs(req["input"], 2)
        n = min(len(x), req.get("n", len(x)))
        rows = x[:n].tolist()
        t_half = minidose.half_life("y90")
        ln2 = math.log(2)
        exp = math.exp
        for _ in range(iters):
            t0 = time.perf_counter()
            res = [a * exp(-ln2 * h / t_half) for a, h in rows]
            secs.append(time.perf_counter() - t0)
        out["calls_per_iter"] = n
        if req.get("dump"):
            np.array(res, dtype=np.float64).tofile(req["dump"])
    elif op == "mc_numpy":
        import mc_peer
        a = req["mc"]
        for _ in range(iters):
            t0 = time.perf_counter()
            res = mc_peer.propagate(**a)
            secs.append(time.perf_counter() - t0)
        out["result"] = res
    elif op == "command":
        argv = req["args"]
        for _ in range(iters):
            t0 = time.perf_counter()
            for a in argv:
                minidose.cli(a)
            secs.append(time.perf_counter() - t0)
        out["calls_per_iter"] = len(argv)
        if req.get("dump"):
            with open(req["dump"], "w") as f:
                for a in argv:
                    f.write(minidose.cli(a) + "\n")
    elif op == "deb_solve":
        product = minidose.find(minidose.load("products/deb-beads.json")["products"], req.get("product", "dc-bead"))
        loading, dose = req.get("loading", 37.5), req.get("dose", 150.0)
        sizes = req["sizes"]
        classes = [(minidose.find(product["sizes"], s)["modelDiameterUm"], loading, dose / len(sizes) / loading) for s in sizes]
        pp = scipy_peer.for_product(product)
        key = json.dumps([classes, product["id"]])
        if key not in _models:
            _models[key] = scipy_peer.build(classes, pp)
        for _ in range(iters):
            t0 = time.perf_counter()
            o, sol = scipy_peer.simulate(classes, days=req.get("days", 28.0), method=req.get("method", "BDF"), model=_models[key], p=pp)
            secs.append(time.perf_counter() - t0)
        out["outputs"] = {k: float(v) for k, v in o.items()}
        out["rhs_evaluations"], out["jacobian_evaluations"], out["n"] = int(sol.nfev), int(sol.njev), len(sol.y)
    elif op == "voxel_make":
        import voxel_peer
        voxel_peer.make_phantom(req["counts"], req["labels"], n=req.get("n", 128))
        if req.get("big"):
            rng = np.random.default_rng(2)
            n = req["big_n"]
            big = rng.random((n, n, n))
            big.tofile(req["big"])
    elif op == "voxel_ldm":
        import voxel_peer
        for _ in range(iters):
            t0 = time.perf_counter()
            res = voxel_peer.ldm_stats(req["counts"], req["labels"], req["activity"], req["lsf"])
            secs.append(time.perf_counter() - t0)
        out["result"] = {str(k): v for k, v in res.items()}
    elif op == "fftconvolve":
        import voxel_peer
        n = req["n"]
        x = inputs(req["input"], n * n * n).reshape(n, n, n)
        k = np.fromfile(req["kernel"], dtype=np.float64).reshape(11, 11, 11)
        for _ in range(iters):
            t0 = time.perf_counter()
            y = voxel_peer.convolve_same(x, k)
            secs.append(time.perf_counter() - t0)
        if req.get("dump"):
            y.astype(np.float64).tofile(req["dump"])
    elif op == "plan":
        kind = req.get("kind", "re")
        for _ in range(iters):
            t0 = time.perf_counter()
            o = plan_peers.re_plan(req["path"]) if kind == "re" else plan_peers.deb_plan(req["path"], req.get("method", "BDF"))
            secs.append(time.perf_counter() - t0)
        out["binding"] = o.pop("binding")
        out["outputs"] = o
    else:
        raise ValueError(f"unknown op {op}")
    out["seconds"] = secs
    return out


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = handle(json.loads(line))
        except Exception as e:  # report, keep serving
            reply = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
