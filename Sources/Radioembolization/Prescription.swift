// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import PatientAssessment

/// The activity-prescription methods.
public enum PrescriptionMethod: String, Sendable, Codable, CaseIterable {
    /// MIRD single compartment: mean dose to the perfused liver.
    case mird
    /// Partition model: tumour, normal liver and lung, with a T/N concentration ratio.
    case partition
    /// SIR-Spheres body-surface-area method.
    case bsa
    /// SIR-Spheres empiric method (older IFU).
    case empiric
    /// Ho-166 standard method: 60 Gy mean dose to the liver, not corrected for lung shunt.
    case standard
}

/// What the prescription is solved from: exactly one of these is given.
public enum PrescriptionGiven: Sendable, Equatable {
    /// MIRD: mean dose to the perfused liver (Gy); Ho standard: mean liver dose.
    case targetDoseGy(Double)
    /// Partition: mean dose to the (perfused) normal liver (Gy).
    case normalLiverDoseGy(Double)
    /// Partition: mean tumour dose (Gy).
    case tumorDoseGy(Double)
    /// Forward calculation from the injected activity (GBq).
    case activityGBq(Double)

    /// The input field that gives this quantity, to name it in an error.
    public var field: PrescriptionField {
        switch self {
        case .targetDoseGy: return .targetDose
        case .normalLiverDoseGy: return .normalLiverDose
        case .tumorDoseGy: return .tumorDose
        case .activityGBq: return .activity
        }
    }
}

/// The inputs of a prescription, named in an error. Domain code knows no command-line flag: it names the
/// field (and writes `{field}` where a message mentions another input), and the boundary that read the
/// input renames both to its own words (`InputError.renamed`).
public enum PrescriptionField: String, Sendable, CaseIterable {
    case lungShunt, lungMass, priorLungDose, doseFactor, density, residual
    case perfusedMass, perfusedVolume, liverMass, liverVolume, tumorMass, tumorVolume, normalLiverMass, normalLiverVolume
    case wholeNormalLiverMass, treatedVolume, tnRatio, targetDose, normalLiverDose, tumorDose, activity, height, weight
}

/// Lobar convention for the BSA method when only part of the liver is treated.
public enum BSALobarConvention: String, Sendable, Codable, CaseIterable {
    /// (a) whole-liver BSA activity × V_treated / V_liver (Kennedy 2007 REBOC style).
    case scaledWhole = "scaled-whole"
    /// (b) (BSA − 0.2) · V_treated / V_liver + V_T / V_liver (seen in community code).
    case split
}

/// One validated prescription problem. Masses in g at the boundary, as named.
public struct PrescriptionRequest: Sendable {
    public var device: Device
    public var nuclide: Nuclide
    public var method: PrescriptionMethod
    public var given: PrescriptionGiven?
    public var lungShuntPercent: Double
    public var doseFactorGyKgPerGBq: Double
    public var doseFactorSource: String
    public var densityGPerMl: Double
    public var densitySource: String
    public var lungMassG: Double
    public var lungMassSource: String
    public var priorLungDoseGy: Double
    // MIRD / Ho standard
    public var perfusedMassG: Double?
    // partition
    public var tumorMassG: Double?
    public var normalLiverMassG: Double?
    public var tnRatio: Double?
    public var wholeNormalLiverMassG: Double?
    // BSA / empiric
    public var heightCm: Double?
    public var weightKg: Double?
    public var tumorVolumeMl: Double?
    public var liverVolumeMl: Double?
    public var treatedVolumeMl: Double?
    public var bsaLobarConvention: BSALobarConvention
    // vial residual
    public var residualPercent: Double?
    /// The masses that were given as volumes (× density): an error about such a mass names the volume.
    public var givenAsVolume: Set<PrescriptionField> = []

    /// The field to name for a mass: its volume field when the mass was given as a volume.
    func field(_ mass: PrescriptionField) -> PrescriptionField {
        guard givenAsVolume.contains(mass) else { return mass }
        switch mass {
        case .perfusedMass: return .perfusedVolume
        case .liverMass: return .liverVolume
        case .tumorMass: return .tumorVolume
        case .normalLiverMass: return .normalLiverVolume
        default: return mass
        }
    }

    public init(device: Device, nuclide: Nuclide, method: PrescriptionMethod, lungShuntPercent: Double,
                tissue: TissueDefaults) {
        self.device = device
        self.nuclide = nuclide
        self.method = method
        self.lungShuntPercent = lungShuntPercent
        doseFactorGyKgPerGBq = device.doseFactorGyKgPerGBq
        doseFactorSource = device.doseFactorSource
        densityGPerMl = tissue.densityGPerMl
        densitySource = tissue.densitySource
        lungMassG = tissue.lungMassG
        lungMassSource = tissue.lungMassSource
        priorLungDoseGy = 0
        bsaLobarConvention = .scaledWhole
    }
}

/// The result of a prescription, with every check and every constant used.
public struct PrescriptionResult: Sendable, Codable {
    public var device: String
    public var method: String
    /// Activity to inject into the patient (GBq).
    public var activityGBq: Double
    /// The same activity in MBq and mCi (1 GBq = 1000 MBq; 1 mCi = 37 MBq exactly).
    public var activityMBq: Double = 0
    public var activityMCi: Double
    public var tumorDoseGy: Double?
    public var normalLiverDoseGy: Double?
    public var wholeNormalLiverDoseGy: Double?
    public var perfusedLiverDoseGy: Double?
    public var lungDoseGy: Double
    public var cumulativeLungDoseGy: Double
    public var bsaM2: Double?
    public var lungShuntPercent: Double
    public var lungShuntReductionPercent: Double?
    public var unreducedActivityGBq: Double?
    public var tumorInvolvementPercent: Double?
    public var perfusedMassG: Double?
    public var tumorMassG: Double?
    public var normalLiverMassG: Double?
    /// Vial activity needed at treatment when a residual was given.
    public var vialActivityAtTreatmentGBq: Double?
    public var status: Status
    public var reasons: [String]
    public var checks: [Check]
    public var assumptions: [Assumption]
}

/// Plausible input ranges. A value outside is refused with its range, never clipped.
public enum PlausibleInputs {
    /// Liver, perfused territory or normal-liver mass: 10 g (a sub-segment) to 10 kg (hepatomegaly
    /// beyond this is implausible). The 10 g floor also refuses a mass typed in kg ("1.5" for 1.5 kg).
    public static let liverMassG = PlausibleRange(10, 10_000, "g")
    public static let liverVolumeMl = PlausibleRange(10, 10_000, "mL")
    /// Tumour mass: 0.1 g (about 6 mm across, below any lesion imaging can segment) to 10 kg.
    public static let tumorMassG = PlausibleRange(0.1, 10_000, "g")
    public static let tumorVolumeMl = PlausibleRange(0.1, 10_000, "mL")
    /// T/N concentration ratio: > 0 to 100 (published MAA ratios rarely exceed 20).
    public static let tnRatio = PlausibleRange(0, 100, "", includesLower: false)
    /// Lung shunt in percent: 0 ≤ LSF < 100.
    public static let lungShuntPercent = PlausibleRange(0, 100, "%", includesUpper: false)
    /// Lung mass: 200 g to 3000 g (CT lung masses of adults lie well inside).
    public static let lungMassG = PlausibleRange(200, 3000, "g")
    /// Prior lung dose: 0 to 200 Gy.
    public static let priorLungDoseGy = PlausibleRange(0, 200, "Gy")
    /// Tissue density: 0.5 to 2 g/mL.
    public static let densityGPerMl = PlausibleRange(0.5, 2, "g/mL")
    /// Prescribed dose: > 0 to 2000 Gy (radiation segmentectomy reaches > 400 Gy).
    public static let doseGy = PlausibleRange(0, 2000, "Gy", includesLower: false)
    /// Injected activity: 0.001 GBq (1 MBq; a published Ho-166 scout deposit is 3.7 MBq) to 30 GBq (the
    /// largest glass vial is 20 GBq).
    public static let activityGBq = PlausibleRange(0.001, 30, "GBq")
    /// Dose factor K: 1 to 100 Gy·kg/GBq.
    public static let doseFactor = PlausibleRange(1, 100, "Gy·kg/GBq")
    /// Residual left in the vial and lines: 0 ≤ r < 100 %.
    public static let residualPercent = PlausibleRange(0, 100, "%", includesUpper: false)
}

public enum Prescription {
    /// Solves the prescription. Throws `InputError` for invalid or contradictory input. The result
    /// carries only the checks of the input's plausibility; the clinical limits are the clinical
    /// policy's (module ClinicalPolicy), which every command applies to this result.
    /// `details: false` computes the same numbers without the assumptions, reasons and advisory checks
    /// (their text), for the thousands of Monte Carlo samples of one prescription.
    public static func calculate(_ r: PrescriptionRequest, catalogue: RadioembolizationCatalogue, details: Bool = true) throws -> PrescriptionResult {
        try PlausibleInputs.lungShuntPercent.check(r.lungShuntPercent, field: PrescriptionField.lungShunt.rawValue)
        guard r.lungShuntPercent < 100 else {
            throw InputError(field: PrescriptionField.lungShunt.rawValue, "must be in [0, 100) %; got \(Format.number(r.lungShuntPercent))")
        }
        try PlausibleInputs.lungMassG.check(r.lungMassG, field: PrescriptionField.lungMass.rawValue)
        try PlausibleInputs.priorLungDoseGy.check(r.priorLungDoseGy, field: PrescriptionField.priorLungDose.rawValue)
        try PlausibleInputs.doseFactor.check(r.doseFactorGyKgPerGBq, field: PrescriptionField.doseFactor.rawValue)
        try PlausibleInputs.densityGPerMl.check(r.densityGPerMl, field: PrescriptionField.density.rawValue)
        if let res = r.residualPercent {
            try PlausibleInputs.residualPercent.check(res, field: PrescriptionField.residual.rawValue)
            guard res < 100 else { throw InputError(field: PrescriptionField.residual.rawValue, "must be in [0, 100) %; got \(Format.number(res))") }
        }

        let lsf = r.lungShuntPercent / 100
        let k = r.doseFactorGyKgPerGBq
        let lungKg = r.lungMassG / 1000
        var res = PrescriptionResult(
            device: r.device.id, method: r.method.rawValue, activityGBq: 0, activityMCi: 0,
            lungDoseGy: 0, cumulativeLungDoseGy: 0, lungShuntPercent: r.lungShuntPercent,
            status: .ok, reasons: [], checks: [], assumptions: [])
        var assumptions: [Assumption] = !details ? [] : [
            Assumption(name: "doseFactor (\(r.nuclide.name), \(r.device.name))", value: k, unit: "Gy·kg/GBq", source: r.doseFactorSource),
            Assumption(name: "halfLife (\(r.nuclide.name))", value: r.nuclide.halfLifeH, unit: "h", source: r.nuclide.halfLifeSource),
            Assumption(name: "lungMass", value: r.lungMassG, unit: "g", source: r.lungMassSource),
        ]
        var extraChecks: [Check] = []
        func assume(_ a: @autoclosure () -> Assumption) { if details { assumptions.append(a()) } }
        func reason(_ text: @autoclosure () -> String) { if details { res.reasons.append(text()) } }

        switch r.method {
        case .mird, .standard:
            guard let m = r.perfusedMassG else {
                throw InputError(field: (r.method == .standard ? PrescriptionField.liverMass : .perfusedMass).rawValue,
                                 "is required (or the matching volume in mL) for the \(r.method.rawValue) method")
            }
            let field = r.field(r.method == .standard ? .liverMass : .perfusedMass)
            try PlausibleInputs.liverMassG.check(m, field: field.rawValue)
            let mKg = m / 1000
            res.perfusedMassG = m
            // Ho-166 standard: A = D · M / K, not corrected for lung shunt (published 3781 MBq/kg).
            let shuntCorrection = r.method == .standard ? 0 : lsf
            switch r.given {
            case .targetDoseGy(let d)?:
                try PlausibleInputs.doseGy.check(d, field: PrescriptionField.targetDose.rawValue)
                res.activityGBq = Dosimetry.singleCompartmentActivityGBq(doseGy: d, lungShuntFraction: shuntCorrection, massKg: mKg, doseFactor: k)
            case .activityGBq(let a)?:
                try PlausibleInputs.activityGBq.check(a, field: PrescriptionField.activity.rawValue)
                res.activityGBq = a
            case nil:
                if r.method == .standard {
                    res.activityGBq = Dosimetry.singleCompartmentActivityGBq(doseGy: catalogue.holmiumStandard.targetDoseGy, lungShuntFraction: 0, massKg: mKg, doseFactor: k)
                    assume(Assumption(name: "standardTargetDose", value: catalogue.holmiumStandard.targetDoseGy, unit: "Gy", source: catalogue.holmiumStandard.source))
                } else {
                    throw InputError(field: PrescriptionField.targetDose.rawValue, "or {activity} is required for the mird method")
                }
            case .normalLiverDoseGy?, .tumorDoseGy?:
                throw InputError(field: r.given!.field.rawValue,
                                 "does not apply to the \(r.method.rawValue) method: it takes {targetDose} or {activity}, not a tumour or normal-liver dose")
            }
            res.perfusedLiverDoseGy = Dosimetry.singleCompartmentDoseGy(activityGBq: res.activityGBq, lungShuntFraction: lsf, massKg: mKg, doseFactor: k)
            if r.method == .standard {
                reason("Ho-166 standard method: A = D·M/K without lung-shunt correction (published 3781 MBq/kg); perfusedLiverDoseGy is the dose after the lung shunt.")
            }

        case .partition:
            guard let mt = r.tumorMassG else { throw InputError(field: PrescriptionField.tumorMass.rawValue, "is required (or {tumorVolume}) for the partition method") }
            guard let mn = r.normalLiverMassG else { throw InputError(field: PrescriptionField.normalLiverMass.rawValue, "is required (or {normalLiverVolume}) for the partition method") }
            guard let tn = r.tnRatio else { throw InputError(field: PrescriptionField.tnRatio.rawValue, "is required for the partition method; valid range \(PlausibleInputs.tnRatio.text)") }
            try PlausibleInputs.tumorMassG.check(mt, field: r.field(.tumorMass).rawValue)
            try PlausibleInputs.liverMassG.check(mn, field: r.field(.normalLiverMass).rawValue)
            try PlausibleInputs.tnRatio.check(tn, field: PrescriptionField.tnRatio.rawValue)
            guard mt + mn <= PlausibleInputs.liverMassG.upper else {
                throw InputError(field: PrescriptionField.tumorMass.rawValue, "tumour plus normal liver must be at most \(Format.number(PlausibleInputs.liverMassG.upper)) g; got \(Format.number(mt + mn)) g")
            }
            let comps = [Compartment(name: "tumor", massKg: mt / 1000, relativeConcentration: tn),
                         Compartment(name: "normalLiver", massKg: mn / 1000, relativeConcentration: 1)]
            switch r.given {
            case .normalLiverDoseGy(let d)?:
                try PlausibleInputs.doseGy.check(d, field: PrescriptionField.normalLiverDose.rawValue)
                res.activityGBq = Dosimetry.partitionActivityGBq(doseGy: d, compartment: 1, lungShuntFraction: lsf, compartments: comps, doseFactor: k)
            case .tumorDoseGy(let d)?:
                try PlausibleInputs.doseGy.check(d, field: PrescriptionField.tumorDose.rawValue)
                res.activityGBq = Dosimetry.partitionActivityGBq(doseGy: d, compartment: 0, lungShuntFraction: lsf, compartments: comps, doseFactor: k)
            case .activityGBq(let a)?:
                try PlausibleInputs.activityGBq.check(a, field: PrescriptionField.activity.rawValue)
                res.activityGBq = a
            case .targetDoseGy?:
                throw InputError(field: PrescriptionField.targetDose.rawValue, "is for the mird method; the partition method takes {normalLiverDose}, {tumorDose} or {activity}")
            case nil:
                throw InputError(field: PrescriptionField.normalLiverDose.rawValue, "or {tumorDose} or {activity} is required for the partition method")
            }
            let doses = Dosimetry.partitionDosesGy(activityGBq: res.activityGBq, lungShuntFraction: lsf, compartments: comps, doseFactor: k)
            res.tumorDoseGy = doses[0]
            res.normalLiverDoseGy = doses[1]
            res.perfusedLiverDoseGy = Dosimetry.singleCompartmentDoseGy(activityGBq: res.activityGBq, lungShuntFraction: lsf, massKg: (mt + mn) / 1000, doseFactor: k)
            res.tumorMassG = mt
            res.normalLiverMassG = mn
            if let whole = r.wholeNormalLiverMassG {
                try PlausibleInputs.liverMassG.check(whole, field: PrescriptionField.wholeNormalLiverMass.rawValue)
                guard whole >= mn else {
                    throw InputError(field: PrescriptionField.wholeNormalLiverMass.rawValue, "must be at least the perfused normal-liver mass \(Format.number(mn)) g; got \(Format.number(whole)) g")
                }
                res.wholeNormalLiverDoseGy = Dosimetry.wholeNormalLiverDoseGy(perfusedNormalLiverDoseGy: doses[1], perfusedNormalLiverMassKg: mn / 1000, wholeNormalLiverMassKg: whole / 1000)
            }
            if tn < 1 && details {
                extraChecks.append(Check(name: "tnRatio", value: tn, limit: 1, unit: "", kind: .atLeast, severity: .soft,
                                         source: "T/N < 1: the tumour takes up less than the normal liver; the partition model then gives the normal liver the higher dose; check the MAA images (Ho et al., Eur J Nucl Med 1996;23:947, partition model)"))
            }

        case .bsa, .empiric:
            guard let tv = r.tumorVolumeMl else { throw InputError(field: PrescriptionField.tumorVolume.rawValue, "is required for the \(r.method.rawValue) method") }
            guard let lv = r.liverVolumeMl else { throw InputError(field: PrescriptionField.liverVolume.rawValue, "is required for the \(r.method.rawValue) method (whole liver including tumour)") }
            // 0 means no measurable tumour (a defined point of the BSA and empiric formulas); otherwise
            // the physical range, so that 1e-320 mL is refused rather than read as a tumour.
            if tv != 0 || tv.sign == .minus {
                guard PlausibleInputs.tumorVolumeMl.contains(tv) else {
                    throw InputError(field: PrescriptionField.tumorVolume.rawValue, "must be 0 (no measurable tumour) or in \(PlausibleInputs.tumorVolumeMl.text); got \(Format.number(tv))")
                }
            }
            try PlausibleInputs.liverVolumeMl.check(lv, field: PrescriptionField.liverVolume.rawValue)
            guard tv < lv else {
                throw InputError(field: PrescriptionField.tumorVolume.rawValue, "must be smaller than {liverVolume} (the liver volume includes the tumour); got \(Format.number(tv)) mL ≥ \(Format.number(lv)) mL")
            }
            if let g = r.given {
                throw InputError(field: g.field.rawValue, "does not apply to the \(r.method.rawValue) method: it prescribes the activity itself")
            }
            let involvementPercent = 100 * tv / lv
            res.tumorInvolvementPercent = involvementPercent
            var unreduced: Double
            if r.method == .bsa {
                guard let h = r.heightCm else { throw InputError(field: PrescriptionField.height.rawValue, "is required for the bsa method") }
                guard let w = r.weightKg else { throw InputError(field: PrescriptionField.weight.rawValue, "is required for the bsa method") }
                let bsa: Double
                do { bsa = try BodySurfaceArea.duBoisM2(heightCm: h, weightKg: w) } catch let e as AssessmentInputError {
                    throw InputError(field: (e.field == "weightKg" ? PrescriptionField.weight : .height).rawValue, e.message)
                }
                res.bsaM2 = bsa
                assume(Assumption(name: "bsaFormula (DuBois & DuBois 1916)", value: 0.007184, unit: "m² per kg^0.425·cm^0.725", source: "SIR-Spheres BSA method uses DuBois (0.20247·H[m]^0.725·W^0.425), van Roekel thesis ch. 2; not Mosteller"))
                unreduced = Dosimetry.resinBSAActivityGBq(bsaM2: bsa, tumorVolumeMl: tv, liverVolumeMl: lv)
                if let treated = r.treatedVolumeMl {
                    try PlausibleInputs.liverVolumeMl.check(treated, field: PrescriptionField.treatedVolume.rawValue)
                    guard treated <= lv else { throw InputError(field: PrescriptionField.treatedVolume.rawValue, "must be at most {liverVolume} \(Format.number(lv)) mL; got \(Format.number(treated))") }
                    guard tv <= treated else { throw InputError(field: PrescriptionField.tumorVolume.rawValue, "must be at most {treatedVolume} when a lobe is treated (the tumour lies in the treated lobe)") }
                    switch r.bsaLobarConvention {
                    case .scaledWhole: unreduced *= treated / lv
                    case .split: unreduced = (bsa - 0.2) * treated / lv + tv / lv
                    }
                    reason("lobar BSA, convention \(r.bsaLobarConvention.rawValue): \(r.bsaLobarConvention == .scaledWhole ? "whole-liver activity × V_treated/V_liver (REBOC)" : "(BSA − 0.2)·V_treated/V_liver + V_T/V_liver")")
                }
                guard unreduced > 0 else {
                    throw InputError(field: PrescriptionField.height.rawValue, "with {weight} gives BSA \(Format.number(bsa)) m², which yields no positive BSA-method activity")
                }
            } else {
                guard let band = catalogue.resinEmpiric.band(for: involvementPercent), let a = band.activityGBq else {
                    throw InputError(field: PrescriptionField.tumorVolume.rawValue, "tumour involvement \(Format.number(involvementPercent)) % has no empiric band")
                }
                unreduced = a
                assume(Assumption(name: "empiricActivity (involvement \(Format.number(involvementPercent)) %)", value: a, unit: "GBq", source: catalogue.resinEmpiric.source))
            }
            res.unreducedActivityGBq = unreduced
            if let band = catalogue.resinLungShuntReductions.band(for: r.lungShuntPercent), let red = band.reductionPercent {
                res.lungShuntReductionPercent = red
                res.activityGBq = unreduced * (1 - red / 100)
                assume(Assumption(name: "lungShuntReduction", value: red, unit: "%", source: catalogue.resinLungShuntReductions.source))
            } else {
                // Above 20 %: no reduction is defined; SIR-Spheres must not be given.
                res.lungShuntReductionPercent = 100
                res.activityGBq = 0
                reason("lung shunt \(Format.number(r.lungShuntPercent)) % is above the last reduction band: no activity is defined (do not treat); unreducedActivityGBq shows the BSA or empiric activity before any reduction")
            }
            let liverKg = lv * r.densityGPerMl / 1000
            // The treated mass: the whole liver, or the treated lobe for a lobar BSA prescription.
            res.perfusedMassG = liverKg * 1000 * ((r.treatedVolumeMl ?? lv) / lv)
            if res.activityGBq > 0 {
                res.perfusedLiverDoseGy = Dosimetry.singleCompartmentDoseGy(activityGBq: res.activityGBq, lungShuntFraction: lsf, massKg: liverKg * ((r.treatedVolumeMl ?? lv) / lv), doseFactor: k)
            }
        }

        guard res.activityGBq.isFinite, res.activityGBq >= 0 else {
            throw InputError(field: PrescriptionField.activity.rawValue, "the inputs give no finite activity")
        }
        res.activityMCi = res.activityGBq * UnitConversion.mCiPerGBq
        res.activityMBq = res.activityGBq * UnitConversion.mbqPerGBq
        res.lungDoseGy = Dosimetry.lungDoseGy(activityGBq: res.activityGBq, lungShuntFraction: lsf, lungMassKg: lungKg, doseFactor: k)
        if res.activityGBq == 0, let unreduced = res.unreducedActivityGBq {
            let d = Dosimetry.lungDoseGy(activityGBq: unreduced, lungShuntFraction: lsf, lungMassKg: lungKg, doseFactor: k)
            reason("at the unreduced activity \(Format.number(unreduced, significant: 4)) GBq the lung dose would be \(Format.number(d, significant: 4)) Gy")
        }
        res.cumulativeLungDoseGy = r.priorLungDoseGy + res.lungDoseGy
        if r.method != .bsa && r.method != .empiric {
            if r.perfusedMassG != nil || r.tumorMassG != nil {
                assume(Assumption(name: "tissueDensity", value: r.densityGPerMl, unit: "g/mL", source: r.densitySource))
            }
        } else {
            assume(Assumption(name: "tissueDensity", value: r.densityGPerMl, unit: "g/mL", source: r.densitySource))
        }
        if let resid = r.residualPercent {
            res.vialActivityAtTreatmentGBq = res.activityGBq / (1 - resid / 100)
            assume(Assumption(name: "residual", value: resid, unit: "%", source: "given; " + r.device.typicalResidualSource))
        }

        var checks: [Check] = []
        if details && r.lungShuntPercent > 0 && r.lungShuntPercent < 1 {
            checks.append(Check(name: "lungShuntPercentPlausible", value: r.lungShuntPercent, limit: 1, unit: "%", kind: .atLeast, severity: .soft,
                                source: "the lung shunt is entered in percent: \(Format.number(r.lungShuntPercent)) means \(Format.number(r.lungShuntPercent)) %, not a fraction; planar shunts below 1 % are rare, check the entry"))
        }
        checks += extraChecks
        res.checks = checks
        res.assumptions = assumptions
        res.status = overallStatus(checks)
        return res
    }

}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
