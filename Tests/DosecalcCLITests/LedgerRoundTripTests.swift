// SPDX-License-Identifier: GPL-3.0-or-later
// The treatment ledger end to end through the built binary: two treatments recorded, the third plan reads
// their cumulative lung dose and doxorubicin from the ledger, as computed by hand.
import Foundation
import Testing

@Suite("Treatment ledger round trip (the built binary)")
struct LedgerRoundTripTests {
    static let patient = """
      "patient": {"id": "LEDGER-RT", "heightCm": 170, "weightKg": 70, "cirrhosis": false, "histology": "HCC",
                  "labs": {"bilirubinMgPerDl": 0.8, "albuminGPerDl": 4.0, "inr": 1.0, "ascites": "none", "encephalopathy": "none"}}
    """
    static let glass = """
    {\(patient),
     "anatomy": {"lungShuntPercent": 10, "lungMassG": 1000, "wholeNormalLiverMassG": 1400,
                 "territories": [{"name": "right", "normalLiverMassG": 900, "tumors": [{"name": "T1", "massG": 150, "tnRatio": 4}]}]},
     "treatment": {"modality": "y90-glass", "tumorTargetGy": 205}}
    """
    static let deb = """
    {\(patient), "treatment": {"modality": "deb", "product": "dc-bead", "sizes": ["100-300"], "targetDoxorubicinMg": 75}}
    """

    func write(_ text: String, _ dir: URL, _ name: String) throws -> String {
        let u = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: u)
        return u.path
    }

    @Test("two treatments added; the third plan reads their lung dose and doxorubicin; a contradicting input is refused")
    func roundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-rt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("patients.sqlite").path
        // 1. A glass plan; by hand: A = 205·(4·0.15 + 0.9)/(50·0.9·4) = 1.708333 GBq, lung dose = 50·A·0.1/1 = 8.541667 Gy.
        let g = try DosecalcBinary.run(["plan", "--input", try write(Self.glass, dir, "glass.json"), "--json"])
        #expect(g.exitCode == 0, "\(g.stderr)")
        let glassPlan = try write(g.stdout, dir, "glass-plan.json")
        let a = 205 * (4 * 0.150 + 0.900) / (50 * 0.9 * 4), lung = 50 * a * 0.1
        let planned = try #require(try DosecalcBinary.parseObject(g.stdout, args: [])["radioembolization"] as? [String: Any])
        #expect(abs((planned["activityGBq"] as? Double ?? 0) - a) <= 1e-9 * a)
        #expect(abs((planned["lungDoseGy"] as? Double ?? 0) - lung) <= 1e-9 * lung)
        // Delivered 1.5 GBq instead: the lung dose recorded is scaled to 50·1.5·0.1 = 7.5 Gy.
        let add1 = try DosecalcBinary.run(["ledger", "add", "--db", db, "--from", glassPlan, "--delivered-activity-gbq", "1.5", "--date", "2026-10-01", "--json"])
        #expect(add1.exitCode == 0, "\(add1.stderr)")
        let j1 = try DosecalcBinary.parseObject(add1.stdout, args: [])
        #expect(abs((j1["cumulativeLungDoseGy"] as? Double ?? 0) - 7.5) <= 1e-9, "\(add1.stdout)")
        // A new ledger holds patient identifiers: owner only.
        let mode = (try FileManager.default.attributesOfItem(atPath: db)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        // 2. A DEB plan of 75 mg, recorded as planned.
        let d = try DosecalcBinary.run(["plan", "--input", try write(Self.deb, dir, "deb.json"), "--json"])
        #expect(d.exitCode == 0, "\(d.stderr)")
        let debPlan = try write(d.stdout, dir, "deb-plan.json")
        let dj = try DosecalcBinary.parseObject(d.stdout, args: [])
        let dox = (dj["chemoembolization"] as? [String: Any])?["doxorubicinMg"] as? Double ?? -1
        let add2 = try DosecalcBinary.run(["ledger", "add", "--db", db, "--from", debPlan, "--date", "2026-11-02"])
        #expect(add2.exitCode == 0, "\(add2.stderr)")
        // The same plan again is refused, not counted twice.
        #expect(try DosecalcBinary.run(["ledger", "add", "--db", db, "--from", debPlan, "--date", "2026-11-02"]).exitCode == 2)
        // 3. The third plan reads both: cumulative lung = 7.5 + this treatment's; prior doxorubicin = the DEB dose.
        let third = try DosecalcBinary.run(["plan", "--input", try write(Self.glass, dir, "glass.json"), "--ledger", db, "--json"])
        #expect(third.exitCode == 0, "\(third.stderr)")
        let t = try DosecalcBinary.parseObject(third.stdout, args: [])
        let re = try #require(t["radioembolization"] as? [String: Any])
        let thisLung = try #require(re["lungDoseGy"] as? Double)
        #expect(abs((re["cumulativeLungDoseGy"] as? Double ?? 0) - (7.5 + thisLung)) <= 1e-9)
        let assessment = try #require(t["assessment"] as? [String: Any])
        #expect(abs((assessment["priorLungDoseGy"] as? Double ?? 0) - 7.5) <= 1e-9)
        #expect(abs((assessment["priorDoxorubicinMg"] as? Double ?? 0) - dox) <= 1e-9 * dox)
        // The canonical input records the treatments planned with.
        let stored = ((t["input"] as? [String: Any])?["patient"] as? [String: Any])?["priorTreatments"] as? [[String: Any]]
        #expect(stored?.count == 2)
        // 4. An input that lists other prior treatments for this patient is refused, naming the field.
        let contradicting = Self.glass.replacingOccurrences(of: "\"histology\": \"HCC\",",
            with: "\"histology\": \"HCC\", \"priorTreatments\": [{\"kind\": \"y90-glass\", \"date\": \"2026-10-01\", \"lungDoseGy\": 9.0}],")
        let bad = try DosecalcBinary.run(["plan", "--input", try write(contradicting, dir, "bad.json"), "--ledger", db])
        #expect(bad.exitCode == 2)
        #expect(bad.stdout.isEmpty)
        #expect(bad.stderr.contains("patient.priorTreatments"))
        // 5. A file that is not a ledger: one line, exit 78, nothing on stdout.
        let junk = try write("not a database", dir, "junk.sqlite")
        let j = try DosecalcBinary.run(["plan", "--input", try write(Self.glass, dir, "glass.json"), "--ledger", junk])
        #expect(j.exitCode == 78)
        #expect(j.stdout.isEmpty && j.stderr.contains("treatment ledger") && !j.stderr.contains("reference data"))
    }
}
