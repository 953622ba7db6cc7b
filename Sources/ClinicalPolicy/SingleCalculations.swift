// SPDX-License-Identifier: GPL-3.0-or-later
// The clinical policy applied to the single calculations (y90, ho166, vial, deb): the same limits as
// the planner, evaluated on what the calculation computed and the patient facts that were given.
import DosecalcCore
import Radioembolization

extension ClinicalPolicy {
    /// The modality of a radioembolization device.
    public static func modality(device: Device) -> Modality {
        switch device.id {
        case "glass": return .y90Glass
        case "resin": return .y90Resin
        default: return .ho166
        }
    }

    /// The quantities of a prescription that the policy's limits are stated on.
    public static func quantities(of r: PrescriptionResult, facts: PatientFacts) -> [LimitQuantity: Double] {
        var q: [LimitQuantity: Double] = [:]
        for k in LimitQuantity.allCases { q[k] = quantity(k, of: r, facts: facts) }
        return q
    }

    /// One quantity of a prescription a limit is stated on; nil when the calculation does not give it.
    public static func quantity(_ k: LimitQuantity, of r: PrescriptionResult, facts: PatientFacts) -> Double? {
        switch k {
        case .lungDoseGy: return r.lungDoseGy
        case .cumulativeLungDoseGy: return r.cumulativeLungDoseGy
        case .lungShuntPercent: return r.lungShuntPercent
        case .perfusedNormalLiverDoseGy: return r.normalLiverDoseGy
        case .wholeNormalLiverDoseGy: return r.wholeNormalLiverDoseGy
        case .bilirubinMgPerDl: return facts.bilirubinMgPerDl
        case .childPughScore: return facts.childPughScore.map(Double.init)
        case .doxorubicinSessionMg, .doxorubicinLifetimeMgPerM2, .plasmaPeakNgPerMl, .beadVolumeMl, .hepaticReservePercent: return nil
        }
    }

    /// The quantity a check of `modality` is stated on, by the check's name.
    public func quantity(ofCheck name: String, modality: Modality) -> LimitQuantity? {
        families(modality).first { $0.name == name }?.rows.first?.quantity
    }

    /// Adds the policy's checks (and the deliverability of the activity) to a prescription, and sets
    /// its status and reasons from every check.
    public func apply(to result: PrescriptionResult, device: Device, facts: PatientFacts,
                      naming: (String) -> String = { $0 }) -> PrescriptionResult {
        var r = result
        let q = Self.quantities(of: r, facts: facts)
        var checks = evaluate(Self.modality(device: device), facts: facts, quantities: q, selection: .reportUnknown, naming: naming)
        // The activity can only fall after calibration: an activity above the largest vial or order at
        // the treatment time cannot be delivered whatever the timing.
        if r.activityGBq > 0 {
            let needed = r.vialActivityAtTreatmentGBq ?? r.activityGBq
            var c = Deliverability.orderCheck(device: device, activityAtCalibrationGBq: needed)
            c.note = "activity needed in the vial at the treatment time\(r.vialActivityAtTreatmentGBq == nil ? "" : ", residual included"); it is at least this at calibration"
            checks.append(c)
        }
        r.checks = checks + r.checks
        r.status = overallStatus(r.checks)
        r.reasons += checkReasons(r.checks)
        return r
    }
}
