// SPDX-License-Identifier: GPL-3.0-or-later

/// Plain clinical words for the checks that are not rows of the clinical policy (whose rows carry their
/// own label). Text output, reports and reasons name a check by `Check.title`, so that no identifier
/// ("usableUntilAfterCalibration") reaches a person.
public enum CheckWording {
    /// The words for the checks built outside the policy file, by their stable identifier.
    public static let known: [String: String] = [
        "activityAvailable": "largest activity that can be ordered",
        "usableFromCalibration": "earliest use after the vial's calibration",
        "usableUntilAfterCalibration": "latest use after the vial's calibration",
        "vialDraw": "activity drawn from the vial",
        "tumorTarget": "tumour dose target",
        "perfusedDoseTarget": "perfused-volume dose target",
        "doseTarget": "dose target",
        "vialAvailability": "vials available at the allowed times",
        "wholeVialTime": "time the whole vial matches the need",
        "hepaticReserve": "untreated liver (hepatic reserve)",
        "treatmentHours": "treatment within working hours",
        "tnRatio": "tumour-to-normal ratio",
        "lungShuntPercentPlausible": "lung shunt plausibility",
        "requestedDose": "requested doxorubicin dose",
        "modelCalibration": "DEB model calibrated for this product",
        "productParametersCalibrated": "DEB model calibrated for this product",
        "loadingCapacity": "highest loading the model is calibrated for",
        "recommendedLoading": "recommended bead loading",
        "calibratedHorizon": "time span the DEB model was calibrated on",
        "massBalance": "drug mass balance of the calculation",
        "crankDeviation": "agreement with Crank's diffusion solution",
        "closedFormAgreement": "agreement with the closed-form plasma curve",
    ]

    /// The words for a check identifier: the table above, or the identifier split at its capitals
    /// ("cumulativeLungDose" → "cumulative lung dose") so that prose never shows camelCase.
    public static func words(for name: String) -> String {
        if let w = known[name] { return w }
        var out = ""
        for ch in name {
            if ch.isUppercase, !out.isEmpty { out += " " + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }
}
