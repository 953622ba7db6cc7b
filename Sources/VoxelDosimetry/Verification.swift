// SPDX-License-Identifier: GPL-3.0-or-later
// Post-treatment verification: the doses a plan intended against the doses a post-treatment map shows,
// compartment by compartment.
//
// The plan is a compartment (partition-model) plan, so its dose is uniform in each compartment: its D70
// equals its mean and its V100 is 100 % when the mean is at least 100 Gy, else 0 %.

public struct PlannedCompartment: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case tumor, wholeNormalLiver, lung }
    public let name: String
    public let kind: Kind
    public let meanDoseGy: Double
    public init(name: String, kind: Kind, meanDoseGy: Double) { self.name = name; self.kind = kind; self.meanDoseGy = meanDoseGy }
}

public struct VerifiedCompartment: Sendable, Codable, Equatable {
    public let name: String
    public let kind: PlannedCompartment.Kind
    public let plannedMeanDoseGy: Double
    public let deliveredMeanDoseGy: Double
    public let differenceGy: Double
    /// (delivered − planned) / planned × 100; nil when nothing was planned.
    public let differencePercent: Double?
    public let plannedD70Gy: Double
    public let deliveredD70Gy: Double?
    public let plannedV100Percent: Double
    public let deliveredV100Percent: Double?
}

public enum Verification {
    /// Pairs each planned compartment with its delivered statistics (nil D70/V100 for the lung, whose
    /// dose is a mean only).
    public static func compare(_ planned: PlannedCompartment, deliveredMean: Double, deliveredD70: Double?, deliveredV100: Double?) -> VerifiedCompartment {
        let p = planned.meanDoseGy
        return VerifiedCompartment(name: planned.name, kind: planned.kind, plannedMeanDoseGy: p, deliveredMeanDoseGy: deliveredMean,
                                   differenceGy: deliveredMean - p, differencePercent: p > 0 ? 100 * (deliveredMean - p) / p : nil,
                                   plannedD70Gy: p, deliveredD70Gy: deliveredD70, plannedV100Percent: p >= 100 ? 100 : 0, deliveredV100Percent: deliveredV100)
    }
}
