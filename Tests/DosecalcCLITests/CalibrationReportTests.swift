// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation
import Testing

/// `dosecalc validate` reports the DEB model against every published point of its fit specification
/// (in vitro and in vivo), the held-out points included, each with its residual. The truth: the published values and SDs are
/// read from the calibration files themselves, and the model values from `dosecalc deb` run on the
/// same treatment; the residual and ratio are then recomputed by hand.
@Suite("dosecalc validate: the DEB model against its published points")
struct CalibrationReportTests {
    static func points() throws -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        let dir = try ReferenceData.url("deb-calibration")
        for f in try FileManager.default.contentsOfDirectory(atPath: dir.path) where f.hasSuffix(".json") {
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(f))) as? [String: Any])
            for p in doc["points"] as? [[String: Any]] ?? [] { out[p["id"] as! String] = p }
        }
        return out
    }

    @Test("every point of the specification is reported, held-out points included, with residuals computed by hand")
    func heldOutPointsReported() throws {
        let exe = try DosecalcBinary.prepared.get()
        let r = try DosecalcBinary.execute(exe, ["validate", "--filter", "deb-pub", "--json"], timeoutSeconds: 600)
        #expect(r.exitCode == 0, "\(r.stderr)")
        let rows = try #require(r.json["calibrationPoints"] as? [[String: Any]], "\(r.stdout.suffix(500))")
        let spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: try ReferenceData.url("deb-fit/specification.json"))) as? [String: Any])
        let specIDs = (spec["points"] as! [[String: Any]]).map { $0["id"] as! String }
        #expect(rows.map { $0["point"] as! String } == specIDs)
        let published = try Self.points()
        #expect(rows.contains { $0["role"] as? String == "held out" })
        for row in rows {
            let id = row["point"] as! String
            let p = try #require(published[id])
            #expect(row["role"] as? String == ((p["role"] as? String) == "fit" ? "fitted" : "held out"), "\(id)")
            let value = p["value"] as! Double
            #expect(row["published"] as? Double == value, "\(id)")
            if let printed = p["sd"] as? Double, printed > 0 { #expect(row["sd"] as? Double == printed, "\(id): the printed SD") }
            let model = row["model"] as! Double
            #expect(abs((row["ratio"] as! Double) - model / value) <= 1e-12 * abs(model / value), "\(id)")
            let specPoint = (spec["points"] as! [[String: Any]]).first { $0["id"] as? String == id }!
            let kind = p["valueKind"] as! String
            let z = row["standardizedResidual"] as? Double
            if kind == "upperBound" || kind == "lowerBound" {
                #expect(row["boundKept"] as? Bool == (kind == "upperBound" ? model <= value : model >= value), "\(id)")
                if let scale = specPoint["assumedSd"] as? Double, let margin = specPoint["boundMarginForFit"] as? Double {
                    let expected = kind == "upperBound" ? max(model - (value - margin), 0) / scale : min(model - (value + margin), 0) / scale
                    #expect(abs(try #require(z, "\(id)") - expected) <= 1e-9, "\(id): the bound's penalty")
                } else {
                    #expect(z == nil, "\(id): a held-out bound has no residual")
                }
            } else if let rel = specPoint["relativeSd"] as? Double {
                #expect(abs(try #require(z, "\(id)") - log(model / value) / rel) <= 1e-9, "\(id)")
            } else if let sd = (p["sd"] as? Double).flatMap({ $0 > 0 ? $0 : nil }) ?? specPoint["assumedSd"] as? Double {
                // The SD from the data: the printed one, else the specification's assumed one (not the report's own).
                #expect(row["sd"] as? Double == sd, "\(id): the SD the report uses")
                #expect(abs(try #require(z, "\(id)") - (model - value) / sd) <= 1e-9, "\(id)")
            } else {
                #expect(z == nil, "\(id)")
            }
        }
        // The 8-hour tissue concentration is the model's own 8-hour value for the treatment the
        // specification names (DC Bead 100–300 µm, 37.5 mg/mL, 150 mg), as `dosecalc deb` reports it.
        let deb = try DosecalcBinary.execute(exe, ["deb", "--product", "dc-bead", "--size", "100-300", "--loading-mg-per-ml", "37.5",
                                                   "--dose-mg", "150", "--days", "30", "--json"], timeoutSeconds: 120)
        let t8 = try #require(deb.json["tissueUMAt8h"] as? Double)
        let row8 = try #require(rows.first { $0["point"] as? String == "namur2011-tissue-8h" })
        #expect(row8["role"] as? String == "fitted")
        #expect(abs((row8["model"] as! Double) - t8) <= 1e-6 * t8)
        // The in-vitro points are reported with the in-vivo ones: each de Baere t75 and plateau, and Gonzalez's two USP II bounds.
        for id in ["debaere2016-dcbead-t75", "debaere2016-tandem-plateau", "gonzalez2008-usp2-complete", "gonzalez2008-usp2-firstorder"] {
            #expect(rows.contains { $0["point"] as? String == id }, "\(id)")
        }
    }

    @Test("the text table names every point and says which were held out")
    func textTable() throws {
        let exe = try DosecalcBinary.prepared.get()
        let r = try DosecalcBinary.execute(exe, ["validate", "--filter", "deb-pub"], timeoutSeconds: 600)
        #expect(r.exitCode == 0, "\(r.stderr)")
        #expect(r.stdout.contains("DEB model against the published points"))
        #expect(r.stdout.contains("namur2010-pig-eluted-90d") && r.stdout.contains("held out"))
        #expect(r.stdout.contains("µM") && !r.stdout.contains("uM "))
        #expect(r.stdout.contains("debaere2016-dcbead-t75") && r.stdout.contains("≤ 4 h") && r.stdout.contains("bound kept"))
    }

    @Test("a broken fit specification: exit 2, one line naming the file and the key, nothing on stdout")
    func brokenSpecification() throws {
        let exe = try DosecalcBinary.prepared.get()
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("dosecalc-calib-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("reference-data")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        try fm.copyItem(at: try ReferenceData.directory(), to: copy)
        let specURL = copy.appendingPathComponent("deb-fit/specification.json")
        let text = try String(contentsOf: specURL, encoding: .utf8)
        try text.replacingOccurrences(of: "\"namur2011-tissue-8h\"", with: "\"namur2011-tissue-9h\"")
            .write(to: specURL, atomically: true, encoding: .utf8)
        let r = try DosecalcBinary.execute(exe, ["--reference-data", copy.path, "validate", "--filter", "deb-pub"], timeoutSeconds: 600)
        #expect(r.exitCode == 2)
        #expect(r.stdout.isEmpty, "\(r.stdout.prefix(300))")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1 && r.stderr.contains("deb-fit/specification.json") && r.stderr.contains("namur2011-tissue-9h"), "\(r.stderr)")
    }
}
