// SPDX-License-Identifier: GPL-3.0-or-later
// What the samples say: an interval for every dose and activity, the probability that each hard
// limit is exceeded, and how much of each dose's variance each uncertain input explains.
import Foundation
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
    /// Per dose and activity and per uncertain input: the mean of the result over the samples whose
    /// input lies in its lowest and in its highest tenth (the bars of a tornado chart).
    public let swings: [String: [String: Swing]]

    public struct Swing: Sendable, Codable, Equatable {
        public let lowTenthMean: Double
        public let highTenthMean: Double
    }
    /// The distributions and estimators, in words.
    public let conventions: [String]
    /// Planner only: the activity chosen so that no hard limit is exceeded with more than the allowed
    /// probability, beside the nominal plan.
    public var chanceConstraint: ChanceConstraint?
    /// Planner only: for each result that a hard limit is stated on, the name of that limit's check.
    public var limitChecks: [String: String]?

    public struct ChanceConstraint: Sendable, Codable, Equatable {
        /// The largest allowed probability that any hard limit is exceeded.
        public let maxExceedanceProbability: Double
        /// The activity of the plan (GBq, before vials and times).
        public let activityGBq: Double
        /// The activity of the nominal plan, planned on the measured values alone.
        public let nominalActivityGBq: Double
        /// The probability that any hard limit is exceeded at the nominal activity.
        public let nominalExceedanceProbability: Double
        /// The hard limit most often exceeded just above the chosen activity; nil when the chance
        /// constraint does not lower the nominal activity.
        public let bindingLimit: String?
        public init(maxExceedanceProbability: Double, activityGBq: Double, nominalActivityGBq: Double, nominalExceedanceProbability: Double, bindingLimit: String?) {
            self.maxExceedanceProbability = maxExceedanceProbability
            self.activityGBq = activityGBq
            self.nominalActivityGBq = nominalActivityGBq
            self.nominalExceedanceProbability = nominalExceedanceProbability
            self.bindingLimit = bindingLimit
        }
    }

    public init(samples: PrescriptionSamples, specification: UncertaintySpecification) {
        self.samples = samples.count
        seed = specification.seed
        var intervals: [String: Interval] = [:]
        var sensitivity: [String: [String: Double]] = [:]
        var swings: [String: [String: Swing]] = [:]
        // Every statistic is a function of one column or one pair of columns, computed on every core
        // and stored by index, so the result does not depend on the number of cores.
        let inputs = samples.inputs, outputs = samples.outputs
        let orders = IndexedResults<[Int]>(inputs.count)
        DispatchQueue.concurrentPerform(iterations: inputs.count) { orders.set($0, Self.order(inputs[$0].values)) }
        let ivals = IndexedResults<Interval>(outputs.count)
        DispatchQueue.concurrentPerform(iterations: outputs.count) { ivals.set($0, Self.interval(outputs[$0].values)) }
        let pairs = IndexedResults<(Double, Swing)>(outputs.count * inputs.count)
        DispatchQueue.concurrentPerform(iterations: outputs.count * inputs.count) { k in
            let o = k / inputs.count, i = k % inputs.count
            let order = orders.get(i)
            pairs.set(k, (Self.firstOrderShare(order: order, y: outputs[o].values), Self.swing(order: order, y: outputs[o].values)))
        }
        for (o, output) in outputs.enumerated() {
            intervals[output.name] = ivals.get(o)
            guard !inputs.isEmpty else { continue }
            var shares: [String: Double] = [:]
            var swing: [String: Swing] = [:]
            for (i, input) in inputs.enumerated() {
                let r = pairs.get(o * inputs.count + i)
                shares[input.name] = r.0
                swing[input.name] = r.1
            }
            sensitivity[output.name] = shares
            swings[output.name] = swing
        }
        self.intervals = intervals
        self.sensitivity = sensitivity
        self.swings = swings
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
        guard x.count == y.count else { return 0 }
        return firstOrderShare(order: order(x), y: y)
    }

    /// The sample indices sorted by `x` (ties by index, so the order is the same on every run).
    static func order(_ x: [Double]) -> [Int] {
        var pairs = x.enumerated().map { (value: $0.element, index: $0.offset) }
        pairs.sort { $0.value < $1.value || ($0.value == $1.value && $0.index < $1.index) }
        return pairs.map(\.index)
    }

    /// Mean of y over the lowest and the highest tenth of the samples by the input (`order`).
    static func swing(order: [Int], y: [Double]) -> Swing {
        let n = order.count, tenth = max(1, n / 10)
        var lo = 0.0, hi = 0.0
        for i in 0..<tenth { lo += y[order[i]]; hi += y[order[n - 1 - i]] }
        return Swing(lowTenthMean: lo / Double(tenth), highTenthMean: hi / Double(tenth))
    }

    static func firstOrderShare(order: [Int], y: [Double]) -> Double {
        let n = y.count
        guard n == order.count, n >= 4 else { return 0 }
        var mean = 0.0
        for v in y { mean += v }
        mean /= Double(n)
        var total = 0.0
        for v in y { total += (v - mean) * (v - mean) }
        // A result that does not vary (up to rounding of the same number) has no variance to share.
        let rounding = 1e-12 * Swift.max(abs(mean), Double.leastNormalMagnitude)
        guard total.isFinite, total > Double(n) * rounding * rounding else { return 0 }
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
