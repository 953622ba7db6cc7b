// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser
import ClinicalPolicy
import DosecalcCore
import Uncertainty
import Ledger
import Planning
import Foundation

struct PlanCommand: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan one patient: the activity or the bead loading that reaches the target under that patient's limits.",
        discussion: """
        Input: a JSON file, or '-' for standard input (schema in README, examples in reference-data/patients/). \
        Exit 0 when the plan reaches the target with every limit held; 3 when the target is out of reach \
        (infeasible, the best plan is shown, not an order) or a hard limit cannot be held (contraindicated); \
        2 for invalid input. --replay recomputes a plan from its own --json output and exits 0 when every \
        value is identical, 4 when values changed (each listed, with why).
        """)

    @Option(name: .customLong("input"), parsing: .unconditional, help: "Patient JSON file, or - for standard input.") var input: String?
    @Option(name: .customLong("replay"), parsing: .unconditional, help: "A previous `dosecalc plan --json` output: recompute it and compare.") var replay: String?
    @Option(name: .customLong("report"), parsing: .unconditional, help: "Write a printable HTML report to this file.") var report: String?
    @Option(name: .customLong("ledger"), parsing: .unconditional, help: "Treatment ledger (SQLite): read the patient's prior treatments from it.") var ledger: String?
    @Flag(name: .customLong("brief"), help: "Text: only the status, the order, the doses and the checks.") var brief = false
    @Flag(name: .customLong("json")) var json = false

    init() {}

    /// What `--replay` prints.
    struct ReplayResult: Encodable {
        let replay: PlanReplay.Outcome
        let plan: PlanResult
    }

    func evaluate() throws -> CommandOutput { try evaluate(standardInput: nil) }

    /// `standardInput`: the bytes "-" stands for (nil: the process's standard input).
    func evaluate(standardInput: Data?) throws -> CommandOutput {
        switch (input, replay) {
        case (nil, nil): throw InputError(field: "--input", "is required: a patient JSON file, or - for standard input (or --replay with a previous output)")
        case (_?, _?): throw InputError(field: "--replay", "recomputes the input stored in the previous output: give --input or --replay, not both")
        default: break
        }
        if brief && json { throw InputError(field: "--brief", "shortens the text output; --json is always complete: give one of the two") }
        if replay != nil, ledger != nil {
            throw InputError(field: "--ledger", "does not apply to --replay: the recorded input already holds the prior treatments it was planned with")
        }
        if let path = replay {
            let previous = try PlanReplay.previous(try read(path, flag: "--replay", standardInput: standardInput), field: "--replay")
            let result = try Planner.plan(previous.input)
            let current = try JSONValue.parse(try CommandOutput.encoder.encode(result))
            let outcome = PlanReplay.compare(previous: previous.output, current: current)
            var out = try CommandOutput(result: ReplayResult(replay: outcome, plan: result), text: ReplayText.render(outcome, plan: result), status: result.status)
            out.exit = outcome.identical ? nil : .replayDiffers
            out.inputFiles = [path]
            if let r = report { out.files.append((r, PlanReport.html(result, input: previous.input), "--report")) }
            return out
        }
        let path = input!
        var parsed = try PlanInput.decode(try read(path, flag: "--input", standardInput: standardInput))
        var ledgerNote: Assumption? = nil
        if let db = ledger {
            // The ledger's treatments replace the input's; a patient listed in both with different
            // treatments is refused. The canonical input (and its fingerprint) holds what was planned with.
            let store = try LedgerStore.open(path: db, create: false, field: "--ledger")
            let recorded = try store.priorTreatments(patientID: parsed.patient.id)
            parsed = try LedgerStore.merge(input: parsed, ledger: recorded)
            ledgerNote = Assumption(name: "prior treatments", value: Double(recorded.count), unit: "treatments in the ledger",
                                    source: recorded.isEmpty ? "treatment ledger \(db) holds no treatment for this patient; the input's prior treatments are used"
                                                             : "treatment ledger \(db)")
        }
        var result = try Planner.plan(parsed)
        if let n = ledgerNote { result.assumptions.append(n) }
        var out = try CommandOutput(result: result, text: brief ? PlanText.brief(result) : PlanText.render(result), status: result.status)
        out.inputFiles = [path, ledger].compactMap { $0 }.filter { $0 != "-" }
        if let r = report {
            out.files.append((r, PlanReport.html(result, input: parsed), "--report"))
        }
        return out
    }

    /// The bytes of a file, or of standard input for "-" (`standardInput` when given).
    func read(_ path: String, flag: String, standardInput: Data? = nil) throws -> Data {
        if path == "-" {
            let d = standardInput ?? FileHandle.standardInput.readDataToEndOfFile()
            guard !d.isEmpty else { throw InputError(field: flag, "standard input is empty; pipe the patient JSON into dosecalc plan --input -") }
            return d
        }
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw InputError(field: flag, "cannot read '\(path)'")
        }
    }
}

enum ReplayText {
    static func render(_ o: PlanReplay.Outcome, plan r: PlanResult) -> String {
        var out = ["Replay of the plan for patient \(r.patientId) (\(r.modality))"]
        out.append(TextTable.line("computed before by", "dosecalc \(o.previousVersion) (build \(o.previousBuildId.prefix(12)))"))
        out.append(TextTable.line("recomputed by", "dosecalc \(o.currentVersion) (build \(o.currentBuildId.prefix(12)))"))
        out.append(TextTable.line("values compared", "\(o.valuesCompared)"))
        out.append(o.identical ? "IDENTICAL: \(o.explanation)" : "CHANGED: \(o.differences.count) value\(o.differences.count == 1 ? "" : "s"); \(o.explanation)")
        for d in o.differences.prefix(200) {
            let rel = d.relativeChange.map { String(format: " (%+.3g %%)", 100 * $0) } ?? ""
            out.append("  \(d.path): \(d.previous) → \(d.current)\(rel)")
        }
        if o.differences.count > 200 { out.append("  … and \(o.differences.count - 200) more (see --json)") }
        out += TextTable.status(r.status, reasons: r.reasons)
        return out.joined(separator: "\n")
    }
}

enum PlanText {
    static func words(_ identifier: String) -> String { CheckWording.words(for: identifier) }

    static func banner(_ r: PlanResult) -> [String] {
        switch r.status {
        case .contraindicated: return ["*** CONTRAINDICATED: do not treat as computed. This is not an order. ***"]
        case .infeasible: return ["*** INFEASIBLE: the plan cannot be delivered as intended. This is not an order. ***"]
        default: return []
        }
    }

    static func header(_ r: PlanResult) -> [String] {
        var out = ["Plan for patient \(r.patientId) — \(r.modality)"]
        out.append("  dosecalc \(r.dosecalcVersion) (build \(r.buildId.prefix(12))), computed \(r.calculatedAt); input SHA-256 \(r.inputSha256.prefix(16))…, reference data SHA-256 \(r.referenceDataSha256.prefix(16))…")
        return out
    }

    static func orders(_ re: RadioembolizationPlan, status: Status) -> [String] {
        var out: [String] = []
        if !re.orders.isEmpty {
            out.append("Order (one line per vial):")
            for o in re.orders {
                let draws = o.draws.map { d in
                    "\(d.territory) \(Format.fixed(d.injectedActivityGBq, 3)) GBq injected" + (d.drawPercentOfVial.map { " (draw \(Format.fixed($0, 1)) % of the vial)" } ?? "")
                }.joined(separator: "; ")
                out.append("  \(o.line). \(o.product), \(Format.number(o.vialActivityAtCalibrationGBq, significant: 4)) GBq at calibration\(o.calibrationTime.map { " (\($0))" } ?? "")")
                if let t = o.administrationTimeLocal {
                    out.append("     administer \(t)\(o.hoursAfterCalibration.map { ", \(Format.fixed($0, 1)) h after calibration" } ?? ""): \(draws)")
                } else {
                    out.append("     \(draws)")
                }
            }
        } else if let computed = re.notAnOrder, !computed.isEmpty {
            out.append("No order: the plan is \(status.rawValue). The vials and times computed are withheld (see --json, notAnOrder).")
        }
        return out
    }

    static func render(_ r: PlanResult) -> String {
        var out = header(r)
        out += banner(r)
        out += TextTable.status(r.status, reasons: r.reasons)
        let a = r.assessment
        out.append("Assessment:")
        out.append(TextTable.line("ALBI", "\(Format.fixed(a.albiScore, 3)) (grade \(a.albiGrade), mALBI \(a.mAlbiGrade))"))
        out.append(TextTable.line("Child–Pugh", "\(a.childPughScore) (class \(a.childPughClass))"))
        out.append(TextTable.line("BSA (\(a.bsaFormula))", "\(Format.fixed(a.bsaM2, 3)) m²"))
        if let re = r.radioembolization {
            out.append("Radioembolization plan:")
            out.append(TextTable.line("total activity", "\(Format.fixed(re.activityGBq, 3)) GBq (\(Format.fixed(re.activityMCi, 1)) mCi)"))
            if let t = re.treatmentTimeLocal { out.append(TextTable.line("first administration", t)) }
            if let h = re.treatmentHours { out.append(TextTable.line("treatment hours", "\(h) local time")) }
            if let o = re.orderActivityAtTreatmentGBq { out.append(TextTable.line("order (at treatment)", "\(Format.fixed(o, 3)) GBq")) }
            if let o = re.orderActivityAtCalibrationGBq { out.append(TextTable.line("order (at calibration)", "\(Format.fixed(o, 3)) GBq")) }
            if let d = re.commonTumorDoseGy {
                out.append(TextTable.line("least tumour dose", "\(Format.fixed(d, 1)) Gy\(re.maximumCommonTumorDoseGy.map { " (largest the limits allow \(Format.fixed($0, 1)) Gy)" } ?? "")"))
            }
            if let t = re.tumorTargetGy { out.append(TextTable.line("tumour dose target", "\(Format.number(t)) Gy")) }
            out.append(TextTable.line("targets", (re.tumorTargetReached ? "reached" : "NOT reached") + " (tolerance \(Format.number(re.prescriptionTolerancePercent)) %)"))
            out.append(TextTable.line("limited by", words(re.bindingConstraint)))
            for t in re.territories {
                out.append("  territory \(t.name) (\(t.intent.rawValue)):")
                if t.prescription == .excluded {
                    out.append("      \(t.note ?? "excluded")")
                    continue
                }
                let target = t.targetGy.map { "\(t.prescription == .perfusedDose ? "perfused-volume" : "tumour") dose target \(Format.number($0)) Gy, achieved \(Format.fixed(t.achievedGy ?? 0, 1)) Gy" } ?? "no dose target: the largest activity the limits allow"
                out.append("      \(target)")
                out.append("      activity \(Format.fixed(t.activityGBq, 3)) GBq\(t.vialSizeGBq.map { " from a \(Format.number($0)) GBq vial" } ?? "")\(t.treatmentTimeLocal.map { ", \($0)" } ?? "")")
                let tumours = t.tumorDosesGy.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.fixed($0.value, 1)) Gy" }.joined(separator: ", ")
                out.append("      tumours \(tumours); normal liver \(Format.fixed(t.normalLiverDoseGy, 1)) Gy; perfused volume \(Format.fixed(t.perfusedDoseGy, 1)) Gy")
                if let n = t.note { out.append("      note: \(n)") }
            }
            out.append(TextTable.line("whole normal-liver dose", "\(Format.fixed(re.wholeNormalLiverDoseGy, 1)) Gy"))
            out.append(TextTable.line("lung dose", "\(Format.fixed(re.lungDoseGy, 2)) Gy (cumulative \(Format.fixed(re.cumulativeLungDoseGy, 2)) Gy)"))
            if let hr = re.hepaticReservePercent { out.append(TextTable.line("liver outside ablation", "\(Format.fixed(hr, 1)) % of the normal liver")) }
            out += orders(re, status: r.status)
        }
        if let c = r.chemoembolization {
            out.append("DEB-TACE plan:")
            out.append(TextTable.line("product / size", "\(c.product) \(c.size) µm"))
            out.append(TextTable.line("doxorubicin", "\(Format.fixed(c.doxorubicinMg, 1)) mg at \(Format.fixed(c.loadingMgPerMl, 1)) mg/mL in \(Format.fixed(c.beadVolumeMl, 2)) mL beads"))
            out.append(TextTable.line("dose cap", "\(Format.fixed(c.doseCapMg, 1)) mg (\(c.doseCapRule))"))
            out.append(TextTable.line("plasma peak", "\(Format.fixed(c.plasmaPeakNgPerMl, 1)) ng/mL at \(Format.fixed(c.plasmaPeakTimeH * 60, 1)) min"))
            if let u = c.plasmaPeakUpper95NgPerMl {
                out.append(TextTable.line("peak, 95 % upper bound", "\(Format.fixed(u, 1)) ng/mL (the limit applies to it)"))
            }
            out.append(TextTable.line("tissue peak / AUC 28 d", "\(Format.fixed(c.tissuePeakUM, 2)) µM / \(Format.fixed(c.tissueAucUgHPerMl, 0)) µg·h/mL"))
            out.append(TextTable.line("limited by", words(c.bindingConstraint)))
        }
        if let u = r.uncertainty {
            let ters = r.input.anatomy?.territories ?? []
            out += UncertaintyText.render(u, checks: r.checks, territories: ters.map(\.name), tumors: ters.map { $0.tumors.map(\.name) })
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        out += TextTable.checks(r.checks)
        out += TextTable.assumptions(r.assumptions)
        out += banner(r)
        return out.joined(separator: "\n")
    }

    /// The status, the order, the doses and one line per check; no sources (they stay in --json and the report).
    static func brief(_ r: PlanResult) -> String {
        var out = ["Plan for patient \(r.patientId) — \(r.modality): \(r.status.rawValue.uppercased())"]
        out += banner(r)
        if let re = r.radioembolization {
            out.append(TextTable.line("total activity", "\(Format.fixed(re.activityGBq, 3)) GBq"))
            for t in re.territories where t.prescription != .excluded {
                out.append(TextTable.line("territory \(t.name)", "\(Format.fixed(t.activityGBq, 3)) GBq; \(t.achievedGy.map { "\(Format.fixed($0, 1)) Gy" } ?? "") \(t.targetGy.map { "of \(Format.number($0)) Gy target" } ?? "")"))
            }
            out.append(TextTable.line("lung dose", "\(Format.fixed(re.lungDoseGy, 2)) Gy; whole normal liver \(Format.fixed(re.wholeNormalLiverDoseGy, 1)) Gy"))
            out += orders(re, status: r.status)
        }
        if let c = r.chemoembolization {
            out.append(TextTable.line("doxorubicin", "\(Format.fixed(c.doxorubicinMg, 1)) mg, \(c.product) \(c.size) µm at \(Format.fixed(c.loadingMgPerMl, 1)) mg/mL"))
            out.append(TextTable.line("plasma peak", "\(Format.fixed(c.plasmaPeakNgPerMl, 1)) ng/mL"))
        }
        out += TextTable.briefChecks(r.checks)
        return out.joined(separator: "\n")
    }
}
