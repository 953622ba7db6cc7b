// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
import DosecalcCore
import Foundation
import Planning

/// Ledger entries as the planner's prior treatments, and the rule that joins them with the input's.
public enum PriorTreatments {
    /// Relative tolerance when an input's prior treatment is compared with a ledger entry.
    public static let relativeTolerance = 1e-9

    /// A `PlanInput.PriorTreatment`. Planning gives the type no public initialiser, so it is decoded
    /// from its own JSON form (numbers written in Swift's shortest round-trip form, read back exactly).
    public static func make(kind: PriorTreatmentKind, date: String?, lungDoseGy: Double?, doxorubicinMg: Double?) throws -> PlanInput.PriorTreatment {
        var members = [JSONMember(key: "kind", value: .string(kind.rawValue))]
        if let date { members.append(JSONMember(key: "date", value: .string(date))) }
        if let lungDoseGy { members.append(JSONMember(key: "lungDoseGy", value: .number(lungDoseGy))) }
        if let doxorubicinMg { members.append(JSONMember(key: "doxorubicinMg", value: .number(doxorubicinMg))) }
        let t = try JSONDecoder().decode(PlanInput.PriorTreatment.self, from: JSONValue.object(members).serialized())
        // The round trip must be exact: a prior dose is never changed on its way to the planner.
        guard t.kind == kind, t.date == date, same(t.lungDoseGy, lungDoseGy, tolerance: 0), same(t.doxorubicinMg, doxorubicinMg, tolerance: 0) else {
            throw DataFileError(file: "treatment ledger", key: "treatment", message: "a prior treatment did not survive its conversion for the planner unchanged", kind: "treatment ledger")
        }
        return t
    }

    /// The input with its prior treatments taken from the ledger.
    ///
    /// - If the input lists no prior treatments (absent or empty), the ledger's are used.
    /// - If it lists some and they are the ledger's (the same multiset of kind, date, lung dose and
    ///   doxorubicin, doses equal within a relative tolerance of 1e-9; an absent dose equals 0), the
    ///   ledger's are used.
    /// - Otherwise an `InputError` on `patient.priorTreatments` names the first difference: the first
    ///   treatment of the input that the ledger does not have, or else the first treatment of the
    ///   ledger that the input does not list.
    public static func merge(input: PlanInput, ledger: [PlanInput.PriorTreatment]) throws -> PlanInput {
        var out = input
        let given = input.patient.priorTreatments ?? []
        // A patient the ledger does not know: the input's own list stands (the plan says where it came from).
        if ledger.isEmpty { return input }
        if given.isEmpty {
            out.patient.priorTreatments = ledger.isEmpty ? input.patient.priorTreatments : ledger
            return out
        }
        var unmatched = Array(ledger.indices)
        for (i, t) in given.enumerated() {
            if let j = unmatched.firstIndex(where: { matches(t, ledger[$0]) }) {
                unmatched.remove(at: j)
                continue
            }
            let sameDay = ledger.filter { $0.date == t.date }.map(describe)
            let there = sameDay.isEmpty ? "the ledger has no treatment on that date" : "the ledger has on that date: \(sameDay.joined(separator: "; "))"
            throw InputError(field: "patient.priorTreatments",
                             "differs from the treatment ledger for patient \(quotedForMessage(input.patient.id, limit: 64)): the input lists \(describe(t)) (priorTreatments[\(i)]) that the ledger does not record (\(there)); remove patient.priorTreatments from the input to use the ledger, or correct the input")
        }
        if let j = unmatched.first {
            throw InputError(field: "patient.priorTreatments",
                             "differs from the treatment ledger for patient \(quotedForMessage(input.patient.id, limit: 64)): the ledger records \(describe(ledger[j])) that the input does not list; remove patient.priorTreatments from the input to use the ledger, or correct the input")
        }
        out.patient.priorTreatments = ledger
        return out
    }

    /// Same kind, same date, and the same doses within the relative tolerance.
    static func matches(_ a: PlanInput.PriorTreatment, _ b: PlanInput.PriorTreatment) -> Bool {
        a.kind == b.kind && normalizedDate(a.date) == normalizedDate(b.date)
            && same(a.lungDoseGy, b.lungDoseGy, tolerance: relativeTolerance)
            && same(a.doxorubicinMg, b.doxorubicinMg, tolerance: relativeTolerance)
    }

    /// An absent dose counts as 0: both add nothing to a cumulative dose.
    static func same(_ a: Double?, _ b: Double?, tolerance: Double) -> Bool {
        if a == nil && b == nil { return true }
        let x = a ?? 0, y = b ?? 0
        if x == y { return true }
        return abs(x - y) <= tolerance * max(abs(x), abs(y))
    }

    /// A calendar date written "YYYY-MM-DD" (spaces around it ignored); any other text as given.
    static func normalizedDate(_ d: String?) -> String? {
        guard let d else { return nil }
        guard let day = try? Timestamp.parseDate(d, field: "") else { return d }
        return String(Timestamp.format(day, offsetSeconds: 0).prefix(10))
    }

    /// "a Y-90 glass microsphere treatment on 2026-01-10 with lung dose 10.8 Gy".
    static func describe(_ t: PlanInput.PriorTreatment) -> String {
        var s = "a \(LedgerWords.kind(t.kind)) treatment"
        s += t.date.map { " on \(quotedForMessage($0, limit: 40).dropFirst().dropLast())" } ?? " with no date"
        var doses: [String] = []
        if let l = t.lungDoseGy { doses.append("lung dose \(Format.number(l, significant: 10)) Gy") }
        if let d = t.doxorubicinMg { doses.append("doxorubicin \(Format.number(d, significant: 10)) mg") }
        if !doses.isEmpty { s += " with " + doses.joined(separator: " and ") }
        return s
    }
}
