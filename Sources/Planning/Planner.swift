// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
import DosecalcCore
import Radioembolization
import Foundation

/// The planner's entry point: assess the patient, then plan the modality asked for.
public enum Planner {
    /// The canonical text of an input: the typed input re-encoded with sorted keys and no whitespace.
    /// Two files that differ only in layout, key order, number spelling or prose fields have the same
    /// canonical text, hence the same `inputSha256`.
    public static func canonicalText(_ input: PlanInput) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(input), as: UTF8.self)
    }

    /// Plans the input and stamps the result with what computed it: version, build, the reference data
    /// and the canonical input with its fingerprint.
    public static func plan(_ input: PlanInput, calculatedAt now: Date = Date()) throws -> PlanResult {
        var r = try planUnstamped(input)
        let data = try ReferenceDataFingerprint.current()
        r.dosecalcVersion = BuildInfo.version
        r.buildId = BuildInfo.buildID
        r.calculatedAt = Timestamp.format(now, offsetSeconds: 0)
        r.referenceDataSha256 = data.sha256
        r.referenceDataFiles = data.files
        r.inputSha256 = SHA256.hex(try canonicalText(input))
        r.input = input
        return r
    }

    static func planUnstamped(_ input: PlanInput) throws -> PlanResult {
        let assessment = try Assessment.assess(input)
        let policy = try ClinicalPolicy.load()
        var assumptions = [
            Assumption(name: "bsaFormula (\(assessment.bsaFormula))", value: assessment.bsaM2, unit: "m²",
                       source: assessment.bsaFormula == "dubois" ? "DuBois & DuBois, Arch Intern Med 1916;17:863 (default)" : "Mosteller, N Engl J Med 1987;317:1098 (given in the input)"),
        ]
        switch input.treatment.modality {
        case .y90Glass, .y90Resin, .ho166:
            let catalogue = try RadioembolizationCatalogue.load()
            let r = try RadioembolizationPlanner.plan(input, assessment: assessment, policy: policy, catalogue: catalogue)
            let device = try catalogue.device(r.plan.device)
            let nuclide = try catalogue.nuclide(device.nuclide)
            assumptions += [
                Assumption(name: "doseFactor (\(device.name))", value: device.doseFactorGyKgPerGBq, unit: "Gy·kg/GBq", source: device.doseFactorSource),
                Assumption(name: "halfLife (\(nuclide.name))", value: nuclide.halfLifeH, unit: "h", source: nuclide.halfLifeSource),
                Assumption(name: "lungMass", value: r.plan.lungMassG, unit: "g", source: input.anatomy?.lungMassG != nil ? "given in the input (anatomy.lungMassG)" : catalogue.tissue.lungMassSource),
                Assumption(name: "residual", value: r.plan.residualPercent, unit: "%", source: input.treatment.residualPercent != nil ? "given in the input (treatment.residualPercent)" : device.typicalResidualSource),
            ]
            if let given = input.treatment.vialSizesGBq, input.treatment.modality == .y90Glass {
                assumptions.append(Assumption(name: "vialSizes (\(given.map { Format.number($0) }.joined(separator: ", ")) GBq)", value: Double(given.count), unit: "sizes", source: "given in the input (treatment.vialSizesGBq)"))
            } else if !device.vialSizesGBq.isEmpty {
                assumptions.append(Assumption(name: "vialSizes (\(device.vialSizesGBq.map { Format.number($0) }.joined(separator: ", ")) GBq)", value: Double(device.vialSizesGBq.count), unit: "sizes", source: device.vialSizesSource))
            }
            if let u = r.uncertainty {
                assumptions += u.conventions.map { Assumption(name: "uncertainty", value: Double(u.samples), unit: "samples", source: $0) }
            }
            return PlanResult(dosecalcVersion: "", buildId: "", calculatedAt: "", referenceDataSha256: "", referenceDataFiles: [:], inputSha256: "", input: input, patientId: input.patient.id, modality: input.treatment.modality.rawValue, status: r.status, reasons: r.reasons,
                              assessment: assessment, checks: r.checks, radioembolization: r.plan, chemoembolization: nil, assumptions: assumptions,
                              uncertainty: r.uncertainty)
        case .deb:
            if input.uncertainty != nil {
                throw InputError(field: "uncertainty", "applies to radioembolization plans (y90-glass, y90-resin, ho166), not to DEB-TACE")
            }
            let r = try DEBPlanner.plan(input, assessment: assessment, policy: policy)
            assumptions += r.assumptions
            return PlanResult(dosecalcVersion: "", buildId: "", calculatedAt: "", referenceDataSha256: "", referenceDataFiles: [:], inputSha256: "", input: input, patientId: input.patient.id, modality: "deb", status: r.status, reasons: r.reasons,
                              assessment: assessment, checks: r.checks, radioembolization: nil, chemoembolization: r.plan, assumptions: assumptions)
        }
    }
}
