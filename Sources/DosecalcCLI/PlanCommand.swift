// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser
import DosecalcCore
import Planning
import Foundation

struct PlanCommand: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan one patient: the activity or the bead loading that reaches the target under that patient's limits.",
        discussion: """
        Input: a JSON file (schema in README, examples in reference-data/patients/). Exit 0 when the plan \
        reaches the target with every limit held; 3 when the target is out of reach (infeasible, the best \
        plan is shown) or a hard limit cannot be held (contraindicated); 2 for invalid input.
        """)

    @Option(name: .customLong("input"), parsing: .unconditional, help: "Patient JSON file.") var input: String
    @Option(name: .customLong("report"), parsing: .unconditional, help: "Write a printable HTML report to this file.") var report: String?
    @Flag(name: .customLong("json")) var json = false

    init() {}

    func evaluate() throws -> CommandOutput {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: input)) } catch {
            throw InputError(field: "--input", "cannot read '\(input)'")
        }
        let parsed = try PlanInput.decode(data)
        let result = try Planner.plan(parsed)
        var out = try CommandOutput(result: result, text: PlanText.render(result), status: result.status)
        out.inputFiles = [input]
        if let path = report {
            out.files.append((path, PlanReport.html(result, input: parsed), "--report"))
        }
        return out
    }
}

enum PlanText {
    static func render(_ r: PlanResult) -> String {
        var out = ["Plan for patient \(r.patientId) — \(r.modality)"]
        out += TextTable.status(r.status, reasons: r.reasons)
        let a = r.assessment
        out.append("Assessment:")
        out.append(TextTable.line("ALBI", "\(Format.fixed(a.albiScore, 3)) (grade \(a.albiGrade), mALBI \(a.mAlbiGrade))"))
        out.append(TextTable.line("Child–Pugh", "\(a.childPughScore) (class \(a.childPughClass))"))
        out.append(TextTable.line("BSA (\(a.bsaFormula))", "\(Format.fixed(a.bsaM2, 3)) m²"))
        if let re = r.radioembolization {
            out.append("Radioembolization plan:")
            out.append(TextTable.line("total activity", "\(Format.fixed(re.activityGBq, 3)) GBq (\(Format.fixed(re.activityMCi, 1)) mCi)"))
            if let v = re.vialSizeGBq { out.append(TextTable.line("vial", "\(Format.number(v)) GBq")) }
            if let t = re.treatmentTime { out.append(TextTable.line("treatment time", t)) }
            if let o = re.orderActivityAtTreatmentGBq { out.append(TextTable.line("order (at treatment)", "\(Format.fixed(o, 3)) GBq")) }
            if let o = re.orderActivityAtCalibrationGBq { out.append(TextTable.line("order (at calibration)", "\(Format.fixed(o, 3)) GBq")) }
            out.append(TextTable.line("common tumour dose", "\(Format.fixed(re.commonTumorDoseGy, 1)) Gy (max allowed \(Format.fixed(re.maximumCommonTumorDoseGy, 1)) Gy)"))
            if let t = re.tumorTargetGy { out.append(TextTable.line("tumour target", "\(Format.number(t)) Gy — \(re.tumorTargetReached ? "reached" : "NOT reached")")) }
            out.append(TextTable.line("binding", re.bindingConstraint))
            for t in re.territories {
                let tumours = t.tumorDosesGy.sorted { $0.key < $1.key }.map { "\($0.key) \(Format.fixed($0.value, 1)) Gy" }.joined(separator: ", ")
                out.append(TextTable.line("territory \(t.name)", "\(Format.fixed(t.activityGBq, 3)) GBq; NL \(Format.fixed(t.normalLiverDoseGy, 1)) Gy; \(tumours)\(t.vialSizeGBq.map { "; vial \(Format.number($0)) GBq" } ?? "")\(t.vialFraction.map { "; draw \(Format.fixed(100 * $0, 1)) % of the vial" } ?? "")"))
            }
            out.append(TextTable.line("whole normal-liver dose", "\(Format.fixed(re.wholeNormalLiverDoseGy, 1)) Gy"))
            out.append(TextTable.line("lung dose", "\(Format.fixed(re.lungDoseGy, 2)) Gy (cumulative \(Format.fixed(re.cumulativeLungDoseGy, 2)) Gy)"))
        }
        if let c = r.chemoembolization {
            out.append("DEB-TACE plan:")
            out.append(TextTable.line("product / size", "\(c.product) \(c.size) µm"))
            out.append(TextTable.line("doxorubicin", "\(Format.fixed(c.doxorubicinMg, 1)) mg at \(Format.fixed(c.loadingMgPerMl, 1)) mg/mL in \(Format.fixed(c.beadVolumeMl, 2)) mL beads"))
            out.append(TextTable.line("dose cap", "\(Format.fixed(c.doseCapMg, 1)) mg (\(c.doseCapRule))"))
            out.append(TextTable.line("plasma peak", "\(Format.fixed(c.plasmaPeakNgPerMl, 1)) ng/mL at \(Format.fixed(c.plasmaPeakTimeH * 60, 1)) min"))
            out.append(TextTable.line("tissue peak / AUC 28 d", "\(Format.fixed(c.tissuePeakUM, 2)) µM / \(Format.fixed(c.tissueAucUgHPerMl, 0)) µg·h/mL"))
            out.append(TextTable.line("binding", c.bindingConstraint))
        }
        out += TextTable.checks(r.checks)
        out += TextTable.assumptions(r.assumptions)
        return out.joined(separator: "\n")
    }
}
