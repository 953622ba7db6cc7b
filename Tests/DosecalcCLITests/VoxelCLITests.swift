// SPDX-License-Identifier: GPL-3.0-or-later
// `dosecalc voxel` end to end on a phantom: a liver block with a spherical tumour of uniform uptake
// (4 × the normal liver per gram) and a lung block. With uniform uptake per compartment, local deposition
// gives exactly the partition model's mean doses, so the voxel means are checked against `dosecalc y90
// --method partition` on the masses the label map holds (an independent compartment calculation).
import Foundation
import TestSupport
import Testing
@testable import DosecalcCLI

@Suite("dosecalc voxel")
struct VoxelCLITests {
    struct Phantom { let dir: URL; let counts: String; let labels: String; let liverVoxels: Int; let tumorVoxels: Int; let tumorCounts: [Double] }

    /// 24 × 20 × 12 voxels of 4 mm: liver x < 18, a tumour sphere of radius 4 voxels inside it (counts
    /// `tumorCount(x)`, uniform 400 by default), lung x ≥ 20.
    static func phantom(countType: NiftiFixture.DataType = .float32, tumorCount: (Int) -> Double = { _ in 400 }) throws -> Phantom {
        let dir = try NiftiFixture.folder()
        let (nx, ny, nz) = (24, 20, 12)
        var labels = [Double](repeating: 0, count: nx * ny * nz), counts = labels
        var liver = 0, tumorCounts: [Double] = []
        for z in 0..<nz { for y in 0..<ny { for x in 0..<nx {
            let i = (z * ny + y) * nx + x
            let r2 = Double((x - 9) * (x - 9) + (y - 10) * (y - 10) + (z - 6) * (z - 6))
            if x < 18 {
                if r2 <= 16 { labels[i] = 2; counts[i] = tumorCount(x); tumorCounts.append(counts[i]) } else { labels[i] = 1; counts[i] = 100; liver += 1 }
            } else if x >= 20 { labels[i] = 100; counts[i] = 3 }
        } } }
        let c = dir.appendingPathComponent("spect.nii"), l = dir.appendingPathComponent("labels.nii")
        try NiftiFixture.write(c, dims: [nx, ny, nz], spacing: [4, 4, 4], type: countType, values: counts)
        try NiftiFixture.write(l, dims: [nx, ny, nz], spacing: [4, 4, 4], type: .int16, values: labels)
        return Phantom(dir: dir, counts: c.path, labels: l.path, liverVoxels: liver, tumorVoxels: tumorCounts.count, tumorCounts: tumorCounts)
    }

    @Test("uniform uptake: voxel means equal the partition model on the label masses; D70 = mean; V100 by hand")
    func partitionAgreement() throws {
        let p = try Self.phantom()
        let r = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                 "--activity-gbq", "0.3", "--lung-shunt", "8", "--json"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let o = try #require(r.jsonObject)
        let labels = try #require(o["labels"] as? [[String: Any]])
        let nl = try #require(labels.first { $0["label"] as? Int == 1 }), t = try #require(labels.first { $0["label"] as? Int == 2 })
        let voxelG = 0.064 * 1.03
        let mn = Double(p.liverVoxels) * voxelG, mt = Double(p.tumorVoxels) * voxelG
        #expect(abs((nl["massG"] as! Double) - mn) < 1e-9 * mn && abs((t["massG"] as! Double) - mt) < 1e-9 * mt)
        let part = try #require(Dosecalc.invoke(["y90", "--device", "glass", "--method", "partition", "--tumor-mass-g", "\(mt)",
                                                 "--normal-liver-mass-g", "\(mn)", "--tn-ratio", "4", "--activity-gbq", "0.3", "--lung-shunt", "8", "--json"]).jsonObject)
        let tumorDose = part["tumorDoseGy"] as! Double, normalDose = part["normalLiverDoseGy"] as! Double
        #expect(abs((t["meanDoseGy"] as! Double) - tumorDose) < 1e-9 * tumorDose)
        #expect(abs((nl["meanDoseGy"] as! Double) - normalDose) < 1e-9 * normalDose)
        // Every tumour voxel has the same dose: D50 = D70 = D95 = min = max = mean; V100 is 100 % or 0 %.
        for key in ["d50Gy", "d70Gy", "d90Gy", "d95Gy", "minDoseGy", "maxDoseGy"] { #expect(abs((t[key] as! Double) - tumorDose) < 1e-9 * tumorDose, "\(key)") }
        #expect((t["v100Percent"] as! Double) == (tumorDose >= 100 ? 100 : 0))
        #expect(abs((o["lungDoseGy"] as! Double) - (part["lungDoseGy"] as! Double)) < 1e-12)
        #expect(abs((o["wholeNormalLiverDoseGy"] as! Double) - normalDose) < 1e-9 * normalDose)
    }

    @Test("the dose map, the DVH CSV and the planner anatomy are written; the plan runs on the anatomy")
    func outputs() throws {
        let p = try Self.phantom(countType: .int16)
        let dose = p.dir.appendingPathComponent("dose.nii.gz").path, csv = p.dir.appendingPathComponent("dvh.csv").path
        let anatomy = p.dir.appendingPathComponent("anatomy.json").path
        let r = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                 "--activity-gbq", "0.3", "--lung-shunt", "8", "--dose-out", dose, "--csv", csv, "--anatomy-out", anatomy, "--v-gy", "120"], writeFiles: true)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let doseMap = try TestSupport.readFloat32Nii(gzipped: dose)
        #expect(doseMap.count == 24 * 20 * 12 && doseMap.contains { $0 > 0 })
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "dose_gy,\"normal liver\",\"tumour 2\"")
        #expect(lines[1].hasPrefix("0,100,100"))
        let a = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: anatomy))) as! [String: Any]
        let tumors = ((a["territories"] as! [[String: Any]])[0]["tumors"] as! [[String: Any]])
        #expect(abs((tumors[0]["tnRatio"] as! Double) - 4) < 1e-12)
        #expect(a["lungShuntPercent"] as? Double == 8)
        // A planner input around the image-derived anatomy.
        let input: [String: Any] = [
            "patient": ["id": "VOX-1", "heightCm": 170, "weightKg": 70, "histology": "HCC", "cirrhosis": false,
                        "labs": ["bilirubinMgPerDl": 0.8, "albuminGPerDl": 4.0, "inr": 1.0, "ascites": "none", "encephalopathy": "none"]],
            "anatomy": a, "treatment": ["modality": "y90-glass", "tumorTargetGy": 205],
        ]
        let plan = Dosecalc.invoke(["plan", "--input", "-", "--json"], standardInput: try JSONSerialization.data(withJSONObject: input))
        #expect(plan.exitCode == 0 || plan.exitCode == 3, "\(plan.stderr)")
        #expect(plan.jsonObject?["radioembolization"] != nil)
    }

    @Test("bad input: one line on stderr naming the flag, nothing on stdout", arguments: [
        (["--nuclide", "y91"], "--nuclide"), (["--device", "plastic"], "--device"), (["--method", "monte-carlo"], "--method"),
        (["--map-unit", "mci"], "--map-unit"), (["--lung-shunt", "100"], "--lung-shunt"),
        (["--activity-gbq", "-1"], "--activity-gbq"), (["--v-gy", "abc"], "--v-gy"), (["--lung-density-g-per-ml", "3"], "--lung-density-g-per-ml"),
    ])
    func refused(_ change: [String], _ flag: String) throws {
        let p = try Self.phantom()
        var args = ["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass", "--activity-gbq", "0.3", "--lung-shunt", "8"]
        if let i = args.firstIndex(of: change[0]) { args[i + 1] = change[1] } else { args += change }
        let r = Dosecalc.invoke(args)
        #expect(r.exitCode == 2, "\(args): \(r.stderr)")
        #expect(r.stdout.isEmpty && r.stderr.contains(flag) && !r.stderr.contains("\n"))
    }

    @Test("kernel convolution: the tumour's mean dose falls below local deposition (energy spills into the normal liver), the energy in the liver labels is conserved; 10 mm voxels go through a 9.28 mm working grid; Ho-166 has no kernel")
    func kernel() throws {
        let p = try Self.phantom()
        func run(_ method: String) throws -> [String: Any] {
            let r = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                     "--activity-gbq", "0.3", "--lung-shunt", "8", "--method", method, "--json"])
            #expect(r.exitCode == 0, "\(r.stderr)")
            return try #require(r.jsonObject)
        }
        let ldm = try run("ldm"), ker = try run("kernel")
        func label(_ o: [String: Any], _ l: Int) -> [String: Any] { (o["labels"] as! [[String: Any]]).first { $0["label"] as? Int == l }! }
        let tl = label(ldm, 2)["meanDoseGy"] as! Double, tk = label(ker, 2)["meanDoseGy"] as! Double
        let nl = label(ldm, 1)["meanDoseGy"] as! Double, nk = label(ker, 1)["meanDoseGy"] as! Double
        #expect(tk < tl && nk < nl && nk > 0.9 * nl)
        // The energy kept in the liver labels: at most the liver's energy minus what left the image (the liver
        // touches five faces of the grid) and what crossed into the empty gap at x = 18, 19.
        let m1 = label(ker, 1)["massG"] as! Double, m2 = label(ker, 2)["massG"] as! Double
        let inLiver = (nk * m1 + tk * m2) / 1000, ldmEnergy = (nl * m1 + tl * m2) / 1000
        let lost = try #require((ker["assumptions"] as! [[String: Any]]).first { $0["name"] as? String == "energyLeavingImage" }?["value"] as? Double)
        #expect(lost > 0 && lost < 10)
        #expect(inLiver <= ldmEnergy * (1 - lost / 100) * (1 + 1e-9) && inLiver > 0.9 * ldmEnergy)
        // No kernel of their own for 10 mm voxels (the largest is 9.28 mm): the energy is resampled onto 9.28 mm
        // cubes and back, and the assumptions say so; Ho-166 has no kernel at all.
        let dir = try NiftiFixture.folder()
        let c = dir.appendingPathComponent("c.nii"), l = dir.appendingPathComponent("l.nii")
        try NiftiFixture.write(c, dims: [4, 4, 4], spacing: [10, 10, 10], type: .float32, values: Array(repeating: 1, count: 64))
        try NiftiFixture.write(l, dims: [4, 4, 4], spacing: [10, 10, 10], type: .int16, values: Array(repeating: 1, count: 64))
        let r = Dosecalc.invoke(["voxel", "--counts", c.path, "--labels", l.path, "--nuclide", "y90", "--device", "glass",
                                 "--activity-gbq", "0.05", "--lung-shunt", "8", "--method", "kernel", "--json"])
        #expect(r.exitCode == 0, "\(r.stderr)")   // 0.05 GBq over 64 mL of liver: 35 Gy, below every limit
        let working = (r.jsonObject?["assumptions"] as? [[String: Any]])?.first { $0["name"] as? String == "kernelWorkingGrid" }
        #expect(working?["value"] as? Double == 9.28)
        let ho = Dosecalc.invoke(["voxel", "--counts", c.path, "--labels", l.path, "--nuclide", "ho166",
                                  "--activity-gbq", "0.3", "--lung-shunt", "8", "--method", "kernel"])
        #expect(ho.exitCode == 2 && ho.stderr.contains("--method") && ho.stderr.contains("ho166") && ho.stdout.isEmpty, "\(ho.stderr)")
    }

    @Test("an activity map in Bq/mL, decay-corrected by hand: 1 MBq/mL measured 64.1 h after treatment is 2 MBq/mL at treatment")
    func absolute() throws {
        let dir = try NiftiFixture.folder()
        let c = dir.appendingPathComponent("pet.nii"), l = dir.appendingPathComponent("labels.nii")
        // 10 × 10 × 10 voxels of 4 mm: all normal liver at 1e6 Bq/mL.
        try NiftiFixture.write(c, dims: [10, 10, 10], spacing: [4, 4, 4], type: .float32, values: Array(repeating: 1e6, count: 1000))
        try NiftiFixture.write(l, dims: [10, 10, 10], spacing: [4, 4, 4], type: .int16, values: Array(repeating: 1, count: 1000))
        let r = Dosecalc.invoke(["voxel", "--counts", c.path, "--labels", l.path, "--nuclide", "y90", "--device", "glass", "--map-unit", "bq-per-ml",
                                 "--acquisition-time", "2026-12-03T16:06:00Z", "--treatment-time", "2026-12-01T00:00:00Z", "--json"])
        // 97 Gy to the whole normal liver breaks its hard limit: contraindicated, exit 3, still printed.
        #expect(r.exitCode == 3, "\(r.stderr)")
        let o = try #require(r.jsonObject)
        #expect(o["status"] as? String == "contraindicated")
        // 64.1 h = one half-life: 2e6 Bq/mL at treatment; D = K · A / m = 50 Gy·kg/GBq · 2e-3 GBq/mL / (1.03e-3 kg/mL).
        let expected = 50 * 2e-3 / 1.03e-3
        let nl = (o["labels"] as! [[String: Any]]).first { $0["label"] as? Int == 1 }!
        #expect(abs((nl["meanDoseGy"] as! Double) - expected) < 1e-9 * expected)
        #expect(abs((o["liverActivityGBq"] as! Double) - 2e-3 * 64) < 1e-12)
        // Count-map flags are refused with an activity map, and the times are required.
        let bad = Dosecalc.invoke(["voxel", "--counts", c.path, "--labels", l.path, "--nuclide", "y90", "--device", "glass", "--map-unit", "bq-per-ml",
                                   "--activity-gbq", "1", "--acquisition-time", "2026-12-03T16:06:00Z", "--treatment-time", "2026-12-01T00:00:00Z"])
        #expect(bad.exitCode == 2 && bad.stderr.contains("--activity-gbq"))
        let noTime = Dosecalc.invoke(["voxel", "--counts", c.path, "--labels", l.path, "--nuclide", "y90", "--device", "glass", "--map-unit", "bq-per-ml"])
        #expect(noTime.exitCode == 2 && noTime.stderr.contains("--acquisition-time"))
    }

    @Test("a label table renames and renumbers; a malformed one is refused")
    func labelTable() throws {
        let p = try Self.phantom()
        let t = p.dir.appendingPathComponent("labels.json")
        try Data(#"{"labels": [{"value": 1, "name": "liver", "kind": "normalLiver"}, {"value": 2, "name": "HCC segment 8", "kind": "tumor"}, {"value": 100, "name": "lungs", "kind": "lung"}]}"#.utf8).write(to: t)
        let r = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                 "--activity-gbq", "0.3", "--lung-shunt", "8", "--label-table", t.path, "--json"])
        #expect(r.exitCode == 0, "\(r.stderr)")
        let names = ((r.jsonObject?["labels"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["liver", "HCC segment 8"])
        for bad in [#"{"labels": []}"#, #"{"labels": [{"value": 1, "name": "a", "kind": "liver"}]}"#,
                    #"{"labels": [{"value": 1, "name": "a", "kind": "normalLiver"}, {"value": 1, "name": "b", "kind": "tumor"}]}"#,
                    #"{"labels": [{"value": 1.5, "name": "a", "kind": "normalLiver"}]}"#, #"{"labels": [{"value": 1, "name": "a", "kind": "normalLiver", "colour": "red"}]}"#,
                    #"{"labels": [{"value": 2, "name": "a", "kind": "tumor"}]}"#, "not json"] {
            try Data(bad.utf8).write(to: t)
            let b = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                     "--activity-gbq", "0.3", "--lung-shunt", "8", "--label-table", t.path])
            #expect(b.exitCode == 2 && b.stderr.contains("--label-table") && b.stdout.isEmpty, "\(bad): \(b.stderr)")
        }
        // The phantom holds label 100, which a table without a lung entry does not list.
        try Data(#"{"labels": [{"value": 1, "name": "liver", "kind": "normalLiver"}, {"value": 2, "name": "T", "kind": "tumor"}]}"#.utf8).write(to: t)
        let missing = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                       "--activity-gbq", "0.3", "--lung-shunt", "8", "--label-table", t.path])
        #expect(missing.exitCode == 2 && missing.stderr.contains("--labels") && missing.stderr.contains("100"))
    }

    @Test("verification: a map whose uptake matches the plan's anatomy, at the plan's activity, delivers the planned doses; a tumour without a label is refused")
    func verification() throws {
        let p = try Self.phantom()
        let anatomy = p.dir.appendingPathComponent("anatomy.json").path, planPath = p.dir.appendingPathComponent("plan.json").path
        _ = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                             "--activity-gbq", "0.3", "--lung-shunt", "8", "--anatomy-out", anatomy], writeFiles: true)
        let a = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: anatomy)))
        let input: [String: Any] = [
            "patient": ["id": "VOX-2", "heightCm": 170, "weightKg": 70, "histology": "HCC", "cirrhosis": false,
                        "labs": ["bilirubinMgPerDl": 0.8, "albuminGPerDl": 4.0, "inr": 1.0, "ascites": "none", "encephalopathy": "none"]],
            "anatomy": a, "treatment": ["modality": "y90-glass", "tumorTargetGy": 150],
        ]
        let plan = Dosecalc.invoke(["plan", "--input", "-", "--json"], standardInput: try JSONSerialization.data(withJSONObject: input))
        try plan.stdout.write(toFile: planPath, atomically: true, encoding: .utf8)
        let re = try #require(plan.jsonObject?["radioembolization"] as? [String: Any])
        let activity = try #require(re["activityGBq"] as? Double)
        let r = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                 "--activity-gbq", "\(activity)", "--lung-shunt", "8", "--verify", planPath, "--json"])
        #expect(r.exitCode == 0 || r.exitCode == 3, "\(r.stderr)")
        let v = try #require(r.jsonObject?["verification"] as? [String: Any])
        let comps = try #require(v["compartments"] as? [[String: Any]])
        #expect(Set(comps.compactMap { $0["kind"] as? String }) == ["tumor", "wholeNormalLiver", "lung"])
        for c in comps {
            let planned = c["plannedMeanDoseGy"] as! Double, delivered = c["deliveredMeanDoseGy"] as! Double
            #expect(abs(delivered - planned) <= 1e-9 * planned, "\(c["name"]!): planned \(planned), delivered \(delivered)")
        }
        let tumour = try #require(comps.first { $0["kind"] as? String == "tumor" })
        #expect(abs((tumour["deliveredD70Gy"] as! Double) - (tumour["plannedD70Gy"] as! Double)) <= 1e-9 * (tumour["plannedD70Gy"] as! Double))
        // Text output shows the side-by-side table; the report the table and the DVH overlay.
        let reportPath = p.dir.appendingPathComponent("voxel.html").path
        let text = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                    "--activity-gbq", "\(activity)", "--lung-shunt", "8", "--verify", planPath, "--report", reportPath], writeFiles: true).stdout
        #expect(text.contains("Verification against the plan of VOX-2"))
        let html = try String(contentsOfFile: reportPath, encoding: .utf8)
        for needle in ["<h2>Planned and delivered</h2>", "id=\"dvh\"", "id=\"dvh-verify\"", "tumour 2, planned", "</html>"] {
            #expect(html.contains(needle), "\(needle)")
        }
        #expect(!html.contains("<script"))
        // With the default label names ("tumour 2") and a plan tumour of another name, the match is refused.
        let renamed = plan.stdout.replacingOccurrences(of: "\"tumour 2\"", with: "\"T9\"")
        try renamed.write(toFile: planPath, atomically: true, encoding: .utf8)
        let bad = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                   "--activity-gbq", "\(activity)", "--lung-shunt", "8", "--verify", planPath])
        #expect(bad.exitCode == 2 && bad.stderr.contains("--verify") && bad.stderr.contains("T9"))
    }

    @Test("a broken kernel file is refused whole with exit 78, naming the file and the key; ldm does not read it", arguments: [
        ("\"voxelSizeMm\": 4.0", "\"voxelSizeMm\": \"4 mm\"", "kernels[6].voxelSizeMm"),
        ("\"unit\": \"mGy/(MBq·s)\",\n   \"octant\": [\n    0.858", "\"unit\": \"mGy/(MBq·s)\",\n   \"octant\": [\n    -0.858", "kernels[6].octant"),
        ("\"medium\": \"soft tissue\",", "\"medium\": \"soft tissue\", \"mediun\": 1,", "mediun"),
    ])
    func brokenKernelFile(_ find: String, _ replace: String, _ key: String) throws {
        let p = try Self.phantom()
        let dir = p.dir.appendingPathComponent("reference-data")
        try FileManager.default.copyItem(at: DosecalcBinary.packageRoot.appendingPathComponent("reference-data"), to: dir)
        let file = dir.appendingPathComponent("voxel-kernels/y90-soft-tissue.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains(find), "\(find)")
        try text.replacingOccurrences(of: find, with: replace).write(to: file, atomically: true, encoding: .utf8)
        let args = ["--reference-data", dir.path, "voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                    "--activity-gbq", "0.3", "--lung-shunt", "8"]
        let r = try DosecalcBinary.run(args + ["--method", "kernel"])
        #expect(r.exitCode == 78, "exit \(r.exitCode): \(r.stderr)")
        #expect(r.stdout.isEmpty && r.stderr.contains("voxel-kernels/y90-soft-tissue.json") && r.stderr.contains(key), "\(r.stderr)")
        #expect(try DosecalcBinary.run(args).exitCode == 0)
    }

    @Test("--lung-shunt image: the shunt is the lung label's share of the counts, used for the doses and the planner's anatomy")
    func shuntFromImage() throws {
        let p = try Self.phantom()
        let anatomy = p.dir.appendingPathComponent("anatomy.json").path
        let r = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                 "--activity-gbq", "0.3", "--lung-shunt", "image", "--anatomy-out", anatomy, "--json"], writeFiles: true)
        #expect(r.exitCode == 0, "\(r.stderr)")
        // Lung: x = 20…23 of 24, all y and z: 4 × 20 × 12 voxels of 3 counts; liver: normal voxels 100, tumour voxels 400.
        let lung = Double(4 * 20 * 12) * 3, liver = Double(p.liverVoxels) * 100 + Double(p.tumorVoxels) * 400
        let expected = 100 * lung / (lung + liver)
        let o = try #require(r.jsonObject)
        #expect(abs((o["lungShuntPercent"] as! Double) - expected) < 1e-12 * expected)
        #expect(abs((o["lungDoseGy"] as! Double) - 50 * 0.3 * expected / 100 / 1.0) < 1e-12)
        let a = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: anatomy))) as! [String: Any]
        #expect(abs((a["lungShuntPercent"] as! Double) - expected) < 1e-12 * expected)
        // Without a lung label there is nothing to take it from.
        let t = p.dir.appendingPathComponent("labels.json")
        try Data(#"{"labels": [{"value": 1, "name": "liver", "kind": "normalLiver"}, {"value": 2, "name": "T", "kind": "tumor"}, {"value": 100, "name": "other", "kind": "background"}]}"#.utf8).write(to: t)
        let none = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                    "--activity-gbq", "0.3", "--lung-shunt", "image", "--label-table", t.path])
        #expect(none.exitCode == 2 && none.stderr.contains("--lung-shunt") && none.stdout.isEmpty, "\(none.stderr)")
    }

    @Test("a territory map splits the normal liver; a tumour goes with the territory holding most of it; a territory without a tumour is refused")
    func territories() throws {
        let p = try Self.phantom()
        let (nx, ny, nz) = (24, 20, 12)
        func territoryMap(_ f: (Int, Int) -> Int) throws -> String {
            var v = [Double](repeating: 0, count: nx * ny * nz)
            for z in 0..<nz { for y in 0..<ny { for x in 0..<nx { v[(z * ny + y) * nx + x] = Double(x < 18 ? f(x, y) : 0) } } }
            let u = p.dir.appendingPathComponent("territories-\(UUID().uuidString).nii")
            try NiftiFixture.write(u, dims: [nx, ny, nz], spacing: [4, 4, 4], type: .int16, values: v)
            return u.path
        }
        let anatomy = p.dir.appendingPathComponent("anatomy.json").path
        // Territory 2: y ≥ 5 (holds the whole tumour, rows 6–14); rows 0–4 belong to no territory.
        let t = try territoryMap { _, y in y >= 5 ? 2 : 0 }
        let r = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                 "--activity-gbq", "0.3", "--lung-shunt", "8", "--anatomy-out", anatomy, "--territories", t], writeFiles: true)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let a = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: anatomy))) as! [String: Any]
        let ters = a["territories"] as! [[String: Any]]
        #expect(ters.count == 1 && ters[0]["name"] as? String == "territory 2")
        let voxelG = 0.064 * 1.03
        let whole = Double(p.liverVoxels) * voxelG, outside = Double(18 * 5 * 12) * voxelG   // x < 18, y < 5: normal liver, no territory
        #expect(abs((a["wholeNormalLiverMassG"] as! Double) - whole) < 1e-9 * whole)
        #expect(abs((ters[0]["normalLiverMassG"] as! Double) - (whole - outside)) < 1e-9 * whole)
        let tumor = (ters[0]["tumors"] as! [[String: Any]])[0]
        #expect(abs((tumor["tnRatio"] as! Double) - 4) < 1e-12)
        // Territory 1 (y < 10) holds no tumour majority: refused, naming it.
        let split = try territoryMap { _, y in y < 10 ? 1 : 2 }
        let bad = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                   "--activity-gbq", "0.3", "--lung-shunt", "8", "--anatomy-out", anatomy, "--territories", split])
        #expect(bad.exitCode == 2 && bad.stderr.contains("territory 1") && bad.stdout.isEmpty, "\(bad.stderr)")
        // A territory map without --anatomy-out is refused.
        let alone = Dosecalc.invoke(["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass",
                                     "--activity-gbq", "0.3", "--lung-shunt", "8", "--territories", t])
        #expect(alone.exitCode == 2 && alone.stderr.contains("--territories"))
    }

    @Test("patient facts select the limits as for y90; every flag a check asks for is one voxel takes")
    func facts() throws {
        let p = try Self.phantom()
        let base = ["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass", "--activity-gbq", "0.3", "--lung-shunt", "8", "--json"]
        let checks = { (o: [String: Any]) in o["checks"] as! [[String: Any]] }
        let without = try #require(Dosecalc.invoke(base).jsonObject)
        // Every check that asks for something asks for a flag of this command.
        let help = Dosecalc.invoke(["voxel", "--help"]).stdout
        for c in checks(without) { for r in (c["requires"] as? [String]) ?? [] { #expect(help.contains(r), "\(c["name"]!): \(r)") } }
        let perfused = try #require(checks(without).first { $0["name"] as? String == "perfusedNormalLiverDose" })
        #expect(perfused["state"] as? String == "notEvaluated" && perfused["requires"] == nil)
        // A bilirubin of 0.8 mg/dL decides the glass whole normal-liver limit (EANM 2022 Table 2 footnote: 90 Gy below 1.1 mg/dL, 50 Gy from it).
        let with = try #require(Dosecalc.invoke(base + ["--bilirubin-mg-per-dl", "0.8"]).jsonObject)
        let whole = try #require(checks(with).first { $0["name"] as? String == "wholeNormalLiverDose" })
        #expect(whole["state"] as? String == "passed" && whole["limit"] as? Double == 90)
        let bad = Dosecalc.invoke(Array(base.dropLast()) + ["--child-pugh-score", "4"])
        #expect(bad.exitCode == 2 && bad.stderr.contains("--child-pugh-score"))
    }

    @Test("a missing or truncated map is refused with its flag")
    func files() throws {
        let p = try Self.phantom()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: p.counts))
        let cut = p.dir.appendingPathComponent("cut.nii").path
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: cut))
        for (counts, labels, flag) in [(cut, p.labels, "--counts"), (p.counts, "/no/such.nii", "--labels")] {
            let r = Dosecalc.invoke(["voxel", "--counts", counts, "--labels", labels, "--nuclide", "y90", "--device", "glass", "--activity-gbq", "0.3", "--lung-shunt", "8"])
            #expect(r.exitCode == 2 && r.stderr.contains(flag) && r.stdout.isEmpty, "\(r.stderr)")
        }
    }

    @Test("the anatomy carries each compartment's DVH shape; the plan report draws the image DVHs at the planned doses, D_x by hand; a broken shape is refused")
    func imageDVHsInPlanReport() throws {
        // The phantom's tumour, made non-uniform: voxels with x < 9 take 700 counts, the rest 250.
        let p = try Self.phantom { x in x < 9 ? 700 : 250 }
        let dir = p.dir
        let c = URL(fileURLWithPath: p.counts), l = URL(fileURLWithPath: p.labels)
        let hot = p.tumorCounts.filter { $0 == 700 }.count, cold = p.tumorCounts.filter { $0 == 250 }.count
        #expect(hot > 0 && cold > 0 && hot + cold == p.tumorVoxels)
        let anatomyPath = dir.appendingPathComponent("anatomy.json").path
        let r = Dosecalc.invoke(["voxel", "--counts", c.path, "--labels", l.path, "--nuclide", "y90", "--device", "glass",
                                 "--activity-gbq", "0.3", "--lung-shunt", "8", "--anatomy-out", anatomyPath], writeFiles: true)
        #expect(r.exitCode == 0, "\(r.stderr)")
        var a = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: anatomyPath))) as! [String: Any]
        var ters = a["territories"] as! [[String: Any]]
        var tumors = ters[0]["tumors"] as! [[String: Any]]
        // By hand: equal voxel masses, so the tumour's mean count is (700 h + 250 c)/(h + c); the hottest h/(h + c)
        // of the mass has 700/mean, the rest 250/mean. The normal liver is uniform: every ratio is 1.
        let mean = (700 * Double(hot) + 250 * Double(cold)) / Double(hot + cold), hotShare = 100 * Double(hot) / Double(hot + cold)
        let shape = tumors[0]["doseRatioAtMassPercent"] as! [Double]
        #expect(shape.count == 101)
        for k in 0...100 {
            let expected = Double(k) <= hotShare ? 700 / mean : 250 / mean
            #expect(abs(shape[k] - expected) < 1e-12, "r_\(k)")
        }
        #expect((ters[0]["normalLiverDoseRatioAtMassPercent"] as! [Double]).allSatisfy { abs($0 - 1) < 1e-12 })
        #expect(abs((tumors[0]["tnRatio"] as! Double) - mean / 100) < 1e-12)
        // The plan on that anatomy, and its report.
        func input(_ anatomy: [String: Any]) throws -> Data {
            try JSONSerialization.data(withJSONObject: [
                "patient": ["id": "VOX-DVH", "heightCm": 170, "weightKg": 70, "histology": "HCC", "cirrhosis": false,
                            "labs": ["bilirubinMgPerDl": 0.8, "albuminGPerDl": 4.0, "inr": 1.0, "ascites": "none", "encephalopathy": "none"]],
                "anatomy": anatomy, "treatment": ["modality": "y90-glass", "tumorTargetGy": 205],
            ] as [String: Any])
        }
        let report = dir.appendingPathComponent("plan.html").path
        let plan = Dosecalc.invoke(["plan", "--input", "-", "--json", "--report", report], writeFiles: true, standardInput: try input(a))
        #expect(plan.exitCode == 0, "\(plan.stderr)")
        let re = try #require(plan.jsonObject?["radioembolization"] as? [String: Any])
        let planned = try #require(((re["territories"] as! [[String: Any]])[0]["tumorDosesGy"] as! [String: Any])["tumour 2"] as? Double)
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.contains("Dose–volume histograms from the images at the planned doses") && html.contains("id=\"image-dvh\""))
        // D50 and D90 of the tumour at the planned dose, by hand (hot share is below 50 %: both are the cold dose).
        #expect(hotShare < 50)
        let cells = ["<td>tumour 2</td>", "<td class=\"num\">\(String(format: "%.1f", planned))</td>",
                     "<td class=\"num\">\(String(format: "%.1f", planned * 250 / mean))</td>"]
        for cell in cells { #expect(html.contains(cell), "\(cell)") }
        #expect(html.contains("spect.nii"))
        // A shape that rises, or has the wrong length, is refused naming the field.
        var rising = shape; rising[40] = rising[0] + 1
        tumors[0]["doseRatioAtMassPercent"] = rising; ters[0]["tumors"] = tumors; a["territories"] = ters
        let bad = Dosecalc.invoke(["plan", "--input", "-"], standardInput: try input(a))
        #expect(bad.exitCode == 2 && bad.stdout.isEmpty && bad.stderr.contains("anatomy.territories[0].tumors[0].doseRatioAtMassPercent[40]"), "\(bad.stderr)")
        tumors[0]["doseRatioAtMassPercent"] = Array(shape.prefix(100)); ters[0]["tumors"] = tumors; a["territories"] = ters
        let short = Dosecalc.invoke(["plan", "--input", "-"], standardInput: try input(a))
        #expect(short.exitCode == 2 && short.stderr.contains("101 values"), "\(short.stderr)")
    }

    @Test("--lung-shunt planar: the shunt from the four planar counts (by hand 1/11) gives the same doses as the number; the count flags are refused without it and required with it")
    func planarShunt() throws {
        let p = try Self.phantom()
        let base = ["voxel", "--counts", p.counts, "--labels", p.labels, "--nuclide", "y90", "--device", "glass", "--activity-gbq", "0.3", "--json"]
        // GM lung = √(4000 · 6000), GM liver = √(40000 · 60000) = 10 × GM lung: LSF = 1/11.
        let planar = Dosecalc.invoke(base + ["--lung-shunt", "planar", "--lung-anterior", "4000", "--lung-posterior", "6000",
                                             "--liver-anterior", "40000", "--liver-posterior", "60000"])
        #expect(planar.exitCode == 0, "\(planar.stderr)")
        let o = try #require(planar.jsonObject)
        #expect(abs((o["lungShuntPercent"] as! Double) - 100.0 / 11) < 1e-12)
        let number = try #require(Dosecalc.invoke(base + ["--lung-shunt", "\(100.0 / 11)"]).jsonObject)
        #expect(abs((o["lungDoseGy"] as! Double) - (number["lungDoseGy"] as! Double)) < 1e-12)
        #expect(abs((o["wholeNormalLiverDoseGy"] as! Double) - (number["wholeNormalLiverDoseGy"] as! Double)) < 1e-9)
        #expect((o["assumptions"] as! [[String: Any]]).contains { ($0["source"] as? String ?? "").contains("planar counts") })
        let stray = Dosecalc.invoke(base + ["--lung-shunt", "8", "--lung-anterior", "4000"])
        #expect(stray.exitCode == 2 && stray.stdout.isEmpty && stray.stderr.contains("--lung-anterior"), "\(stray.stderr)")
        let missing = Dosecalc.invoke(base + ["--lung-shunt", "planar", "--lung-anterior", "4000", "--lung-posterior", "6000", "--liver-anterior", "40000"])
        #expect(missing.exitCode == 2 && missing.stderr.contains("--liver-posterior"), "\(missing.stderr)")
        let zero = Dosecalc.invoke(base + ["--lung-shunt", "planar", "--lung-anterior", "4000", "--lung-posterior", "6000", "--liver-anterior", "0", "--liver-posterior", "60000"])
        #expect(zero.exitCode == 2 && zero.stderr.contains("--liver-anterior"), "\(zero.stderr)")
    }
}
