// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
import DosecalcCore
import Foundation
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
    /// As given; absent when the input did not say (the most cautious limit then applies).
    public var cirrhosis: Bool?
    public var priorRadioembolization: Bool
    /// Cirrhosis, Child–Pugh B or C, or a prior radioembolization; absent when unknown.
    public var compromisedLiver: Bool?
    public var priorChestIrradiation: Bool?
    public var priorLungDoseGy: Double
    public var priorDoxorubicinMg: Double
    public var priorDoxorubicinMgPerM2: Double

    /// The patient facts that select the clinical policy's limits.
    public func facts(bilobar: Bool? = nil) -> PatientFacts {
        PatientFacts(bilirubinMgPerDl: bilirubinMgPerDl, cirrhosis: cirrhosis, childPughClass: ChildPughClass(rawValue: childPughClass),
                     childPughScore: childPughScore, priorRadioembolization: priorRadioembolization, bilobar: bilobar,
                     priorChestIrradiation: priorChestIrradiation)
    }
}

/// Turns an `AssessmentInputError` into an `InputError` naming the input field path.
func assessing<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as AssessmentInputError {
        throw InputError(field: path, e.message)
    }
}

/// Array sizes the planner accepts, so that every accepted input completes in well under 2 s.
public enum PlanInputLimits {
    public static let territories = 10
    public static let tumorsPerTerritory = 50
    public static let priorTreatments = 100
    public static let vialSizes = 20
    public static let loadings = 20
    public static let sizes = 10
    public static let nameCharacters = 64
}

/// A name given in the input: not empty, at most 64 characters (or `maxCharacters`), no control characters.
func checkName(_ name: String, field: String, maxCharacters: Int = PlanInputLimits.nameCharacters) throws {
    guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw InputError(field: field, "must not be empty") }
    guard name.count <= maxCharacters else {
        throw InputError(field: field, "must be at most \(maxCharacters) characters; got \(name.count)")
    }
    guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
        throw InputError(field: field, "must not contain control characters such as a line break")
    }
}

public enum Assessment {
    /// Assesses the patient: liver reserve, BSA, prior treatments. Throws `InputError` naming the field.
    public static func assess(_ input: PlanInput) throws -> AssessmentSummary {
        let p = input.patient
        let labs = p.labs
        try checkName(p.id, field: "patient.id")
        if let n = p.name { try checkName(n, field: "patient.name") }
        if let m = p.mrn { try checkName(m, field: "patient.mrn") }
        if let d = p.dateOfBirth {
            let born = try Timestamp.parseDate(d, field: "patient.dateOfBirth")
            guard born < Date(), born > Date(timeIntervalSince1970: -5_000_000_000) else {
                throw InputError(field: "patient.dateOfBirth", "must be a past date after 1811; got '\(d.prefix(40))'")
            }
        }
        let bili: Double
        switch (labs.bilirubinMgPerDl, labs.bilirubinUmolPerL) {
        case let (mg?, nil): bili = try LabBoundary.bilirubinMgPerDl(mg, field: "patient.labs.bilirubinMgPerDl")
        case let (nil, umol?):
            bili = try LabBoundary.bilirubinUmolPerL(umol, field: "patient.labs.bilirubinUmolPerL", otherUnitField: "patient.labs.bilirubinMgPerDl")
        case (nil, nil): throw InputError(field: "patient.labs.bilirubinMgPerDl", "is required (or bilirubinUmolPerL)")
        case (_?, _?): throw InputError(field: "patient.labs.bilirubinUmolPerL", "contradicts bilirubinMgPerDl: give one of the two")
        }
        let alb: Double
        switch (labs.albuminGPerDl, labs.albuminGPerL) {
        case let (gdl?, nil): alb = try LabBoundary.albuminGPerDl(gdl, field: "patient.labs.albuminGPerDl", otherUnitField: "patient.labs.albuminGPerL")
        case let (nil, gl?): alb = try LabBoundary.albuminGPerL(gl, field: "patient.labs.albuminGPerL", otherUnitField: "patient.labs.albuminGPerDl")
        case (nil, nil): throw InputError(field: "patient.labs.albuminGPerDl", "is required (or albuminGPerL)")
        case (_?, _?): throw InputError(field: "patient.labs.albuminGPerL", "contradicts albuminGPerDl: give one of the two")
        }
        guard let ascites = Ascites(rawValue: labs.ascites) else {
            throw InputError(field: "patient.labs.ascites", "must be one of \(Ascites.allCases.map(\.rawValue).joined(separator: ", ")); got '\(labs.ascites.prefix(40))'")
        }
        guard let enceph = Encephalopathy(rawValue: labs.encephalopathy) else {
            throw InputError(field: "patient.labs.encephalopathy", "must be one of \(Encephalopathy.allCases.map(\.rawValue).joined(separator: ", ")); got '\(labs.encephalopathy.prefix(40))'")
        }
        let albi = try assessing("patient.labs") { try ALBI.assess(bilirubinMgPerDl: bili, albuminGPerDl: alb) }
        let cp = try assessing("patient.labs.inr") {
            try ChildPugh.assess(bilirubinMgPerDl: bili, albuminGPerDl: alb, inr: labs.inr, ascites: ascites, encephalopathy: enceph)
        }
        let formula: BSAFormula
        if let f = p.bsaFormula {
            guard let ff = BSAFormula(rawValue: f) else { throw InputError(field: "patient.bsaFormula", "must be dubois or mosteller; got '\(f.prefix(40))'") }
            formula = ff
        } else { formula = .duBois }
        _ = try assessing("patient.heightCm") { try AssessmentRanges.heightCm.check(p.heightCm, field: "") }
        _ = try assessing("patient.weightKg") { try AssessmentRanges.weightKg.check(p.weightKg, field: "") }
        let bsa = try assessing("patient.heightCm") { try BodySurfaceArea.m2(heightCm: p.heightCm, weightKg: p.weightKg, formula: formula) }

        var priorLung = 0.0, priorDox = 0.0, priorRE = false
        let priors = p.priorTreatments ?? []
        guard priors.count <= PlanInputLimits.priorTreatments else {
            throw InputError(field: "patient.priorTreatments", "must list at most \(PlanInputLimits.priorTreatments) treatments; got \(priors.count)")
        }
        for (i, t) in priors.enumerated() {
            if let d = t.date { _ = try Timestamp.parseDate(d, field: "patient.priorTreatments[\(i)].date") }
            if let l = t.lungDoseGy {
                try PlausibleRange(0, 200, "Gy").check(l, field: "patient.priorTreatments[\(i)].lungDoseGy")
                priorLung += l
            }
            if let d = t.doxorubicinMg {
                try PlausibleRange(0, 2000, "mg").check(d, field: "patient.priorTreatments[\(i)].doxorubicinMg")
                priorDox += d
            }
            if t.kind.isRadioembolization { priorRE = true }
        }
        try PlausibleRange(0, 200, "Gy").check(priorLung, field: "patient.priorTreatments (sum of lungDoseGy)")
        try PlausibleRange(0, 5000, "mg").check(priorDox, field: "patient.priorTreatments (sum of doxorubicinMg)")
        var summary = AssessmentSummary(
            albiScore: albi.score, albiGrade: albi.grade, mAlbiGrade: albi.mALBIGrade,
            childPughScore: cp.score, childPughClass: cp.childPughClass, childPughPoints: cp.points,
            bsaM2: bsa, bsaFormula: formula.rawValue, bilirubinMgPerDl: bili, albuminGPerDl: alb,
            cirrhosis: p.cirrhosis, priorRadioembolization: priorRE, compromisedLiver: nil,
            priorChestIrradiation: p.priorChestIrradiation,
            priorLungDoseGy: priorLung, priorDoxorubicinMg: priorDox, priorDoxorubicinMgPerM2: priorDox / bsa)
        summary.compromisedLiver = summary.facts().compromisedLiver
        return summary
    }
}

/// The input-file field that supplies a patient fact, to name it in a check or a reason.
func factField(_ f: PatientFact) -> String {
    switch f {
    case .bilirubin: return "patient.labs.bilirubinMgPerDl"
    case .compromisedLiver, .cirrhosis: return "patient.cirrhosis"
    case .childPughClass: return "patient.labs"
    case .priorRadioembolization: return "patient.priorTreatments"
    case .bilobar: return "anatomy.territories"
    case .priorChestIrradiation: return "patient.priorChestIrradiation"
    case .ablative: return "anatomy.territories[].intent"
    }
}

/// The input-file field for a fact or quantity named in a check's `requires`.
func requirementField(_ name: String) -> String {
    if let f = PatientFact(rawValue: name) { return factField(f) }
    return name
}
