# SPDX-License-Identifier: GPL-3.0-or-later
"""The voxel peers of Benchmarks/run (workload 10), written as a physicist would with numpy/scipy:
- make_phantom: a SPECT-sized count map and label map (NIfTI-1, .nii.gz) and a 256^3 map for the kernel;
- ldm_stats: files -> local-deposition dose -> per-label mass, mean, D50/D70/D90/D95, V100/V150, min, max
  (mass-weighted; D_x the least dose of the hottest x % of the mass; V_d the mass with dose >= d), the
  same conventions as `dosecalc voxel`;
- fftconvolve: scipy.signal.fftconvolve(map, kernel, mode="same").
"""
import gzip
import struct

import numpy as np
from scipy.signal import fftconvolve


def write_nii(path, vol_zyx, spacing, code):
    nz, ny, nx = vol_zyx.shape
    dtype, bits = {16: ("<f4", 32), 4: ("<i2", 16)}[code]
    h = bytearray(348)
    struct.pack_into("<i", h, 0, 348)
    struct.pack_into("<8h", h, 40, 3, nx, ny, nz, 1, 1, 1, 1)
    struct.pack_into("<hh", h, 70, code, bits)
    struct.pack_into("<4f", h, 76, 1.0, spacing, spacing, spacing)
    struct.pack_into("<f", h, 108, 352.0)
    h[123] = 2
    struct.pack_into("<hh", h, 252, 0, 1)
    struct.pack_into("<12f", h, 280, spacing, 0, 0, 0, 0, spacing, 0, 0, 0, 0, spacing, 0)
    h[344:348] = b"n+1\0"
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(bytes(h) + b"\0\0\0\0" + vol_zyx.astype(dtype).tobytes())


def read_nii(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    nx, ny, nz = struct.unpack_from("<3h", data, 42)
    code = struct.unpack_from("<h", data, 70)[0]
    sx, sy, sz = struct.unpack_from("<3f", data, 80)
    off = int(struct.unpack_from("<f", data, 108)[0])
    dtype = {16: "<f4", 4: "<i2"}[code]
    return np.frombuffer(data, dtype=dtype, offset=off, count=nx * ny * nz).reshape(nz, ny, nx), (sx, sy, sz)


def make_phantom(counts_path, labels_path, n=128, spacing=4.0, seed=1):
    """A liver ellipsoid (label 1) with three spherical tumours (labels 2-4, 3-6x uptake) and a lung
    block (label 100), Gaussian noise on the counts (clipped at 0)."""
    rng = np.random.default_rng(seed)
    z, y, x = np.mgrid[0:n, 0:n, 0:n].astype(np.float64)
    labels = np.zeros((n, n, n), dtype=np.int16)
    liver = ((x - 0.45 * n) / (0.33 * n)) ** 2 + ((y - 0.5 * n) / (0.28 * n)) ** 2 + ((z - 0.5 * n) / (0.25 * n)) ** 2 <= 1
    labels[liver] = 1
    for lab, (cx, cy, cz, r) in zip((2, 3, 4), ((0.4, 0.45, 0.5, 0.06), (0.55, 0.55, 0.45, 0.04), (0.35, 0.6, 0.55, 0.03))):
        labels[((x - cx * n) ** 2 + (y - cy * n) ** 2 + (z - cz * n) ** 2 <= (r * n) ** 2) & liver] = lab
    labels[(x >= 0.85 * n) & (np.abs(y - 0.5 * n) < 0.3 * n) & (np.abs(z - 0.5 * n) < 0.3 * n)] = 100
    uptake = np.zeros(labels.shape)
    for lab, u in ((1, 10.0), (2, 60.0), (3, 40.0), (4, 30.0), (100, 0.5)):
        uptake[labels == lab] = u
    counts = np.clip(uptake + rng.normal(0, 1.0, uptake.shape) * (labels > 0), 0, None)
    write_nii(counts_path, counts, spacing, 16)
    write_nii(labels_path, labels, spacing, 4)


def ldm_stats(counts_path, labels_path, activity_gbq, lsf_pct, k=50.0, rho=1.03):
    counts, sp = read_nii(counts_path)
    labels, _ = read_nii(labels_path)
    counts = counts.astype(np.float64).ravel()
    labels = labels.astype(np.int64).ravel()
    voxel_ml = sp[0] * sp[1] * sp[2] / 1000
    liver = (labels >= 1) & (labels <= 99)
    liver_activity = activity_gbq * (1 - lsf_pct / 100)
    a = np.where(liver, counts / counts[liver].sum() * liver_activity, 0.0)
    mass_kg = rho * voxel_ml / 1000
    dose = k * a / mass_kg
    out = {}
    for lab in np.unique(labels[liver]):
        d = np.sort(dose[labels == lab])[::-1]
        m = np.full(d.size, rho * voxel_ml)
        cum = np.cumsum(m)
        total = cum[-1]
        def dx(p):
            i = np.searchsorted(cum, p / 100 * total * (1 - 1e-12))
            return float(d[min(i, d.size - 1)])
        out[int(lab)] = {"massG": float(total), "meanDoseGy": float((d * m).sum() / total), "d50Gy": dx(50), "d70Gy": dx(70),
                         "d90Gy": dx(90), "d95Gy": dx(95), "v100Percent": float(100 * m[d >= 100].sum() / total),
                         "v150Percent": float(100 * m[d >= 150].sum() / total), "minDoseGy": float(d[-1]), "maxDoseGy": float(d[0])}
    return out


def convolve_same(vol_zyx, kernel_zyx):
    return fftconvolve(vol_zyx, kernel_zyx, mode="same")
