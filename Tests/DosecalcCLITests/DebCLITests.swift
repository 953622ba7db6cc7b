// SPDX-License-Identifier: GPL-3.0-or-later
// `dosecalc deb`: the CLI contract, run on the BUILT binary (through the target's shared
// `DosecalcBinary` helper, as swift-argument-parser's tests run their example executables), plus
// the model's properties checked through the binary. Expected model values are read from
// reference-data/cases/deb.json (the independent scipy implementation, reference-data/tools/make_deb_cases.py).
import DosecalcCLI
import DosecalcCore
import Foundation
import Testing
import TestSupport

@Suite("dosecalc deb (binary)", .serialized)
struct DebCLITests {
    let base = ["deb", "--product", "dc-bead", "--size", "100-300", "--loading-mg-per-ml", "37.5"]

    /// The expected value of `path` in case `id` of reference-data/cases/deb.json.
    static func caseValue(_ id: String, _ path: String) throws -> Double {
        try ReferenceCases(url: try ReferenceData.url("cases/deb.json")).value(id, path)
    }

    @Test("the documented contract: keys, status ok, exit 0")
    func contract() throws {
        // With the patient's bilirubin the 150 mg session limit applies and is held.
        let r = try DosecalcBinary.run(base + ["--dose-mg", "150", "--days", "28", "--bilirubin-mg-per-dl", "0.8", "--json"])
        #expect(r.exitCode == 0)
        #expect(r.stderr.isEmpty)
        let j = r.json
        for key in ["plasmaPeakNgPerMl", "plasmaPeakTimeH", "plasmaAucNgHPerMl", "tissuePeakUM", "elutedPercentByDay",
                    "massBalanceRelativeError", "status", "checks", "assumptions"] {
            #expect(j[key] != nil, "missing key \(key)")
        }
        #expect(j["status"] as? String == "ok")
        let byDay = j["elutedPercentByDay"] as? [String: Double] ?? [:]
        for d in ["1", "7", "14", "28"] { #expect(byDay[d] != nil, "day \(d)") }
        #expect((j["massBalanceRelativeError"] as? Double ?? 1) < 1e-8)
        let peak = j["plasmaPeakNgPerMl"] as? Double ?? 0
        let expected = try Self.caseValue("deb-computed-DC100-300_150mg_37.5", "plasmaPeakNgPerMl")
        #expect(abs(peak - expected) / expected < 1e-6)
        let assumptions = j["assumptions"] as? [[String: Any]] ?? []
        #expect(assumptions.count > 20)
        #expect(assumptions.allSatisfy { !(($0["source"] as? String) ?? "").isEmpty })
    }

    @Test("days within --days only; text output without --json")
    func daysAndText() throws {
        let r = try DosecalcBinary.run(base + ["--dose-mg", "150", "--days", "7", "--json"])
        let byDay = r.json["elutedPercentByDay"] as? [String: Double] ?? [:]
        #expect(byDay["7"] != nil && byDay["14"] == nil && byDay["28"] == nil)
        let t = try DosecalcBinary.run(base + ["--dose-mg", "150", "--bilirubin-mg-per-dl", "0.8"])
        #expect(t.exitCode == 0)
        #expect(t.stdout.contains("Plasma:") && t.stdout.contains("Status: OK"))
    }

    @Test("session dose above 150 mg: computed, contraindicated, exit 3")
    func overdose() throws {
        let r = try DosecalcBinary.run(base + ["--dose-mg", "160", "--json"])
        #expect(r.exitCode == 3)
        #expect(r.stderr.isEmpty)
        let j = r.json
        #expect(j["status"] as? String == "contraindicated")
        #expect((j["plasmaPeakNgPerMl"] as? Double ?? 0) > 0)
        let check = (j["checks"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "sessionDose" }
        #expect(check?["passed"] as? Bool == false)
        #expect(check?["severity"] as? String == "hard")
        let source: String = (check?["source"] as? String) ?? ""
        #expect(source.contains("Poon"))
        let text = try DosecalcBinary.run(base + ["--dose-mg", "160"])
        #expect(text.exitCode == 3)
        #expect(text.stdout.contains("CONTRAINDICATED") && text.stdout.contains("doxorubicin dose in this session") && !text.stdout.contains("sessionDose"))
    }

    @Test("invalid input: exit 2, one line on stderr naming the flag and the range, nothing on stdout",
          arguments: [
            (["--dose-mg", "150", "--loading-mg-per-ml", "50"], "--loading-mg-per-ml"),
            (["--dose-mg", "nan"], "--dose-mg"),
            (["--dose-mg", "inf"], "--dose-mg"),
            (["--dose-mg=-5"], "--dose-mg"),
            (["--dose-mg", "0"], "--dose-mg"),
            (["--dose-mg", "150", "--days", "0"], "--days"),
            (["--dose-mg", "150", "--days", "400"], "--days"),
            (["--dose-mg", "150", "--size", "200-400"], "--size"),
            (["--dose-mg", "150", "--product", "acme-bead"], "--product"),
            (["--dose-mg", "150", "--clearance-factor", "0"], "--clearance-factor"),
            (["--dose-split-mg", "75,75"], "--dose-split-mg"),
            (["--dose-mg", "150", "--dose-split-mg", "150"], "--dose-split-mg"),
            (["--dose-mg", "150", "--times-h", "1"], "--times-h"),
          ])
    func invalid(extra: [String], flag: String) throws {
        // A flag in `extra` replaces the base's (a flag given twice would be a usage error).
        let r = try DosecalcBinary.run(Self.merged(base, extra) + ["--json"])
        #expect(r.exitCode == 2, "\(extra): exit \(r.exitCode) \(r.stderr)")
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(flag), "\(r.stderr)")
    }

    /// `base` with every flag that `extra` gives replaced by `extra`'s.
    static func merged(_ base: [String], _ extra: [String]) -> [String] {
        let given = Set(extra.filter { $0.hasPrefix("--") }.map { String($0.split(separator: "=").first ?? "") })
        var out: [String] = []
        var i = 0
        while i < base.count {
            if given.contains(base[i]) { i += 2; continue }
            out.append(base[i]); i += 1
        }
        return out + extra
    }

    /// The assumptions of an in-vivo result name the constants the solve used: the product's capacity,
    /// dissociation constant and exchange rate (not the model file's defaults that every product replaces),
    /// and none of the in-vitro boundary layers.
    @Test("deb and the planner list the product's own constants among their assumptions, and no in-vitro-only value")
    func inVivoAssumptions() throws {
        let runs = try DosecalcBinary.runMany([
            base + ["--dose-mg", "150", "--json"],
            ["plan", "--input", DosecalcBinary.packageRoot.appendingPathComponent("reference-data/patients/deb-01-hcc-dc-bead.json").path, "--json"],
        ])
        for r in runs {
            let names = (r.json["assumptions"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            for n in ["modelCapacityMgPerMl (dc-bead)", "dissociationConstantMgPerMl (dc-bead)", "exchangeRatePerH (dc-bead)", "shrinkMax (dc-bead)"] {
                #expect(names.contains(n), "\(n) missing from \(names)")
            }
            for n in ["dissociationConstantMgPerMl", "bindingCapacityPackedMgPerMl", "mediumDiffusivityCm2PerS", "sinkFilmThicknessCm",
                      "closedVesselFilmThicknessCm"] {
                #expect(!names.contains(n), "\(n) listed")
            }
        }
    }

    @Test("a loading above the highest calibrated loading names it")
    func capacityMessage() throws {
        let r = try DosecalcBinary.run(Self.merged(base, ["--dose-mg", "150", "--loading-mg-per-ml", "40.5"]))
        #expect(r.exitCode == 2 && r.stdout.isEmpty)
        #expect(r.stderr.contains("40]") && r.stderr.contains("highest loading of DC Bead"), "\(r.stderr)")
    }

    @Test("smaller beads elute faster (binary)")
    func smallerBeadsFaster() throws {
        var eluted: [Double] = []
        var peaks: [Double] = []
        for size in ["70-150", "100-300", "300-500", "500-700"] {
            let j = try DosecalcBinary.run(["deb", "--product", "dc-bead", "--size", size, "--loading-mg-per-ml", "37.5", "--dose-mg", "75", "--json"]).json
            eluted.append((j["elutedPercentByDay"] as? [String: Double])?["28"] ?? .nan)
            peaks.append(j["plasmaPeakNgPerMl"] as? Double ?? .nan)
        }
        #expect(zip(eluted, eluted.dropFirst()).allSatisfy { $0 > $1 }, "\(eluted)")
        #expect(zip(peaks, peaks.dropFirst()).allSatisfy { $0 > $1 }, "\(peaks)")
    }

    @Test("more drug gives a higher plasma peak; mass balance closes (binary)")
    func moreDrugHigherPeak() throws {
        var peaks: [Double] = []
        for dose in ["50", "100", "150"] {
            let j = try DosecalcBinary.run(base + ["--dose-mg", dose, "--json"]).json
            peaks.append(j["plasmaPeakNgPerMl"] as? Double ?? .nan)
            #expect((j["massBalanceRelativeError"] as? Double ?? 1) < 1e-8)
        }
        #expect(peaks[0] < peaks[1] && peaks[1] < peaks[2], "\(peaks)")
    }

    @Test("mixtures: even split and explicit split give the same result")
    func mixtures() throws {
        let a = try DosecalcBinary.run(["deb", "--product", "dc-bead", "--size", "300-500,500-700", "--loading-mg-per-ml", "37.5", "--dose-mg", "150", "--json"])
        let b = try DosecalcBinary.run(["deb", "--product", "dc-bead", "--size", "300-500,500-700", "--loading-mg-per-ml", "37.5,37.5", "--dose-split-mg", "75,75", "--json"])
        #expect(a.exitCode == 0 && b.exitCode == 0)
        #expect(a.json["plasmaPeakNgPerMl"] as? Double == b.json["plasmaPeakNgPerMl"] as? Double)
        let expected = try Self.caseValue("deb-computed-mixed_300-500+500-700_150mg", "plasmaPeakNgPerMl")
        #expect(abs((a.json["plasmaPeakNgPerMl"] as? Double ?? 0) / expected - 1) < 1e-6)
        #expect((a.json["sizeClasses"] as? [Any])?.count == 2)
    }

    @Test("--csv writes the time series")
    func csv() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deb-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try DosecalcBinary.run(base + ["--dose-mg", "150", "--csv", path, "--json"])
        #expect(r.exitCode == 0)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n")
        #expect(lines.first == "t_h,plasma_ng_per_mL,tissue_uM,tissue_ug_per_mL,eluted_percent")
        #expect(lines.count > 100)
        let last = lines.last!.split(separator: ",").compactMap { Double($0) }
        #expect(last.count == 5 && last[0] == 672)
    }

    @Test("derived products carry a warning")
    func derivedProduct() throws {
        let r = try DosecalcBinary.run(["deb", "--product", "lifepearl", "--size", "200", "--loading-mg-per-ml", "37.5", "--dose-mg", "75", "--json"])
        #expect(r.exitCode == 0)
        #expect(r.json["status"] as? String == "warning")
        #expect(r.json["parameterConfidence"] as? String == "derived")
    }

    @Test("in-vitro sink: releasedPercent per time, within 0.5 pp of Crank")
    func inVitroSink() throws {
        let r = try DosecalcBinary.run(["deb", "--in-vitro", "sink", "--bead-diameter-um", "300", "--diffusivity-cm2-per-s", "3e-7",
                                        "--times-h", "0.0001,0.001,0.01,0.1,1,10", "--json"])
        #expect(r.exitCode == 0)
        let num = r.json["releasedPercent"] as? [Double] ?? []
        let crank = r.json["crankSeriesPercent"] as? [Double] ?? []
        #expect(num.count == 6 && crank.count == 6)
        for (a, b) in zip(num, crank) { #expect(abs(a - b) < 0.5) }
    }

    @Test("loaded DC Bead in vitro (sink and closed vessel) is ok and names the fitted bead kinetics it used; a derived product warns; the Crank check is ok")
    func inVitroLoadedBeads() throws {
        let runs = try DosecalcBinary.runMany([
            ["deb", "--in-vitro", "sink", "--product", "dc-bead", "--size", "100-300", "--loading-mg-per-ml", "37.5", "--times-h", "1,4", "--json"],
            ["deb", "--in-vitro", "closed", "--product", "dc-bead", "--size", "100-300", "--loading-mg-per-ml", "40", "--bead-volume-ml", "1",
             "--medium-ml", "20", "--times-h", "1,6", "--json"],
            ["deb", "--in-vitro", "closed", "--product", "lifepearl", "--size", "200", "--loading-mg-per-ml", "40", "--bead-volume-ml", "1",
             "--medium-ml", "20", "--times-h", "1,6"],
            ["deb", "--in-vitro", "sink", "--bead-diameter-um", "300", "--diffusivity-cm2-per-s", "3e-7", "--times-h", "0.1,1", "--json"],
        ])
        for r in runs.prefix(2) {
            #expect(r.exitCode == 0 && r.json["status"] as? String == "ok", "\(r.stderr)")
            let names = (r.json["assumptions"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            for n in ["exchangeRatePerH (dc-bead)", "dissociationConstantMgPerMl (dc-bead)", "mediumDiffusivityCm2PerS"] {
                #expect(names.contains(n), "\(n) not among \(names)")
            }
        }
        #expect(runs[0].json["assumptions"].map { "\($0)".contains("sinkFilmThicknessCm") } == true)
        #expect(runs[1].json["assumptions"].map { "\($0)".contains("closedVesselFilmThicknessCm") } == true)
        // The derived product's warning, in words (the check's internal name never reaches the text).
        #expect(runs[2].exitCode == 0 && runs[2].stdout.contains("Status: WARNING") && runs[2].stdout.contains("DEB model calibrated for this product")
                && !runs[2].stdout.contains("productParametersCalibrated"))
        #expect(runs[3].exitCode == 0 && runs[3].json["status"] as? String == "ok")
    }

    @Test("in-process invoke and the binary print the same JSON")
    func sameCodePath() throws {
        let args = base + ["--dose-mg", "100", "--json"]
        let inProcess = Dosecalc.invoke(args)
        let binary = try DosecalcBinary.run(args)
        #expect(inProcess.exitCode == binary.exitCode)
        #expect(inProcess.stdout == binary.stdout)
    }

    @Test("deb-calibrate prints the fit and writes the result file that ships")
    func calibrate() throws {
        let text = try DosecalcBinary.run(["deb-calibrate"])
        #expect(text.exitCode == 0 && text.stderr.isEmpty)
        for s in ["tissue transfer diffusivity", "tissue binding ratio", "equivalent sink time during delivery",
                  "ion-exchange rate of DC Bead", "boundary-layer thickness in the closed vessel", "debaere2016-tandem-t75",
                  "namur2010-pig-eluted-90d", "held out", "bound kept", "agrees with this one"] {
            #expect(text.stdout.contains(s), "missing '\(s)'")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fit-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let written = try DosecalcBinary.run(["deb-calibrate", "--json", "--output", path])
        #expect(written.exitCode == 0)
        let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        let shipped = try JSONSerialization.jsonObject(with: Data(contentsOf: ReferenceData.url("deb-fit/result.json"))) as? [String: Any]
        func values(_ o: [String: Any]?) -> [Double] { ((o?["parameters"] as? [[String: Any]]) ?? []).compactMap { $0["value"] as? Double } }
        #expect(values(file).count == 12 && values(written.json).count == 12)
        for (a, b) in zip(values(file), values(shipped)) { #expect(abs(a / b - 1) < 1e-6) }
        // Nothing is written over a directory; the refusal names the flag.
        let bad = try DosecalcBinary.run(["deb-calibrate", "--output", FileManager.default.temporaryDirectory.path + "/"])
        #expect(bad.exitCode != 0 && bad.stdout.isEmpty && bad.stderr.contains("--output"))
    }

    @Test("a check the planner alone can evaluate names the planner once")
    func plannerNamedOnce() throws {
        let r = try DosecalcBinary.run(["deb", "--product", "dc-bead", "--size", "300-500", "--loading-mg-per-ml", "37.5", "--dose-mg", "150"])
        #expect(r.exitCode == 0)
        let line = try #require(r.stdout.split(separator: "\n").first { $0.contains("lifetime doxorubicin dose not evaluated") })
        #expect(line.components(separatedBy: "the planner (dosecalc plan)").count == 2, "\(line)")
    }
}
