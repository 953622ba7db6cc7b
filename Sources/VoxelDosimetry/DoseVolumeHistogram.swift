// SPDX-License-Identifier: GPL-3.0-or-later
// Mass-weighted dose–volume statistics of one label.
//
// Conventions (stated in every result): D_x is the least dose received by the hottest x % of the mass:
// the voxels are sorted by dose, highest first, and D_x is the dose of the voxel at which their
// cumulative mass first reaches x % of the label's mass (no interpolation between voxels). V_d is the
// percentage of the mass receiving a dose ≥ d. The mean is mass-weighted.

public struct DoseStatistics: Sendable, Codable, Equatable {
    public let massG: Double
    public let meanDoseGy: Double
    public let d50Gy: Double
    public let d70Gy: Double
    public let d90Gy: Double
    public let d95Gy: Double
    public let v100Percent: Double
    public let v150Percent: Double
    public let minDoseGy: Double
    public let maxDoseGy: Double
}

public struct DoseVolumeHistogram: Sendable {
    /// Doses sorted from highest to lowest, with their masses.
    public let doses: [Double]
    public let masses: [Double]
    public let totalMassG: Double

    public init(doses d: [Double], masses m: [Double]) {
        // Sorted by dose, highest first. The order among equal doses changes no statistic (D_x is a dose,
        // V_d and the mean sum over every voxel), so the pairs are sorted as they are, without an index.
        var pairs = zip(d, m).map { (dose: $0, mass: $1) }
        pairs.sort { $0.dose > $1.dose }
        doses = pairs.map(\.dose)
        masses = pairs.map(\.mass)
        totalMassG = masses.reduce(0, +)
    }

    /// D_x (Gy), x in percent (0, 100].
    public func d(_ percent: Double) -> Double {
        let target = percent / 100 * totalMassG
        var cum = 0.0
        for (dose, m) in zip(doses, masses) {
            cum += m
            if cum >= target * (1 - 1e-12) { return dose }
        }
        return doses.last ?? 0
    }

    /// D_x for ascending `percents` in one pass (the same rule as `d(_:)`).
    public func d(percents: [Double]) -> [Double] {
        guard !doses.isEmpty else { return percents.map { _ in 0 } }
        var out: [Double] = []
        out.reserveCapacity(percents.count)
        var i = 0, cum = masses.first ?? 0
        for p in percents {
            let target = p / 100 * totalMassG * (1 - 1e-12)
            while cum < target && i + 1 < doses.count { i += 1; cum += masses[i] }
            out.append(cum >= target ? doses[i] : (doses.last ?? 0))
        }
        return out
    }

    /// V_d (percent of the mass with dose ≥ d).
    public func v(_ gy: Double) -> Double {
        var m = 0.0
        for (dose, mass) in zip(doses, masses) where dose >= gy { m += mass }
        return totalMassG > 0 ? 100 * m / totalMassG : 0
    }

    public var statistics: DoseStatistics {
        var weighted = 0.0
        for (d, m) in zip(doses, masses) { weighted += d * m }
        return DoseStatistics(massG: totalMassG, meanDoseGy: totalMassG > 0 ? weighted / totalMassG : 0, d50Gy: d(50), d70Gy: d(70), d90Gy: d(90),
                              d95Gy: d(95), v100Percent: v(100), v150Percent: v(150), minDoseGy: doses.last ?? 0, maxDoseGy: doses.first ?? 0)
    }

    /// The cumulative histogram at `edges` (Gy): percent of the mass with dose ≥ each edge.
    public func cumulative(at edges: [Double]) -> [Double] { edges.map { v($0) } }
}
