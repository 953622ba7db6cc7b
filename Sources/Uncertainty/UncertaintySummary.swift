// SPDX-License-Identifier: GPL-3.0-or-later
// What the samples say: an interval for every dose and activity, the probability that each hard
// limit is exceeded, and how much of each dose's variance each uncertain input explains.
import GSLKit

/// The percentiles of one quantity over the samples.
public struct Interval: Sendable, Codable, Equatable {
    public let mean: Double
    public let p2_5: Double
    public let p50: Double
    public let p97_5: Double
}

/// The `uncertainty` object of a result.
public struct UncertaintyResult: Sendable, Codable, Equatable {
    public let samples: Int
    public let seed: UInt64
    /// Per dose and activity of the nominal result.
    public let intervals: [String: Interval]
    /// Per hard limit (check name): the share of samples in which it fails.
    public let exceedanceProbability: [String: Double]
    /// Per dose and activity: the share of its variance explained by each uncertain input.
    public let sensitivity: [String: [String: Double]]
    /// The distributions and estimators, in words.
    public let conventions: [String]

    public init(samples: PrescriptionSamples, specification: UncertaintySpecification) {
        self.samples = samples.count
        seed = specification.seed
        var intervals: [String: Interval] = [:]
        var sensitivity: [String: [String: Double]] = [:]
        for (name, values) in samples.outputs {
            intervals[name] = Self.interval(values)
            var shares: [String: Double] = [:]
            for (input, x) in samples.inputs { shares[input] = Self.firstOrderShare(x: x, y: values) }
            if !shares.isEmpty { sensitivity[name] = shares }
        }
        self.intervals = intervals
        self.sensitivity = sensitivity
        var p: [String: Double] = [:]
        for (name, failed) in samples.exceeded {
            p[name] = Double(failed.lazy.filter { $0 }.count) / Double(max(failed.count, 1))
        }
        exceedanceProbability = p
        conventions = specification.conventions
    }

    /// Mean and the 2.5th, 50th and 97.5th percentiles (GSL, linear between order statistics).
    static func interval(_ values: [Double]) -> Interval {
        let sorted = values.sorted()
        return Interval(mean: SampleStatistics.mean(values),
                        p2_5: SampleStatistics.quantile(sorted: sorted, 0.025),
                        p50: SampleStatistics.quantile(sorted: sorted, 0.5),
                        p97_5: SampleStatistics.quantile(sorted: sorted, 0.975))
    }

    /// The first-order share Var(E[Y | X]) / Var(Y), estimated by binning: the samples sorted by X
    /// into B = ⌊√N⌋ bins of (nearly) equal count, S = (SS_between − (B − 1)·SS_within/(N − B)) / SS_total.
    /// The subtracted term is SS_between's expected value when X has no effect, so an input without
    /// effect estimates about 0; estimates below 0 are returned as 0. 0 when Y does not vary.
    public static func firstOrderShare(x: [Double], y: [Double]) -> Double {
        let n = y.count
        guard n == x.count, n >= 4 else { return 0 }
        var mean = 0.0
        for v in y { mean += v }
        mean /= Double(n)
        var total = 0.0
        for v in y { total += (v - mean) * (v - mean) }
        guard total > 0, total.isFinite else { return 0 }
        let order = x.indices.sorted { x[$0] < x[$1] || (x[$0] == x[$1] && $0 < $1) }
        let bins = max(2, Int(Double(n).squareRoot()))
        var between = 0.0, within = 0.0
        for b in 0..<bins {
            let lo = b * n / bins, hi = (b + 1) * n / bins
            guard hi > lo else { continue }
            var m = 0.0
            for i in lo..<hi { m += y[order[i]] }
            m /= Double(hi - lo)
            between += Double(hi - lo) * (m - mean) * (m - mean)
            for i in lo..<hi { within += (y[order[i]] - m) * (y[order[i]] - m) }
        }
        let share = (between - Double(bins - 1) * within / Double(n - bins)) / total
        return max(0, share)
    }
}
