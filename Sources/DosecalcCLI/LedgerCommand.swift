// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser
import ClinicalPolicy
import DosecalcCore
import Foundation
import Ledger

/// `dosecalc ledger add | list | show`: the treatment ledger, one SQLite file of delivered treatments,
/// so that the cumulative lung dose and the lifetime doxorubicin are never retyped.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Record delivered treatments per patient and show the cumulative lung dose and doxorubicin.",
        discussion: """
        The ledger is one SQLite file (--db). `add` records a treatment from a plan written by \
        `dosecalc plan --json`, with what was actually delivered; `list` and `show` read it back. Exit \
        codes: 0 ok; 2 invalid input (one line on stderr, nothing on stdout); 73 the ledger cannot be \
        written; 78 the file is not a dosecalc ledger or is damaged.
        """,
        subcommands: [LedgerAddCommand.self, LedgerListCommand.self, LedgerShowCommand.self])

    init() {}
}

struct LedgerAddCommand: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Record one delivered treatment from a plan file.",
        discussion: """
        Radioembolization: the lung dose recorded is the plan's, scaled by delivered / planned activity \
        when a delivered activity is given (give it in GBq, MBq or mCi, once; 1 mCi = 0.037 GBq). \
        DEB-TACE: the doxorubicin recorded is --delivered-doxorubicin-mg, else the plan's. A plan that \
        was infeasible or contraindicated is recorded only with a delivered amount. The date is --date, \
        else the plan's treatment time. The same plan is never recorded twice for the same patient and day.
        """)

    @Option(name: .customLong("db"), parsing: .unconditional, help: "The ledger file (created if missing).") var db: String
    @Option(name: .customLong("from"), parsing: .unconditional, help: "The plan file written by dosecalc plan --json.") var from: String
    @Option(name: .customLong("delivered-activity-gbq"), parsing: .unconditional, help: "Activity delivered (GBq), (0, 50].") var activityGBq: String?
    @Option(name: .customLong("delivered-activity-mbq"), parsing: .unconditional, help: "Activity delivered (MBq), (0, 50000].") var activityMBq: String?
    @Option(name: .customLong("delivered-activity-mci"), parsing: .unconditional, help: "Activity delivered (mCi), (0, 1351.35].") var activityMCi: String?
    @Option(name: .customLong("delivered-doxorubicin-mg"), parsing: .unconditional, help: "Doxorubicin delivered (mg), (0, 300]; DEB plans only.") var doxorubicinMg: String?
    @Option(name: .customLong("date"), parsing: .unconditional, help: "Day of treatment: YYYY-MM-DD, or ISO 8601 with UTC offset.") var date: String?
    @Flag(name: .customLong("json")) var json = false

    init() {}

    struct Result: Encodable {
        let ledger: String
        let recorded: LedgerJSON.Entry
        let patientId: String
        let treatments: [LedgerJSON.Entry]
        let treatmentCount: Int
        let cumulativeLungDoseGy: Double
        let cumulativeDoxorubicinMg: Double
        let status: Status
    }

    func evaluate() throws -> CommandOutput {
        let plan = try PlanRecord.read(path: from)
        let given = try exactlyOne([(DeliveredActivity.Unit.gbq.flag, activityGBq), (DeliveredActivity.Unit.mbq.flag, activityMBq),
                                    (DeliveredActivity.Unit.mCi.flag, activityMCi)], required: false, what: "the delivered activity")
        let activity = try given.map { g -> DeliveredActivity in
            let unit = DeliveredActivity.Unit.allCases.first { $0.flag == g.flag }!
            return try DeliveredActivity(try ledgerNumber(g.value, g.flag, DeliveredActivity.rangeText(unit)), unit)
        }
        let dox = try doxorubicinMg.map { try ledgerNumber($0, DeliveredDoxorubicin.flag, DeliveredDoxorubicin.range.text) }
        let treatment = try NewTreatment.make(plan: plan, deliveredActivity: activity, deliveredDoxorubicinMg: dox, date: date)

        let (entry, all) = try ledgerAccess(db, writing: true) {
            let store = try LedgerStore.open(path: db, create: true)
            let entry = try store.add(treatment)
            return (entry, try store.treatments(patientID: entry.patientID))
        }
        let total = LedgerTotals.of(all).first ?? LedgerTotals(patientID: entry.patientID, treatmentCount: 0, cumulativeLungDoseGy: 0, cumulativeDoxorubicinMg: 0)
        let result = Result(ledger: db, recorded: LedgerJSON.Entry(entry), patientId: entry.patientID, treatments: all.map(LedgerJSON.Entry.init),
                            treatmentCount: total.treatmentCount, cumulativeLungDoseGy: total.cumulativeLungDoseGy,
                            cumulativeDoxorubicinMg: total.cumulativeDoxorubicinMg, status: .ok)

        var text = ["Recorded in the treatment ledger \(LedgerText.quoted(db)) (entry \(entry.id)):"]
        text.append(TextTable.line("patient", LedgerText.id(entry.patientID)))
        text.append(TextTable.line("treatment", "\(LedgerText.treatment(entry.kind)) on \(entry.date)"))
        if let a = activity, let planned = entry.plannedActivityGBq {
            let asGiven = a.unit == .gbq ? "" : " (given as \(Format.number(a.value)) \(a.unit.rawValue))"
            text.append(TextTable.line("delivered activity", "\(Format.fixed(a.gbq, 3)) GBq\(asGiven); planned \(Format.fixed(planned, 3)) GBq (\(Format.fixed(100 * a.gbq / planned, 1)) % of plan)"))
        } else if let planned = entry.plannedActivityGBq {
            text.append(TextTable.line("activity", "\(Format.fixed(planned, 3)) GBq as planned (no delivered activity given)"))
        }
        if let l = entry.lungDoseGy {
            let how = entry.deliveredActivityGBq != nil ? "(plan \(Format.fixed(entry.plannedLungDoseGy ?? 0, 2)) Gy scaled by delivered / planned activity)" : "as planned"
            text.append(TextTable.line("lung dose", "\(Format.fixed(l, 2)) Gy \(how)"))
        }
        if let d = entry.doxorubicinMg {
            let how = dox != nil ? "delivered (plan \(Format.fixed(entry.plannedDoxorubicinMg ?? 0, 1)) mg)" : "as planned (no delivered dose given)"
            text.append(TextTable.line("doxorubicin", "\(Format.fixed(d, 1)) mg \(how)"))
        }
        if let n = entry.note { text.append(TextTable.line("note", n)) }
        text.append("Patient \(LedgerText.id(entry.patientID)) now has \(LedgerText.count(total.treatmentCount)) in the ledger:")
        text += LedgerText.totals(total)
        return try CommandOutput(result: result, text: text.joined(separator: "\n"), status: .ok)
    }
}

struct LedgerListCommand: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the treatments in a ledger, with each patient's cumulative lung dose and doxorubicin.")

    @Option(name: .customLong("db"), parsing: .unconditional, help: "The ledger file (never created).") var db: String
    @Option(name: .customLong("patient"), parsing: .unconditional, help: "Only this patient's treatments.") var patient: String?
    @Flag(name: .customLong("json")) var json = false

    init() {}

    struct Result: Encodable {
        let ledger: String
        let treatments: [LedgerJSON.Entry]
        let totals: [LedgerJSON.Totals]
    }

    func evaluate() throws -> CommandOutput {
        if let p = patient { try LedgerText.checkPatientFlag(p) }
        let entries = try ledgerAccess(db, writing: false) {
            let store = try LedgerStore.open(path: db, create: false)
            return try patient.map { try store.treatments(patientID: $0) } ?? store.allTreatments()
        }
        let totals = LedgerTotals.of(entries)
        let result = Result(ledger: db, treatments: entries.map(LedgerJSON.Entry.init), totals: totals.map(LedgerJSON.Totals.init))
        var text: [String]
        if entries.isEmpty {
            text = [patient.map { "The treatment ledger \(LedgerText.quoted(db)) records no treatment for patient \(LedgerText.id($0))." }
                    ?? "The treatment ledger \(LedgerText.quoted(db)) records no treatment."]
        } else {
            text = ["Treatment ledger \(LedgerText.quoted(db)): \(LedgerText.count(entries.count)) for \(totals.count) patient\(totals.count == 1 ? "" : "s")"]
            for t in totals {
                text.append("")
                text.append("Patient \(LedgerText.id(t.patientID))")
                text += entries.filter { $0.patientID == t.patientID }.map(LedgerText.row)
                text += LedgerText.totals(t)
            }
        }
        return try CommandOutput(result: result, text: text.joined(separator: "\n"), status: .ok)
    }
}

struct LedgerShowCommand: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one patient's treatments in detail, with the cumulative lung dose and doxorubicin.",
        discussion: "A patient with no treatment in the ledger is refused (exit 2), so that a mistyped identifier is not read as \"no prior treatment\".")

    @Option(name: .customLong("db"), parsing: .unconditional, help: "The ledger file (never created).") var db: String
    @Option(name: .customLong("patient"), parsing: .unconditional, help: "The patient identifier, as in the plan.") var patient: String
    @Flag(name: .customLong("json")) var json = false

    init() {}

    struct Result: Encodable {
        let ledger: String
        let patientId: String
        let treatments: [LedgerJSON.Entry]
        let treatmentCount: Int
        let cumulativeLungDoseGy: Double
        let cumulativeDoxorubicinMg: Double
    }

    func evaluate() throws -> CommandOutput {
        try LedgerText.checkPatientFlag(patient)
        let entries = try ledgerAccess(db, writing: false) {
            try LedgerStore.open(path: db, create: false).treatments(patientID: patient)
        }
        guard let total = LedgerTotals.of(entries).first else {
            throw InputError(field: "--patient", "no treatment is recorded for patient \(LedgerText.id(patient)) in \(LedgerText.quoted(db)); check the identifier (dosecalc ledger list shows every patient)")
        }
        let result = Result(ledger: db, patientId: patient, treatments: entries.map(LedgerJSON.Entry.init), treatmentCount: total.treatmentCount,
                            cumulativeLungDoseGy: total.cumulativeLungDoseGy, cumulativeDoxorubicinMg: total.cumulativeDoxorubicinMg)
        var text = ["Patient \(LedgerText.id(patient)) in the treatment ledger \(LedgerText.quoted(db)): \(LedgerText.count(entries.count))"]
        for e in entries {
            text.append("")
            text.append("\(e.date)  \(LedgerText.treatment(e.kind))  (entry \(e.id))")
            if let l = e.lungDoseGy { text.append(TextTable.line("lung dose", "\(Format.fixed(l, 2)) Gy")) }
            if let d = e.doxorubicinMg { text.append(TextTable.line("doxorubicin", "\(Format.fixed(d, 1)) mg")) }
            if let a = e.deliveredActivityGBq {
                text.append(TextTable.line("delivered activity", "\(Format.fixed(a, 3)) GBq\(e.plannedActivityGBq.map { "; planned \(Format.fixed($0, 3)) GBq" } ?? "")"))
            } else if let p = e.plannedActivityGBq {
                text.append(TextTable.line("activity", "\(Format.fixed(p, 3)) GBq as planned"))
            }
            text.append(TextTable.line("plan status", e.planStatus.rawValue))
            if let n = e.note { text.append(TextTable.line("note", oneLineText(n, limit: 200))) }
            if let v = e.dosecalcVersion { text.append(TextTable.line("planned with", "dosecalc \(oneLineText(v, limit: 60))")) }
            if let s = e.planInputSha256 { text.append(TextTable.line("plan input SHA-256", oneLineText(s, limit: 64))) }
            text.append(TextTable.line("recorded", oneLineText(e.recordedAt, limit: 40)))
        }
        text.append("")
        text.append("Totals:")
        text += LedgerText.totals(total)
        return try CommandOutput(result: result, text: text.joined(separator: "\n"), status: .ok)
    }
}

/// Runs `body` on the ledger and turns a `LedgerAccessError` into the CLI's vocabulary: for `add`,
/// a file that cannot be written (exit 73); for `list` and `show`, an unreadable `--db` (exit 2).
private func ledgerAccess<T>(_ db: String, writing: Bool, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as LedgerAccessError {
        if writing { throw OutputFileError(flag: "--db", path: db, message: e.message) }
        throw InputError(field: "--db", "cannot read \(LedgerText.quoted(db)): \(e.message)")
    }
}

/// A strict number for a ledger flag; anything else is refused with the flag's range.
private func ledgerNumber(_ text: String, _ flag: String, _ range: String) throws -> Double {
    do { return try parseNumber(text, field: flag) } catch {
        throw InputError(field: flag, "must be a finite number in \(range); got \(quotedForMessage(text))")
    }
}

/// The JSON forms: every key carries its unit; an absent value is written as null.
enum LedgerJSON {
    struct Entry: Encodable {
        let e: LedgerEntry
        init(_ e: LedgerEntry) { self.e = e }

        enum Key: String, CodingKey {
            case id, patientId, kind, date, lungDoseGy, doxorubicinMg, deliveredActivityGBq, plannedActivityGBq, plannedLungDoseGy,
                 plannedDoxorubicinMg, planStatus, note, planInputSha256, dosecalcVersion, planCalculatedAt, bsaM2, recordedAt
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(e.id, forKey: .id)
            try c.encode(e.patientID, forKey: .patientId)
            try c.encode(e.kind.rawValue, forKey: .kind)
            try c.encode(e.date, forKey: .date)
            try c.encode(e.lungDoseGy, forKey: .lungDoseGy)
            try c.encode(e.doxorubicinMg, forKey: .doxorubicinMg)
            try c.encode(e.deliveredActivityGBq, forKey: .deliveredActivityGBq)
            try c.encode(e.plannedActivityGBq, forKey: .plannedActivityGBq)
            try c.encode(e.plannedLungDoseGy, forKey: .plannedLungDoseGy)
            try c.encode(e.plannedDoxorubicinMg, forKey: .plannedDoxorubicinMg)
            try c.encode(e.planStatus, forKey: .planStatus)
            try c.encode(e.note, forKey: .note)
            try c.encode(e.planInputSha256, forKey: .planInputSha256)
            try c.encode(e.dosecalcVersion, forKey: .dosecalcVersion)
            try c.encode(e.planCalculatedAt, forKey: .planCalculatedAt)
            try c.encode(e.bsaM2, forKey: .bsaM2)
            try c.encode(e.recordedAt, forKey: .recordedAt)
        }
    }

    struct Totals: Encodable {
        let patientId: String
        let treatmentCount: Int
        let cumulativeLungDoseGy: Double
        let cumulativeDoxorubicinMg: Double

        init(_ t: LedgerTotals) {
            patientId = t.patientID
            treatmentCount = t.treatmentCount
            cumulativeLungDoseGy = t.cumulativeLungDoseGy
            cumulativeDoxorubicinMg = t.cumulativeDoxorubicinMg
        }
    }
}

/// The ledger in plain clinical words.
enum LedgerText {
    static func quoted(_ path: String) -> String { quotedForMessage(path, limit: 200) }
    static func id(_ patientID: String) -> String { quotedForMessage(patientID, limit: 64) }
    static func count(_ n: Int) -> String { n == 1 ? "1 treatment" : "\(n) treatments" }

    static func treatment(_ kind: PriorTreatmentKind) -> String {
        kind == .debTace ? "DEB-TACE (doxorubicin-eluting beads)" : "\(LedgerWords.kind(kind)) radioembolization"
    }

    /// One line of `list`.
    static func row(_ e: LedgerEntry) -> String {
        var s = "  \(e.date)  " + padded(LedgerWords.kind(e.kind), 24)
        if let l = e.lungDoseGy {
            s += "lung dose \(Format.fixed(l, 2)) Gy"
            s += e.deliveredActivityGBq.map { " (delivered \(Format.fixed($0, 3)) GBq)" } ?? " (as planned)"
        }
        if let d = e.doxorubicinMg { s += "doxorubicin \(Format.fixed(d, 1)) mg" }
        if e.note != nil { s += "  [note]" }
        return s
    }

    static func padded(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    static func totals(_ t: LedgerTotals) -> [String] {
        [TextTable.line("cumulative lung dose", "\(Format.fixed(t.cumulativeLungDoseGy, 2)) Gy"),
         TextTable.line("cumulative doxorubicin", "\(Format.fixed(t.cumulativeDoxorubicinMg, 1)) mg")]
    }

    /// A `--patient` value: not empty, on one line.
    static func checkPatientFlag(_ p: String) throws {
        guard !p.trimmingCharacters(in: .whitespaces).isEmpty else { throw InputError(field: "--patient", "is empty; give the patient identifier as in the plan") }
        guard p.count <= 64, !p.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw InputError(field: "--patient", "must be a patient identifier of at most 64 characters on one line; got \(quotedForMessage(p))")
        }
    }
}
