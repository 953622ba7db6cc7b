// SPDX-License-Identifier: GPL-3.0-or-later
// The clinical policy applied to image-based (voxel) dosimetry: the same limits as `y90`, `ho166` and
// `plan`, on the mean doses the dose map gives.
//
// Which mean is which quantity: the normal-liver labels hold all non-tumorous liver in the image, so
// their mass-weighted mean dose is the whole normal-liver dose. The perfused normal-liver dose needs the
// perfused territory, which a label map of organs does not give; that check is left not evaluated and
// says so. The lung dose is the voxel calculation's mean lung dose; the lung shunt is the one given.
import DosecalcCore
import Radioembolization

extension ClinicalPolicy {
    public func evaluateImage(device: Device, wholeNormalLiverDoseGy: Double?, lungDoseGy: Double?, priorLungDoseGy: Double,
                              lungShuntPercent: Double?, facts: PatientFacts, naming: (String) -> String = { $0 }) -> [Check] {
        var q: [LimitQuantity: Double] = [:]
        if let d = wholeNormalLiverDoseGy { q[.wholeNormalLiverDoseGy] = d }
        if let d = lungDoseGy { q[.lungDoseGy] = d; q[.cumulativeLungDoseGy] = d + priorLungDoseGy }
        if let l = lungShuntPercent { q[.lungShuntPercent] = l }
        if let b = facts.bilirubinMgPerDl { q[.bilirubinMgPerDl] = b }
        if let s = facts.childPughScore { q[.childPughScore] = Double(s) }
        let modality = Self.modality(device: device)
        return evaluate(modality, facts: facts, quantities: q, selection: .reportUnknown, naming: naming).map { c in
            guard c.value == nil, quantity(ofCheck: c.name, modality: modality) == .perfusedNormalLiverDoseGy else { return c }
            var n = c
            n.requires = nil
            n.note = "the perfused normal-liver dose needs the perfused territory, which the label map does not give; the whole normal-liver dose is checked instead"
            return n
        }
    }
}
