// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import PatientAssessment

/// The patient assessment printed with every plan.
public struct AssessmentSummary: Codable, Sendable {
    public var albiScore: Double
    public var albiGrade: Int
    public var mAlbiGrade: String
    public var childPughScore: Int
    public var childPughClass: String
    public var childPughPoints: [String: Int]
    public var bsaM2: Double
    public var bsaFormula: String
    public var bilirubinMgPerDl: Double
    public var albuminGPerDl: Double
    public var cirrhosis: Bool
    public var compromisedLiver: Bool
    public var priorLungDoseGy: Double
    public var priorDoxorubicinMg: Double
    public var priorDoxorubicinMgPerM2: Double
    public var doxorubicinBilirubinDosePercent: Double
    public var doxorubicinBilirubinBand: String
    public var doxorubicinLifetimeLimitMgPerM2: Double
}

/// Turns an `AssessmentInputError` into an `InputError` naming the input field path.
func assessing<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as AssessmentInputError {
        throw InputError(field: path, e.message)
    }
}

public enum Assessment {
    /// Assesses the patient: liver reserve, BSA, prior treatments. Throws `InputError` naming the field.
    public static func assess(_ input: PlanInput) throws -> AssessmentSummary {
        let p = input.patient
        let labs = p.labs
        let bili: Double
        switch (labs.bilirubinMgPerDl, labs.bilirubinUmolPerL) {
        case let (mg?, nil): bili = try assessing("patient.labs.bilirubinMgPerDl") { try AssessmentRanges.bilirubinMgPerDl.check(mg, field: "") }
        case let (nil, umol?):
            _ = try assessing("patient.labs.bilirubinUmolPerL") { try AssessmentRanges.bilirubinUmolPerL.check(umol, field: "") }
            bili = try assessing("patient.labs.bilirubinUmolPerL") { try LabUnits.bilirubinMgPerDl(fromUmolPerL: umol) }
        case (nil, nil): throw InputError(field: "patient.labs.bilirubinMgPerDl", "is required (or bilirubinUmolPerL)")
        case (_?, _?): throw InputError(field: "patient.labs.bilirubinUmolPerL", "contradicts bilirubinMgPerDl: give one of the two")
        }
        let alb: Double
        switch (labs.albuminGPerDl, labs.albuminGPerL) {
        case let (gdl?, nil): alb = try assessing("patient.labs.albuminGPerDl") { try AssessmentRanges.albuminGPerDl.check(gdl, field: "") }
        case let (nil, gl?):
            _ = try assessing("patient.labs.albuminGPerL") { try AssessmentRanges.albuminGPerL.check(gl, field: "") }
            alb = try assessing("patient.labs.albuminGPerL") { try LabUnits.albuminGPerDl(fromGPerL: gl) }
        case (nil, nil): throw InputError(field: "patient.labs.albuminGPerDl", "is required (or albuminGPerL)")
        case (_?, _?): throw InputError(field: "patient.labs.albuminGPerL", "contradicts albuminGPerDl: give one of the two")
        }
        guard let ascites = Ascites(rawValue: labs.ascites) else {
            throw InputError(field: "patient.labs.ascites", "must be one of \(Ascites.allCases.map(\.rawValue).joined(separator: ", ")); got '\(labs.ascites)'")
        }
        guard let enceph = Encephalopathy(rawValue: labs.encephalopathy) else {
            throw InputError(field: "patient.labs.encephalopathy", "must be one of \(Encephalopathy.allCases.map(\.rawValue).joined(separator: ", ")); got '\(labs.encephalopathy)'")
        }
        let albi = try assessing("patient.labs") { try ALBI.assess(bilirubinMgPerDl: bili, albuminGPerDl: alb) }
        let cp = try assessing("patient.labs.inr") {
            try ChildPugh.assess(bilirubinMgPerDl: bili, albuminGPerDl: alb, inr: labs.inr, ascites: ascites, encephalopathy: enceph)
        }
        let formula: BSAFormula
        if let f = p.bsaFormula {
            guard let ff = BSAFormula(rawValue: f) else { throw InputError(field: "patient.bsaFormula", "must be dubois or mosteller; got '\(f)'") }
            formula = ff
        } else { formula = .duBois }
        _ = try assessing("patient.heightCm") { try AssessmentRanges.heightCm.check(p.heightCm, field: "") }
        _ = try assessing("patient.weightKg") { try AssessmentRanges.weightKg.check(p.weightKg, field: "") }
        let bsa = try assessing("patient.heightCm") { try BodySurfaceArea.m2(heightCm: p.heightCm, weightKg: p.weightKg, formula: formula) }

        var priorLung = 0.0, priorDox = 0.0, priorRE = false
        for (i, t) in (p.priorTreatments ?? []).enumerated() {
            if let l = t.lungDoseGy {
                try PlausibleRange(0, 200, "Gy").check(l, field: "patient.priorTreatments[\(i)].lungDoseGy")
                priorLung += l
            }
            if let d = t.doxorubicinMg {
                try PlausibleRange(0, 2000, "mg").check(d, field: "patient.priorTreatments[\(i)].doxorubicinMg")
                priorDox += d
            }
            let k = t.kind.lowercased()
            if k.contains("y90") || k.contains("ho166") || k.contains("radioembolization") || k.contains("sirt") || k.contains("tare") { priorRE = true }
        }
        let rule = try assessing("patient.labs.bilirubinMgPerDl") { try Doxorubicin.bilirubinRule(bilirubinMgPerDl: bili) }
        let cirrhosis = p.cirrhosis ?? false
        return AssessmentSummary(
            albiScore: albi.score, albiGrade: albi.grade, mAlbiGrade: albi.mALBIGrade,
            childPughScore: cp.score, childPughClass: cp.childPughClass, childPughPoints: cp.points,
            bsaM2: bsa, bsaFormula: formula.rawValue, bilirubinMgPerDl: bili, albuminGPerDl: alb,
            cirrhosis: cirrhosis, compromisedLiver: cirrhosis || cp.childPughClass != "A" || priorRE,
            priorLungDoseGy: priorLung, priorDoxorubicinMg: priorDox, priorDoxorubicinMgPerM2: priorDox / bsa,
            doxorubicinBilirubinDosePercent: rule.dosePercent, doxorubicinBilirubinBand: rule.band,
            doxorubicinLifetimeLimitMgPerM2: Doxorubicin.lifetimeLimitMgPerM2(priorChestIrradiation: p.priorChestIrradiation ?? false))
    }
}
