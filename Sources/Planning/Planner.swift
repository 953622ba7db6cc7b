// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
import DosecalcCore
import Radioembolization
import Foundation

/// The planner's entry point: assess the patient, then plan the modality asked for.
public enum Planner {
    public static func plan(_ input: PlanInput) throws -> PlanResult {
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
            return PlanResult(patientId: input.patient.id, modality: input.treatment.modality.rawValue, status: r.status, reasons: r.reasons,
                              assessment: assessment, checks: r.checks, radioembolization: r.plan, chemoembolization: nil, assumptions: assumptions)
        case .deb:
            let r = try DEBPlanner.plan(input, assessment: assessment, policy: policy)
            assumptions += r.assumptions
            return PlanResult(patientId: input.patient.id, modality: "deb", status: r.status, reasons: r.reasons,
                              assessment: assessment, checks: r.checks, radioembolization: nil, chemoembolization: r.plan, assumptions: assumptions)
        }
    }
}
