#!/usr/bin/env python3
"""Writes reference-data/cases/radioembolization.json.

Expected values come from the worked examples of the dosimetry fact base (an independent implementation of
the published formulas, or published numbers) or are computed here by hand from the formula, with the
arithmetic shown. Never from dosecalc's own output.
"""
import json, math, os

D = "independent implementation of the published formulas (TheraSphere and SIR-Spheres package inserts; EANM 2022)"
cases = []

def case(id, source, kind, args, expect=None, exitCode=0, stderrContains=None, note=None):
    c = {"id": id, "source": source, "kind": kind, "args": args + (["--json"] if expect is not None else []), "exitCode": exitCode}
    if expect is not None: c["expect"] = expect
    if stderrContains: c["stderrContains"] = stderrContains
    if note: c["note"] = note
    cases.append(c)

def num(path, value, abs=None, rel=None, note=None):
    e = {"path": path, "value": value}
    if abs is not None: e["abs"] = abs
    if rel is not None: e["rel"] = rel
    if note: e["note"] = note
    return e

def eq(path, v): return {"path": path, "equals": v}

# --- Dose factor K -----------------------------------------------------------------------------
case("CONST-01", "computed from TheraSphere insert constants 64.1 h, 0.9367 MeV; " + D, "computed",
     ["dose-factor", "--half-life-h", "64.1", "--mean-energy-mev", "0.9367"],
     [num("doseFactorGyKgPerGBq", 49.963, abs=0.01), num("decaysPerGBq", 3.32916e14, rel=1e-5)])
case("CONST-02", "ICRP-107 Y-90 0.93299 MeV, 64.1 h; " + D, "computed",
     ["dose-factor", "--half-life-h", "64.1", "--mean-energy-mev", "0.93299"], [num("doseFactorGyKgPerGBq", 49.765, abs=0.01)])
case("CONST-03", "reproduces 49.38 (Gulec et al. JNM 2006, inputs recalled [R]); " + D, "computed",
     ["dose-factor", "--half-life-h", "64.04", "--mean-energy-mev", "0.9267"], [num("doseFactorGyKgPerGBq", 49.383, abs=0.01)])
case("CONST-04", "ICRP-107 Ho-166 beta+IC+Auger 0.69634 MeV, 26.8 h; " + D, "computed",
     ["dose-factor", "--half-life-h", "26.8", "--mean-energy-mev", "0.69634"], [num("doseFactorGyKgPerGBq", 15.529, abs=0.01)])

# --- Decay, units, vial ------------------------------------------------------------------------
case("DECAY-01", D, "computed", ["decay", "--nuclide", "y90", "--activity-gbq", "5", "--hours", "48"],
     [num("activityGBq", 2.9754, abs=0.001), num("fractionRemaining", 0.59509, abs=1e-5)])
case("DECAY-02", D, "computed", ["decay", "--nuclide", "ho166", "--activity-gbq", "6", "--hours", "3"],
     [num("activityGBq", 5.5521, abs=0.001)])
# Same 48 h as DECAY-01 written with two different UTC offsets: 10:00+02:00 = 08:00Z; 2 days later 08:00Z = 09:00+01:00.
case("DECAY-03", "hand: 2026-03-01T10:00+02:00 → 2026-03-03T09:00+01:00 is 48 h; 5·2^(−48/64.1) = 2.9754 GBq", "computed",
     ["decay", "--nuclide", "y90", "--activity-gbq", "5", "--from", "2026-03-01T10:00:00+02:00", "--to", "2026-03-03T09:00:00+01:00"],
     [num("elapsedHours", 48.0, abs=1e-9), num("activityGBq", 2.9754, abs=0.001)])
# Back to calibration: 2.9754 GBq 48 h after calibration → 5 GBq at calibration.
case("DECAY-04", "hand: 2.97545·2^(48/64.1) = 5.000 GBq (inverse of DECAY-01)", "computed",
     ["decay", "--nuclide", "y90", "--activity-gbq", "2.97545", "--hours", "-48"], [num("activityGBq", 5.0, abs=0.001)])
for g, mci in zip([3, 5, 7, 10, 15, 20], [81, 135, 189, 270, 405, 540]):
    case(f"UNIT-01-{g}GBq", "TheraSphere US package insert (verified text): %d GBq (%d mCi)" % (g, mci), "published",
         ["decay", "--nuclide", "y90", "--activity-gbq", str(g), "--hours", "0"], [num("activityMCi", mci, abs=0.6)])
case("VIAL-01", "vial sizes 3/5/7/10/15/20 GBq TheraSphere insert [V]; " + D, "computed",
     ["vial", "--device", "glass", "--activity-gbq", "2.6021", "--residual-percent", "1", "--hours", "70"],
     [num("vial.vialActivityAtTreatmentGBq", 2.6284, abs=0.001), num("vial.vialActivityAtCalibrationGBq", 5.6031, abs=0.001),
      num("vial.smallestSufficientVialGBq", 7, abs=0), num("vial.wholeVialActivityAtTreatmentGBq", 3.2837, abs=0.001),
      num("vial.hoursAfterCalibrationWholeVialMatchesNeed", 90.58, abs=0.05)])
case("VIAL-02-too-large", "hand: 18 GBq injected 100 h after calibration needs 18/0.99·2^(100/64.1) = 53.5 GBq > 20 GBq largest vial", "safety",
     ["vial", "--device", "glass", "--activity-gbq", "18", "--residual-percent", "1", "--hours", "100"],
     [eq("status", "infeasible"), eq("checks[name=activityAvailable].passed", False)], exitCode=3)

# --- MIRD single compartment ---------------------------------------------------------------------
case("MIRD-01", "TheraSphere formula D = 50·A·(1−LSF)/M; " + D, "computed",
     ["y90", "--device", "glass", "--method", "mird", "--perfused-volume-ml", "1000", "--target-dose-gy", "120", "--lung-shunt", "5"],
     [num("activityGBq", 2.6021, abs=0.001), num("lungDoseGy", 6.505, abs=0.01), num("perfusedLiverDoseGy", 120, rel=1e-9), eq("status", "ok")])
case("MIRD-02", D, "computed",
     ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1200", "--activity-gbq", "3", "--lung-shunt", "8"],
     [num("perfusedLiverDoseGy", 115.0, abs=0.01), num("lungDoseGy", 12.0, abs=0.01)])
case("MIRD-03", "A_injected = 3.5 GBq vial × (1 − 1 % residual) = 3.465 GBq; " + D, "computed",
     ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1200", "--activity-gbq", "3.465", "--lung-shunt", "5"],
     [num("perfusedLiverDoseGy", 137.156, abs=0.01), num("lungDoseGy", 8.662, abs=0.01)])
case("MIRD-04", "segmentectomy > 400 Gy (EANM 2022 Table 2; Gabr 2021); " + D, "computed",
     ["y90", "--device", "glass", "--method", "mird", "--perfused-volume-ml", "150", "--target-dose-gy", "400", "--lung-shunt", "3"],
     [num("activityGBq", 1.2742, abs=0.001), num("lungDoseGy", 1.911, abs=0.01)])
case("MIRD-05-percent-sign", "hand: '5%' and '5' are the same lung shunt; as MIRD-01", "computed",
     ["y90", "--device", "glass", "--method", "mird", "--perfused-volume-ml", "1000", "--target-dose-gy", "120", "--lung-shunt", "5%"],
     [num("activityGBq", 2.6021, abs=0.001), num("lungShuntPercent", 5, abs=0)])
case("MIRD-06-residual", "hand: 2.60211/(1 − 0.0061) = 2.61808 GBq in the vial at treatment (glass median residual 0.61 %, Hoang/Sze JVIR)", "computed",
     ["y90", "--device", "glass", "--method", "mird", "--perfused-volume-ml", "1000", "--target-dose-gy", "120", "--lung-shunt", "5", "--residual-percent", "0.61"],
     [num("vialActivityAtTreatmentGBq", 2.61808, abs=0.0001)])

# --- Lung shunt and lung dose --------------------------------------------------------------------
case("LSF-01", "planar geometric-mean LSF (van Roekel thesis ch. 2; EANM); " + D, "computed",
     ["lsf", "--lung-anterior", "12000", "--lung-posterior", "10000", "--liver-anterior", "90000", "--liver-posterior", "110000"],
     [num("lungShuntFraction", 0.09918, abs=0.0001), num("lungShuntPercent", 9.918, abs=0.01),
      num("geometricMeanLungCounts", 10954.45, abs=0.01), num("geometricMeanLiverCounts", 99498.74, abs=0.01)])
case("LUNG-01-1kg", "D_lung = K·A·LSF/m: 49.67·2·0.12/1 = 11.921 Gy; " + D, "computed",
     ["y90", "--device", "resin", "--method", "mird", "--perfused-mass-g", "1500", "--activity-gbq", "2", "--lung-shunt", "12"],
     [num("lungDoseGy", 11.921, abs=0.01)])
case("LUNG-01-CT", "CT lung mass 3500 mL × 0.3 g/mL = 1050 g: 49.67·2·0.12/1.05 = 11.353 Gy; " + D, "computed",
     ["y90", "--device", "resin", "--method", "mird", "--perfused-mass-g", "1500", "--activity-gbq", "2", "--lung-shunt", "12", "--lung-mass-g", "1050"],
     [num("lungDoseGy", 11.353, abs=0.01)])
case("LUNG-02-cumulative", "hand: A = 2.7777 GBq, LSF 18 %, K 50: lung 24.9993 Gy + prior 25 Gy = 49.9993 Gy, just inside the cumulative limit; A_max = 2.7778 (PLAN-02 of " + D + ")", "computed",
     ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1300", "--activity-gbq", "2.7777", "--lung-shunt", "18", "--prior-lung-dose-gy", "25"],
     [num("lungDoseGy", 24.9993, abs=0.0001), num("cumulativeLungDoseGy", 49.9993, abs=0.0001), eq("status", "ok")])
case("LUNG-02-over", "hand: as LUNG-02 with 2.9 GBq: 50·2.9·0.18 = 26.1 Gy; 26.1 + 25 = 51.1 Gy > 50 Gy cumulative limit", "safety",
     ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1300", "--activity-gbq", "2.9", "--lung-shunt", "18", "--prior-lung-dose-gy", "25"],
     [num("cumulativeLungDoseGy", 51.1, abs=0.01), eq("status", "contraindicated"), eq("checks[name=cumulativeLungDose].passed", False),
      eq("checks[name=lungDose].passed", True)], exitCode=3)
case("LUNG-03", "TheraSphere insert contraindication '> 16.5 mCi (0.61 GBq) to the lungs' ≈ 30 Gy [R]: 1.22 GBq at LSF 50 % puts 0.61 GBq in 1 kg lung = 30.5 Gy > 30 Gy", "published",
     ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1500", "--activity-gbq", "1.22", "--lung-shunt", "50"],
     [num("lungDoseGy", 30.5, abs=0.05), eq("status", "contraindicated"), eq("checks[name=lungDose].passed", False)], exitCode=3)

# --- BSA and empiric (resin) ---------------------------------------------------------------------
bsa = ["y90", "--device", "resin", "--method", "bsa", "--height-cm", "175", "--weight-kg", "80", "--tumor-volume-ml", "300", "--liver-volume-ml", "1500"]
case("BSA-01/02", "Sirtex BSA A = (BSA−0.2) + Vt/Vliver; DuBois 175 cm/80 kg = 1.9561 m²; " + D, "computed", bsa + ["--lung-shunt", "6"],
     [num("bsaM2", 1.9561, abs=0.001), num("activityGBq", 1.9561, abs=0.002), num("lungShuntReductionPercent", 0, abs=0), eq("status", "ok")])
case("BSA-03", "LSF 12 % → −20 % (Sirtex IFU; Grosser JVIR 2015); " + D, "computed", bsa + ["--lung-shunt", "12"],
     [num("unreducedActivityGBq", 1.9561, abs=0.002), num("activityGBq", 1.5648, abs=0.002), num("lungShuntReductionPercent", 20, abs=0)])
case("BSA-04", "LSF 17 % → −40 %; " + D, "computed", bsa + ["--lung-shunt", "17"],
     [num("activityGBq", 1.1736, abs=0.002), num("lungShuntReductionPercent", 40, abs=0)])
case("BSA-05", "LSF > 20 % → SIR-Spheres contraindicated; " + D, "safety", bsa + ["--lung-shunt", "22"],
     [num("activityGBq", 0, abs=0), eq("status", "contraindicated"), eq("checks[name=lungShunt].passed", False)], exitCode=3)
case("BSA-boundary-10", "boundary convention (stated in README): 10 % exactly → −20 %", "computed", bsa + ["--lung-shunt", "10"],
     [num("lungShuntReductionPercent", 20, abs=0)])
case("BSA-boundary-15", "boundary convention: 15 % exactly → −40 %", "computed", bsa + ["--lung-shunt", "15"],
     [num("lungShuntReductionPercent", 40, abs=0)])
case("BSA-boundary-20", "boundary convention: 20 % exactly → −40 %, not contraindicated", "computed", bsa + ["--lung-shunt", "20"],
     [num("lungShuntReductionPercent", 40, abs=0), eq("status", "ok")], exitCode=0)
case("BSA-06a", "lobar convention (a) whole-liver A × V_lobe/V_liver = 1.9561·900/1500 = 1.1737; " + D, "computed",
     bsa + ["--treated-volume-ml", "900", "--lung-shunt", "5"],
     [num("activityGBq", 1.1736, abs=0.002),
      # hand: treated lobe 900 mL × 1.03 = 927 g; 49.67 × 1.17366 × 0.95 / 0.927 = 59.74 Gy
      num("perfusedMassG", 927, abs=1e-9), num("perfusedLiverDoseGy", 59.74, abs=0.02)])
case("BSA-06b", "lobar convention (b) (BSA−0.2)·V_lobe/V_liver + V_T/V_liver = 1.7561·0.6 + 0.2 = 1.2537; " + D, "computed",
     bsa + ["--treated-volume-ml", "900", "--bsa-lobar-convention", "split", "--lung-shunt", "5"], [num("activityGBq", 1.2536, abs=0.002)])
case("EMP-01", "Sirtex empiric method (older IFU, recalled [R]): 30 % involvement → 2.5 GBq, LSF 12 % → −20 % = 2.0 GBq; " + D, "computed",
     ["y90", "--device", "resin", "--method", "empiric", "--tumor-volume-ml", "300", "--liver-volume-ml", "1000", "--lung-shunt", "12"],
     [num("unreducedActivityGBq", 2.5, abs=0.001), num("activityGBq", 2.0, abs=0.001)])
case("EMP-02", "hand: 20 % involvement → 2.0 GBq; LSF 5 % no reduction", "computed",
     ["y90", "--device", "resin", "--method", "empiric", "--tumor-volume-ml", "200", "--liver-volume-ml", "1000", "--lung-shunt", "5"],
     [num("activityGBq", 2.0, abs=0.001)])
case("EMP-03", "hand: 60 % involvement → 3.0 GBq; LSF 16 % → −40 % = 1.8 GBq", "computed",
     ["y90", "--device", "resin", "--method", "empiric", "--tumor-volume-ml", "600", "--liver-volume-ml", "1000", "--lung-shunt", "16"],
     [num("activityGBq", 1.8, abs=0.001)])

# --- Partition -----------------------------------------------------------------------------------
case("PART-01", "Sirtex partition A = D_NL·(T/N·M_T + M_NL)/(49.67·(1−LSF)) (van Roekel thesis); " + D, "computed",
     ["y90", "--device", "resin", "--method", "partition", "--tumor-mass-g", "200", "--normal-liver-mass-g", "1300", "--tn-ratio", "3",
      "--normal-liver-dose-gy", "40", "--lung-shunt", "10"],
     [num("activityGBq", 1.7001, abs=0.001), num("tumorDoseGy", 120.0, abs=0.05), num("normalLiverDoseGy", 40.0, abs=1e-6), num("lungDoseGy", 8.444, abs=0.01)])
case("PART-02", "glass partition from the DOSISPHERE-01 205 Gy tumour target; " + D, "computed",
     ["y90", "--device", "glass", "--method", "partition", "--tumor-mass-g", "150", "--normal-liver-mass-g", "850", "--tn-ratio", "4",
      "--tumor-dose-gy", "205", "--lung-shunt", "6"],
     [num("activityGBq", 1.5811, abs=0.001), num("normalLiverDoseGy", 51.25, abs=0.01), num("lungDoseGy", 4.743, abs=0.01)])
case("PART-03", "T/N = (C_T/V_T)/(C_N/V_N) = (400000/150)/(600000/850) = 3.7778; " + D, "computed",
     ["tn-ratio", "--tumor-counts", "400000", "--tumor-volume-ml", "150", "--normal-counts", "600000", "--normal-volume-ml", "850"],
     [num("tnRatio", 3.7778, abs=0.001)])
case("PART-05", "whole normal-liver dose D_whole = D_perf·M_perf/M_whole = 90·0.8/1.6 = 45 Gy; " + D, "computed",
     ["y90", "--device", "glass", "--method", "partition", "--tumor-mass-g", "100", "--normal-liver-mass-g", "800", "--tn-ratio", "3",
      "--normal-liver-dose-gy", "90", "--whole-normal-liver-mass-g", "1600", "--lung-shunt", "5"],
     [num("normalLiverDoseGy", 90, abs=1e-6), num("wholeNormalLiverDoseGy", 45.0, abs=0.01)])
case("PART-06-volumes", "hand: volumes × 1.03 g/mL: 194.17 mL → 200 g, 1262.14 mL → 1300 g; then PART-01", "computed",
     ["y90", "--device", "resin", "--method", "partition", "--tumor-volume-ml", "194.174757", "--normal-liver-volume-ml", "1262.135922", "--tn-ratio", "3",
      "--normal-liver-dose-gy", "40", "--lung-shunt", "10"],
     [num("activityGBq", 1.7001, abs=0.001)])
case("PART-07-forward", "hand: PART-01 forward from 1.7001 GBq gives back D_NL 40.00 Gy and D_T 120.0 Gy", "computed",
     ["y90", "--device", "resin", "--method", "partition", "--tumor-mass-g", "200", "--normal-liver-mass-g", "1300", "--tn-ratio", "3",
      "--activity-gbq", "1.7001", "--lung-shunt", "10"],
     [num("normalLiverDoseGy", 40.0, abs=0.01), num("tumorDoseGy", 120.0, abs=0.03)])

# --- Holmium -------------------------------------------------------------------------------------
case("HO-01", "QuiremSpheres standard A[MBq] = 3781·W[kg] (60 Gy, 15.87 J/GBq): 1.5 kg → 5671.5 MBq; " + D, "computed",
     ["ho166", "--method", "standard", "--liver-mass-g", "1500", "--lung-shunt", "4"],
     [num("activityGBq", 5.6715, abs=0.0005), num("lungDoseGy", 15.87 * 5.671 * 0.04, abs=0.01)])
case("HO-02a", "published: JNM 2016;57(suppl 2):199, scout deposit 3.7 MBq in 15.3 mL at 1.06 g/mL → 3.6 Gy (recomputed 3.62)", "published",
     ["ho166", "--method", "standard", "--liver-volume-ml", "15.3", "--density-g-per-ml", "1.06", "--activity-gbq", "0.0037", "--lung-shunt", "0"],
     [num("perfusedLiverDoseGy", 3.6, abs=0.1)])
case("HO-02b", "published: same abstract, 33 MBq in 36 mL → 13.8 Gy (recomputed 13.72)", "published",
     ["ho166", "--method", "standard", "--liver-volume-ml", "36", "--density-g-per-ml", "1.06", "--activity-gbq", "0.033", "--lung-shunt", "0"],
     [num("perfusedLiverDoseGy", 13.8, abs=0.1)])
case("HO-03", "Ho-166 partition, K 15.87, NL 40 Gy bilobar (EANM 2022 Table 4); " + D, "computed",
     ["ho166", "--method", "partition", "--tumor-mass-g", "120", "--normal-liver-mass-g", "1300", "--tn-ratio", "4",
      "--normal-liver-dose-gy", "40", "--lung-shunt", "4"],
     [num("activityGBq", 4.6734, abs=0.001), num("tumorDoseGy", 160.0, abs=0.01), num("lungDoseGy", 2.967, abs=0.01)])

# --- Bad input: one line on stderr naming the flag, nothing on stdout ------------------------------
base = ["y90", "--device", "glass", "--method", "mird", "--perfused-volume-ml", "1000", "--target-dose-gy", "120"]
bad = [
    ("no-lung-shunt", base, "--lung-shunt"),
    ("lung-shunt-100", base + ["--lung-shunt", "100"], "--lung-shunt"),
    ("lung-shunt-negative", base + ["--lung-shunt", "-1"], "--lung-shunt"),
    ("lung-shunt-nan", base + ["--lung-shunt", "nan"], "--lung-shunt"),
    ("lung-shunt-text", base + ["--lung-shunt", "eight"], "--lung-shunt"),
    ("volume-inf", ["y90", "--device", "glass", "--method", "mird", "--perfused-volume-ml", "inf", "--target-dose-gy", "120", "--lung-shunt", "5"], "--perfused-volume-ml"),
    ("mass-negative", ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "-5", "--target-dose-gy", "120", "--lung-shunt", "5"], "--perfused-mass-g"),
    ("liver-over-10kg", ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "12000", "--target-dose-gy", "120", "--lung-shunt", "5"], "--perfused-mass-g"),
    ("mass-and-volume", base + ["--perfused-mass-g", "1000", "--lung-shunt", "5"], "--perfused"),
    ("two-givens", base + ["--activity-gbq", "2", "--lung-shunt", "5"], "--activity-gbq"),
    ("dose-zero", ["y90", "--device", "glass", "--method", "mird", "--perfused-volume-ml", "1000", "--target-dose-gy", "0", "--lung-shunt", "5"], "--target-dose-gy"),
    ("unknown-device", ["y90", "--device", "plastic", "--method", "mird", "--perfused-volume-ml", "1000", "--target-dose-gy", "120", "--lung-shunt", "5"], "--device"),
    ("unknown-method", ["y90", "--device", "glass", "--method", "voxel", "--perfused-volume-ml", "1000", "--target-dose-gy", "120", "--lung-shunt", "5"], "--method"),
    ("bsa-for-glass", ["y90", "--device", "glass", "--method", "bsa", "--height-cm", "175", "--weight-kg", "80", "--tumor-volume-ml", "300", "--liver-volume-ml", "1500", "--lung-shunt", "5"], "--method"),
    ("flag-not-for-method", base + ["--tn-ratio", "3", "--lung-shunt", "5"], "--tn-ratio"),
    ("tumor-not-smaller-than-liver", ["y90", "--device", "resin", "--method", "bsa", "--height-cm", "175", "--weight-kg", "80", "--tumor-volume-ml", "1500", "--liver-volume-ml", "1500", "--lung-shunt", "5"], "--tumor-volume-ml"),
    ("height-implausible", ["y90", "--device", "resin", "--method", "bsa", "--height-cm", "1.75", "--weight-kg", "80", "--tumor-volume-ml", "300", "--liver-volume-ml", "1500", "--lung-shunt", "5"], "--height-cm"),
    ("tn-missing", ["y90", "--device", "glass", "--method", "partition", "--tumor-mass-g", "150", "--normal-liver-mass-g", "850", "--tumor-dose-gy", "205", "--lung-shunt", "6"], "--tn-ratio"),
    ("tn-zero", ["y90", "--device", "glass", "--method", "partition", "--tumor-mass-g", "150", "--normal-liver-mass-g", "850", "--tn-ratio", "0", "--tumor-dose-gy", "205", "--lung-shunt", "6"], "--tn-ratio"),
    ("ho166-standard-with-tumor-dose", ["ho166", "--method", "standard", "--liver-mass-g", "1500", "--lung-shunt", "4", "--tumor-dose-gy", "100"], "--tumor-dose-gy"),
    ("empiric-with-activity", ["y90", "--device", "resin", "--method", "empiric", "--tumor-volume-ml", "300", "--liver-volume-ml", "1000", "--lung-shunt", "5", "--activity-gbq", "2"], "--activity-gbq"),
    ("mass-in-kg", ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1.5", "--activity-gbq", "2", "--lung-shunt", "5"], "--perfused-mass-g"),
    ("unknown-nuclide", ["decay", "--nuclide", "lu177", "--activity-gbq", "5", "--hours", "3"], "--nuclide"),
    ("time-without-offset", ["decay", "--nuclide", "y90", "--activity-gbq", "5", "--from", "2026-03-01T10:00:00", "--to", "2026-03-02T10:00:00Z"], "--from"),
    ("time-malformed", ["decay", "--nuclide", "y90", "--activity-gbq", "5", "--from", "yesterday", "--to", "2026-03-02T10:00:00Z"], "--from"),
    ("hours-and-times", ["decay", "--nuclide", "y90", "--activity-gbq", "5", "--hours", "3", "--from", "2026-03-01T10:00:00Z", "--to", "2026-03-02T10:00:00Z"], "--hours"),
    ("counts-all-zero", ["lsf", "--lung-anterior", "0", "--lung-posterior", "0", "--liver-anterior", "0", "--liver-posterior", "0"], "--liver-anterior"),
    ("residual-100", ["vial", "--device", "glass", "--activity-gbq", "2", "--residual-percent", "100", "--hours", "10"], "--residual-percent"),
]
for name, args, flag in bad:
    case("BAD-" + name, "safety rule: bad input never becomes a number; it is refused with one line naming the input", "safety", args, None, exitCode=2, stderrContains=flag)
case("BAD-unknown-flag", "safety rule: an unknown flag is a usage error", "safety", base + ["--lung-shunt", "5", "--lung-shunt-fraction", "0.05"], None, exitCode=64, stderrContains="--lung-shunt-fraction")

out = {"description": "Radioembolization reference cases. Each case is a dosecalc invocation; expected values are published numbers or independent computations of the published formulas, never dosecalc output. Regenerate with reference-data/tools/make_radioembolization_cases.py.",
       "cases": cases}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "cases", "radioembolization.json"), "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(len(cases), "cases")
