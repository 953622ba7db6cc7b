#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes reference-data/cases/voxel.json and the small phantoms it uses (reference-data/phantoms/*.nii.gz):
`dosecalc voxel` checked against closed forms and hand calculations.

Everything here is computed with Python's standard library, independently of dosecalc. The phantoms
are written by the NIfTI-1 writer below (348-byte header, sform = voxel size, millimetres, gzip with
no time stamp so the files are byte-reproducible). Constants, each given on the command line of the
case so that no default is relied on:
- K = 50 Gy kg / GBq: the TheraSphere package insert, D = 50 A (1 - LSF) / M;
- tissue density 1.03 g/mL (--density-g-per-ml 1.03);
- Y-90 half-life 64.1 h (TheraSphere package insert; ICRP 107 64.10 h) for the decay correction;
- the voxel kernel: reference-data/voxel-kernels/y90-soft-tissue.json (Lanconelli et al. 2012, 4 mm),
  read here only to predict by direct summation the energy a kernel puts outside the image.

Cases:
- VOX-01 uniform phantom: local deposition equals the MIRD single-compartment formula exactly.
- VOX-02 a two-level map: mean, D50/D70/D90/D95, V100/V150, V at chosen levels, minimum and maximum
  by hand (mass-weighted; D_x the least dose of the hottest x % of the mass; V_d the mass with dose >= d).
- VOX-03 an activity map in Bq/mL acquired one half-life after treatment: the liver activity at
  treatment is twice the map's integral, and the mean dose is K A / M.
- VOX-04 kernel, source at least 5 voxels from every face: no energy leaves, so the whole region's
  mean dose equals local deposition (the kernel moves energy, never creates or destroys it).
- VOX-05 kernel, a large uniform region: inside it, 5 voxels or more from its edge, the kernel dose
  equals local deposition voxel by voxel (minimum = maximum = K A (1 - L) / M).
- VOX-06 kernel, a hot slab at one face: the energy leaving the image equals the direct sum of the
  kernel shares that fall outside, and the far side of the image receives nothing (no wrap-around).
- VOX-07 kernel on box voxels (4 x 4 x 3 mm): inside a large uniform region the dose equals local
  deposition, through the cubic working grid.
- VOX-BAD-01..03: mismatched grids, a negative voxel and a label map that is not whole numbers are
  refused with one line naming the flag.
"""
import gzip, io, json, math, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
PHANTOMS = os.path.join(ROOT, "phantoms")
K = 50.0
RHO = 1.03
HALF_LIFE_H = 64.1
SPACING = 4.0
VOXEL_ML = (SPACING / 10) ** 3
VOXEL_KG = RHO * VOXEL_ML / 1000
SRC = "closed form or hand calculation in reference-data/tools/make_voxel_cases.py (MIRD single compartment D = K A (1 - LSF) / M, K = 50 Gy kg/GBq from the TheraSphere package insert)"


def write_nii(name, dims, values, datatype="float32", spacing=SPACING, spacing_xyz=None):
    """A single-file NIfTI-1 image, x fastest, gzip without a time stamp."""
    code, bits, fmt = {"float32": (16, 32, "f"), "int16": (4, 16, "h")}[datatype]
    sx, sy, sz = spacing_xyz or (spacing, spacing, spacing)
    h = bytearray(348)
    struct.pack_into("<i", h, 0, 348)
    struct.pack_into("<8h", h, 40, 3, dims[0], dims[1], dims[2], 1, 1, 1, 1)
    struct.pack_into("<hh", h, 70, code, bits)
    struct.pack_into("<4f", h, 76, 1.0, sx, sy, sz)
    struct.pack_into("<f", h, 108, 352.0)
    h[123] = 2  # millimetres
    struct.pack_into("<hh", h, 252, 0, 1)  # qform 0, sform 1 (scanner)
    struct.pack_into("<12f", h, 280, sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0)
    h[344:348] = b"n+1\0"
    body = bytes(h) + b"\0\0\0\0" + struct.pack("<%d%s" % (len(values), fmt), *values)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as g:
        g.write(body)
    os.makedirs(PHANTOMS, exist_ok=True)
    with open(os.path.join(PHANTOMS, name), "wb") as f:
        f.write(buf.getvalue())
    return "phantoms/" + name


def grid(dims, f):
    nx, ny, nz = dims
    return [f(x, y, z) for z in range(nz) for y in range(ny) for x in range(nx)]


def base_args(counts, labels, extra):
    return ["voxel", "--counts", counts, "--labels", labels, "--nuclide", "y90", "--device", "glass",
            "--density-g-per-ml", "1.03", "--bilirubin-mg-per-dl", "0.8", "--child-pugh-score", "5"] + extra + ["--json"]


def rel(path, value, r=1e-9, note=None):
    e = {"path": path, "value": value, "rel": r}
    if note: e["note"] = note
    return e


def ab(path, value, a, note=None):
    e = {"path": path, "value": value, "abs": a}
    if note: e["note"] = note
    return e


cases = []
NL = "labels[name=normal liver]"
TU = "labels[name=tumour 2]"

# VOX-01: a 10 x 10 x 10 liver of uniform uptake in a 12^3 field.
dims = (12, 12, 12)
inside = lambda x, y, z: 1 <= x <= 10 and 1 <= y <= 10 and 1 <= z <= 10
c = write_nii("vox01-counts.nii.gz", dims, grid(dims, lambda x, y, z: 50.0 if inside(x, y, z) else 0.0))
l = write_nii("vox01-labels.nii.gz", dims, grid(dims, lambda x, y, z: 1 if inside(x, y, z) else 0), "int16")
A, LSF = 0.1, 10.0
M = 1000 * VOXEL_KG
D = K * A * (1 - LSF / 100) / M
cases.append({"id": "VOX-01", "source": SRC, "kind": "analytic",
              "args": base_args(c, l, ["--activity-gbq", "0.1", "--lung-shunt", "10"]), "exitCode": 0,
              "expect": [rel(NL + ".massG", M * 1000, 1e-12, "1000 voxels of 0.064 mL at 1.03 g/mL"),
                         rel(NL + ".meanDoseGy", D, note="50 x 0.1 x 0.9 / 0.06592 kg"),
                         rel(NL + ".d70Gy", D), rel(NL + ".minDoseGy", D), rel(NL + ".maxDoseGy", D),
                         rel("wholeNormalLiverDoseGy", D),
                         rel("lungDoseGy", K * A * LSF / 100 / 1.0, note="the lung share on the 1 kg reporting mass"),
                         {"path": "status", "equals": "ok"}],
              "note": "uniform uptake: every voxel gets the MIRD single-compartment dose"})

# VOX-02: the same liver, its first 300 voxels (z = 1..3) at 3 counts and the other 700 at 1.
c = write_nii("vox02-counts.nii.gz", dims, grid(dims, lambda x, y, z: (3.0 if z <= 3 else 1.0) if inside(x, y, z) else 0.0))
A, LSF = 0.12, 10.0
mean = K * A * (1 - LSF / 100) / M
cbar = (300 * 3 + 700 * 1) / 1000
hot, cold = mean * 3 / cbar, mean * 1 / cbar
assert 50 <= cold < 61 < 100 <= 150 <= hot and mean < 90
cases.append({"id": "VOX-02", "source": SRC, "kind": "computed",
              "args": base_args(c, l, ["--activity-gbq", "0.12", "--lung-shunt", "10", "--v-gy", "50,61"]), "exitCode": 0,
              "expect": [rel(NL + ".meanDoseGy", mean),
                         rel(NL + ".maxDoseGy", hot, note="hot voxels: mean x 3 / 1.6"),
                         rel(NL + ".minDoseGy", cold, note="cold voxels: mean x 1 / 1.6"),
                         rel(NL + ".d50Gy", cold, note="the hottest 50 % reaches into the cold 70 %"),
                         rel(NL + ".d70Gy", cold), rel(NL + ".d90Gy", cold), rel(NL + ".d95Gy", cold),
                         ab(NL + ".v100Percent", 30, 1e-9, note="only the hot 30 % reach 100 Gy"),
                         ab(NL + ".v150Percent", 30, 1e-9),
                         ab(NL + ".vGyPercent.50", 100, 1e-9), ab(NL + ".vGyPercent.61", 30, 1e-9)],
              "note": "two uptake levels with known mass shares: every statistic by hand"})

# VOX-03: 0.8 MBq/mL in the liver, acquired one half-life (64.1 h) after treatment.
c = write_nii("vox03-bq-per-ml.nii.gz", dims, grid(dims, lambda x, y, z: 0.8e6 if inside(x, y, z) else 0.0))
a_gbq = 2 * 0.8e6 * VOXEL_ML * 1000 / 1e9
cases.append({"id": "VOX-03", "source": SRC, "kind": "analytic",
              "args": base_args(c, l, ["--map-unit", "bq-per-ml", "--acquisition-time", "2026-03-05T10:06:00Z",
                                       "--treatment-time", "2026-03-02T18:00:00Z"]), "exitCode": 0,
              "expect": [rel("liverActivityGBq", a_gbq, note="2 x 0.8 MBq/mL x 0.064 mL x 1000 voxels (64.1 h = one half-life)"),
                         rel(NL + ".meanDoseGy", K * a_gbq / M)],
              "note": "the integral of an absolute map, decay-corrected to the treatment time"})

# VOX-04: kernel; 20^3 field of normal liver, counts only in x, y, z = 5..14 (10 at 8..11, 1 elsewhere).
dims4 = (20, 20, 20)
def counts4(x, y, z):
    if not all(5 <= v <= 14 for v in (x, y, z)): return 0.0
    return 10.0 if all(8 <= v <= 11 for v in (x, y, z)) else 1.0
c = write_nii("vox04-counts.nii.gz", dims4, grid(dims4, counts4))
l = write_nii("vox04-labels.nii.gz", dims4, grid(dims4, lambda x, y, z: 1), "int16")
A = 0.5
M4 = 8000 * VOXEL_KG
cases.append({"id": "VOX-04", "source": SRC, "kind": "analytic",
              "args": base_args(c, l, ["--activity-gbq", "0.5", "--lung-shunt", "0", "--method", "kernel"]), "exitCode": 0,
              "expect": [rel(NL + ".meanDoseGy", K * A / M4, 1e-6, "all energy stays in the image: the mean is K A / M"),
                         ab("assumptions[name=energyLeavingImage].value", 0, 1e-6)],
              "note": "dose-kernel convolution conserves the energy deposited in the field of view"})

# VOX-05: kernel; a 24^3 uniform region, its central 6^3 block labelled as a tumour of the same uptake.
dims5 = (24, 24, 24)
centre = lambda x, y, z: all(9 <= v <= 14 for v in (x, y, z))
c = write_nii("vox05-counts.nii.gz", dims5, grid(dims5, lambda x, y, z: 1.0))
l = write_nii("vox05-labels.nii.gz", dims5, grid(dims5, lambda x, y, z: 2 if centre(x, y, z) else 1), "int16")
A = 1.5
D5 = K * A / (24 ** 3 * VOXEL_KG)
cases.append({"id": "VOX-05", "source": SRC, "kind": "analytic",
              "args": base_args(c, l, ["--activity-gbq", "1.5", "--lung-shunt", "0", "--method", "kernel"]), "exitCode": 0,
              "expect": [rel(TU + ".minDoseGy", D5, 1e-9, "9 voxels or more from every face: the kernel's whole reach is uniform"),
                         rel(TU + ".maxDoseGy", D5, 1e-9)],
              "note": "inside a large uniform region the kernel dose equals local deposition"})

# VOX-06: kernel; a 24 x 8 x 8 field, counts only in the slab x = 0, 1; the far end x = 18..23 a tumour label.
dims6 = (24, 8, 8)
c = write_nii("vox06-counts.nii.gz", dims6, grid(dims6, lambda x, y, z: 100.0 if x <= 1 else 0.0))
l = write_nii("vox06-labels.nii.gz", dims6, grid(dims6, lambda x, y, z: 2 if x >= 18 else 1), "int16")
with open(os.path.join(ROOT, "voxel-kernels", "y90-soft-tissue.json")) as f:
    kernel = next(k for k in json.load(f)["kernels"] if k["voxelSizeMm"] == 4.0)
octant = kernel["octant"]
share = {}
for dz in range(-5, 6):
    for dy in range(-5, 6):
        for dx in range(-5, 6):
            s = sorted((abs(dx), abs(dy), abs(dz)))
            share[(dx, dy, dz)] = octant[36 * s[0] + 6 * s[1] + s[2]]
total_share = sum(share.values())
lost = 0.0
sources = [(x, y, z) for z in range(8) for y in range(8) for x in range(2)]
for (x, y, z) in sources:
    for (dx, dy, dz), s in share.items():
        if not (0 <= x + dx < 24 and 0 <= y + dy < 8 and 0 <= z + dz < 8):
            lost += s / total_share
lost_percent = 100 * lost / len(sources)
cases.append({"id": "VOX-06", "source": SRC + "; the energy outside the image by direct summation of the 4 mm kernel's shares",
              "kind": "computed",
              "args": base_args(c, l, ["--activity-gbq", "0.1", "--lung-shunt", "0", "--method", "kernel"]), "exitCode": 0,
              "expect": [rel("assumptions[name=energyLeavingImage].value", lost_percent, 1e-6,
                             "the share of each source voxel's energy that the kernel puts beyond a face"),
                         ab(TU + ".maxDoseGy", 0, 1e-9, "13 voxels beyond the kernel's reach: nothing arrives, nothing wraps around")],
              "note": "zero padding: energy leaves through the near face and never reappears at the far face"})

# VOX-07: kernel on box voxels (4 x 4 x 3 mm, as many PET reconstructions): a 16 x 16 x 22 uniform region, its
# centre (x, y 6..9, z 8..13: at least 6 voxels, 18 mm, from every face) labelled as a tumour of the same uptake.
# The energy is resampled onto 3 mm cubes by overlap, convolved and gathered back: inside, the dose equals local
# deposition, as for cubic voxels.
dims7 = (16, 16, 22)
centre7 = lambda x, y, z: 6 <= x <= 9 and 6 <= y <= 9 and 8 <= z <= 13
c = write_nii("vox07-counts.nii.gz", dims7, grid(dims7, lambda x, y, z: 1.0), spacing_xyz=(4.0, 4.0, 3.0))
l = write_nii("vox07-labels.nii.gz", dims7, grid(dims7, lambda x, y, z: 2 if centre7(x, y, z) else 1), "int16", spacing_xyz=(4.0, 4.0, 3.0))
A = 0.5
D7 = K * A / (16 * 16 * 22 * RHO * 0.048 / 1000)
cases.append({"id": "VOX-07", "source": SRC, "kind": "analytic",
              "args": base_args(c, l, ["--activity-gbq", "0.5", "--lung-shunt", "0", "--method", "kernel"]), "exitCode": 0,
              "expect": [rel(TU + ".minDoseGy", D7, 1e-9, "18 mm or more from every face: the kernel's whole reach is uniform"),
                         rel(TU + ".maxDoseGy", D7, 1e-9),
                         rel("assumptions[name=kernelWorkingGrid].value", 3.0, 1e-12, "the smallest voxel edge, inside the shipped kernel sizes")],
              "note": "box voxels go through a cubic working grid with energy kept; inside a uniform region the dose is local deposition"})

# Refused inputs.
small = (4, 4, 4)
ok_counts = write_nii("bad-counts-4mm.nii.gz", small, grid(small, lambda x, y, z: 1.0))
ok_labels = write_nii("bad-labels-4mm.nii.gz", small, grid(small, lambda x, y, z: 1), "int16")
other_grid = write_nii("bad-labels-5mm.nii.gz", small, grid(small, lambda x, y, z: 1), "int16", spacing=5.0)
negative = write_nii("bad-counts-negative.nii.gz", small, grid(small, lambda x, y, z: -1.0 if (x, y, z) == (2, 2, 2) else 1.0))
fractional = write_nii("bad-labels-fractional.nii.gz", small, grid(small, lambda x, y, z: 1.5 if (x, y, z) == (1, 1, 1) else 1.0))
for cid, counts, labels, flag, note in [
    ("VOX-BAD-01", ok_counts, other_grid, "--labels", "a label map on another grid (5 mm voxels against 4 mm)"),
    ("VOX-BAD-02", negative, ok_labels, "--counts", "a negative voxel in the count map"),
    ("VOX-BAD-03", ok_counts, fractional, "--labels", "a label map that is not whole numbers"),
]:
    cases.append({"id": cid, "source": "safety: bad input never becomes a number", "kind": "safety",
                  "args": base_args(counts, labels, ["--activity-gbq", "1", "--lung-shunt", "5"]),
                  "exitCode": 2, "stderrContains": flag, "note": note})

for case in cases:
    if case["kind"] != "safety":
        case["expect"] = [e for e in case["expect"] if e["path"] != "status"] + [{"path": "status", "equals": "ok",
                          "note": "bilirubin 0.8 mg/dL, Child-Pugh 5: every check evaluable; every whole normal-liver dose below 90 Gy"}]

out = {"description": "Voxel dosimetry (dosecalc voxel) against closed forms and hand calculations on small phantoms in "
                      "reference-data/phantoms/. Generated by reference-data/tools/make_voxel_cases.py.",
       "cases": cases}
with open(os.path.join(ROOT, "cases", "voxel.json"), "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(len(cases), "cases; VOX-06 energy leaving the image %.6f %%" % lost_percent)
