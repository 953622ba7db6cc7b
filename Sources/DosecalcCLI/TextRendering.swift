// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Radioembolization

/// Readable summaries for a person. JSON keeps full precision; these round for reading.
enum TextTable {
    static func line(_ label: String, _ value: String) -> String {
        let pad = max(0, 28 - label.count)
        return "  " + label + String(repeating: " ", count: pad) + value
    }

    static func checks(_ checks: [Check]) -> [String] {
        guard !checks.isEmpty else { return [] }
        var out = ["Checks:"]
        for c in checks {
            let op = c.kind.symbol
            let verdict: String
            switch c.state {
            case .passed: verdict = "pass"
            case .notEvaluated: verdict = "not evaluated"
            case .failed: verdict = c.severity == .hard ? "FAIL (hard limit)" : "not met (soft)"
            }
            let value = c.value.map { "\(Format.number($0, significant: 5)) \(c.unit)" } ?? "not computed"
            out.append("  \(verdict.padding(18)) \(c.title): \(value) \(op) \(Format.number(c.limit)) \(c.unit)\(c.binding ? "  [binding]" : "")")
            if let note = c.note { out.append("                     note: \(PlainWords.evidenceText(note))") }
            if let r = c.requires { out.append("                     to evaluate, give: \(r.joined(separator: ", "))") }
            out.append("                     source: \(PlainWords.evidenceText(c.source))")
        }
        return out
    }

    static func assumptions(_ a: [Assumption]) -> [String] {
        guard !a.isEmpty else { return [] }
        var out = ["Constants used:"]
        for x in a {
            out.append("  \(PlainWords.plain(x.name, titles: [:])) = \(Format.number(x.value)) \(x.unit)")
            out.append("      source: \(PlainWords.evidenceText(x.source))")
        }
        return out
    }

    static func status(_ s: Status, reasons: [String]) -> [String] {
        var out = ["Status: \(s.rawValue.uppercased())"]
        for r in reasons { out.append("  - \(PlainWords.evidenceText(r))") }
        return out
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}

enum PrescriptionText {
    /// "2.500 GBq (67.6 mCi)", and what was typed when it was not GBq: "2.500 GBq (67.6 mCi; given as 2500 MBq)".
    static func activity(_ r: PrescriptionResult, given: ActivityGiven?) -> String {
        "\(Format.fixed(r.activityGBq, 3)) GBq (\(Format.fixed(r.activityMCi, 1)) mCi\(ActivityOption.givenAs(given).map { "; " + $0 } ?? ""))"
    }

    /// The doses a prescription computed, one line each (full and brief output alike).
    static func doseLines(_ r: PrescriptionResult) -> [String] {
        var out: [String] = []
        if let d = r.tumorDoseGy { out.append(TextTable.line("tumour dose", "\(Format.fixed(d, 1)) Gy")) }
        if let d = r.normalLiverDoseGy { out.append(TextTable.line("normal-liver dose", "\(Format.fixed(d, 1)) Gy")) }
        if let d = r.wholeNormalLiverDoseGy { out.append(TextTable.line("whole normal-liver dose", "\(Format.fixed(d, 1)) Gy")) }
        if let d = r.perfusedLiverDoseGy { out.append(TextTable.line("perfused-liver mean dose", "\(Format.fixed(d, 1)) Gy")) }
        return out
    }

    static func render(_ r: PrescriptionResult, device: Device, activityGiven: ActivityGiven? = nil) -> String {
        var out: [String] = ["\(device.name) — method \(r.method)"]
        out += TextTable.status(r.status, reasons: r.reasons)
        out.append("Result:")
        out.append(TextTable.line("activity to inject", activity(r, given: activityGiven)))
        if let u = r.unreducedActivityGBq { out.append(TextTable.line("activity before LSF reduction", "\(Format.fixed(u, 3)) GBq")) }
        if let red = r.lungShuntReductionPercent { out.append(TextTable.line("lung-shunt reduction", "\(Format.number(red)) %")) }
        if let b = r.bsaM2 { out.append(TextTable.line("BSA (DuBois)", "\(Format.fixed(b, 4)) m²")) }
        if let t = r.tumorInvolvementPercent { out.append(TextTable.line("tumour involvement", "\(Format.fixed(t, 1)) %")) }
        if let v = r.vialActivityAtTreatmentGBq { out.append(TextTable.line("vial activity at treatment", "\(Format.fixed(v, 3)) GBq")) }
        out += doseLines(r)
        out.append(TextTable.line("lung shunt", "\(Format.number(r.lungShuntPercent)) %"))
        out.append(TextTable.line("lung dose", "\(Format.fixed(r.lungDoseGy, 2)) Gy"))
        out.append(TextTable.line("cumulative lung dose", "\(Format.fixed(r.cumulativeLungDoseGy, 2)) Gy"))
        out += TextTable.checks(r.checks)
        out += TextTable.assumptions(r.assumptions)
        return out.joined(separator: "\n")
    }
}

/// `--brief`: the prescription, the doses, the status and one line per check; no sources, constants,
/// notes or reasons (the checks say why). `--json` is always complete.
extension PrescriptionText {
    static func brief(_ r: PrescriptionResult, device: Device, activityGiven: ActivityGiven? = nil) -> String {
        var out: [String] = ["\(device.name) — method \(r.method)"]
        out.append(TextTable.line("activity to inject", activity(r, given: activityGiven)))
        if let v = r.vialActivityAtTreatmentGBq { out.append(TextTable.line("vial activity at treatment", "\(Format.fixed(v, 3)) GBq")) }
        out += doseLines(r)
        out.append(TextTable.line("lung dose", "\(Format.fixed(r.lungDoseGy, 2)) Gy"))
        out.append(TextTable.line("cumulative lung dose", "\(Format.fixed(r.cumulativeLungDoseGy, 2)) Gy"))
        out.append("Status: \(r.status.rawValue.uppercased())")
        out += TextTable.briefChecks(r.checks)
        return out.joined(separator: "\n")
    }
}

extension TextTable {
    /// One line per check: verdict, title, value against the limit.
    static func briefChecks(_ checks: [Check]) -> [String] {
        checks.map { c in
            let op = c.kind.symbol
            let verdict: String
            switch c.state {
            case .passed: verdict = "pass"
            case .notEvaluated: verdict = "not evaluated"
            case .failed: verdict = c.severity == .hard ? "FAIL" : "FAIL (soft)"
            }
            let withUnit = { (x: String) in c.unit.isEmpty ? x : x + " " + c.unit }
            let value = c.value.map { withUnit(Format.number($0, significant: 5)) } ?? "not computed"
            return "  \(verdict.padding(14)) \(c.title): \(value) \(op) \(withUnit(Format.number(c.limit)))"
        }
    }
}
