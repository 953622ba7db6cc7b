// SPDX-License-Identifier: GPL-3.0-or-later
// What is uncertain in a radioembolization prescription, and how much.
//
// Distributions (each input independent of the others):
// - lung shunt: normal with the measured value as its mean and the given standard deviation in
//   percentage points, truncated to [0, 100) (drawn again until it falls inside);
// - every mass (perfused liver, tumour, perfused normal liver, the lung mass when it was measured, and
//   the non-perfused part of the whole normal liver): lognormal with the measured value as its median
//   and the given coefficient of variation, σ_ln = √ln(1 + cv²); the whole normal liver is the sampled
//   perfused normal liver plus its own sampled remainder, so it can never be smaller;
// - T/N ratio: lognormal, same convention;
// - delivered activity: lognormal around the prescribed activity, same convention.
import DosecalcCore

/// The inputs, named in errors; a boundary renames them to its own words (flags, JSON paths).
public enum UncertaintyField: String, Sendable, CaseIterable {
    case lungShuntPercentSd, massCvPercent, tnRatioCvPercent, activityCvPercent, samples, seed, maxExceedanceProbability
}

public struct UncertaintySpecification: Sendable, Equatable {
    /// Standard deviation of the lung shunt, in percentage points (absolute, not relative).
    public var lungShuntPercentSd: Double = 0
    /// Coefficient of variation of every mass and volume, in percent.
    public var massCvPercent: Double = 0
    /// Coefficient of variation of the T/N ratio, in percent.
    public var tnRatioCvPercent: Double = 0
    /// Coefficient of variation of the delivered activity, in percent.
    public var activityCvPercent: Double = 0
    public var samples: Int = UncertaintySpecification.defaultSamples
    public var seed: UInt64 = UncertaintySpecification.defaultSeed
    /// Planner only: the largest allowed probability that any hard limit is exceeded.
    public var maxExceedanceProbability: Double?

    public static let defaultSamples = 20_000
    /// The default seed (any fixed value; printed with every result so that a run can be repeated).
    public static let defaultSeed: UInt64 = 20_261_204
    public static let samplesRange = PlausibleRange(1_000, 10_000_000, "samples")
    /// Seeds are whole numbers that a JSON number holds exactly.
    public static let seedRange = PlausibleRange(0, 9_007_199_254_740_991, "")
    public static let sdRange = PlausibleRange(0, 100, "percentage points")
    public static let cvRange = PlausibleRange(0, 100, "%")
    public static let exceedanceRange = PlausibleRange(0, 0.5, "", includesLower: false)

    public init() {}

    /// σ of ln X for a lognormal X with coefficient of variation `cvPercent`.
    public static func sigmaLn(cvPercent: Double) -> Double {
        let cv = cvPercent / 100
        return (log1p(cv * cv)).squareRoot()
    }

    /// Refuses a value outside its range, naming the field.
    public func validate() throws {
        try Self.sdRange.check(lungShuntPercentSd, field: UncertaintyField.lungShuntPercentSd.rawValue)
        try Self.cvRange.check(massCvPercent, field: UncertaintyField.massCvPercent.rawValue)
        try Self.cvRange.check(tnRatioCvPercent, field: UncertaintyField.tnRatioCvPercent.rawValue)
        try Self.cvRange.check(activityCvPercent, field: UncertaintyField.activityCvPercent.rawValue)
        guard Self.samplesRange.contains(Double(samples)) else {
            throw InputError(field: UncertaintyField.samples.rawValue, "must be a whole number from 1000 to 10000000; got \(samples)")
        }
        guard Double(seed) <= Self.seedRange.upper else {
            throw InputError(field: UncertaintyField.seed.rawValue, "must be a whole number from 0 to 9007199254740991; got \(seed)")
        }
        if let a = maxExceedanceProbability {
            try Self.exceedanceRange.check(a, field: UncertaintyField.maxExceedanceProbability.rawValue)
        }
    }

    /// The distributions, in words, for a result's assumptions.
    public var conventions: [String] {
        var out: [String] = []
        if lungShuntPercentSd > 0 {
            out.append("lung shunt: normal, mean = the measured value, standard deviation \(Format.number(lungShuntPercentSd)) percentage points, truncated to [0, 100) % by drawing again")
        }
        if massCvPercent > 0 {
            out.append("masses: lognormal, median = the measured value, coefficient of variation \(Format.number(massCvPercent)) % (σ of the logarithm \(Format.number(Self.sigmaLn(cvPercent: massCvPercent), significant: 4))); each mass drawn independently; the whole normal liver = the drawn perfused normal liver + its drawn non-perfused part; the lung mass only when it was measured (the 1 kg reporting convention is not drawn)")
        }
        if tnRatioCvPercent > 0 {
            out.append("T/N ratio: lognormal, median = the measured value, coefficient of variation \(Format.number(tnRatioCvPercent)) %")
        }
        if activityCvPercent > 0 {
            out.append("delivered activity: lognormal, median = the prescribed activity, coefficient of variation \(Format.number(activityCvPercent)) %")
        }
        out.append("inputs independent of each other; \(samples) samples, seed \(seed); GSL MT19937, one stream per block of \(SampleBlocks.blockSize) samples, so the result does not depend on the number of cores")
        out.append("intervals: 2.5th, 50th and 97.5th percentiles of the samples (linear interpolation between order statistics); exceedance probability: the share of samples in which a hard limit fails (a limit that depends on a fact not given is taken at its strictest value, as printed with the check)")
        out.append("sensitivity: first-order share of each dose's variance explained by each input, estimated from the same samples by binning (samples sorted by the input into √N equal-count bins; between-bin variance, corrected for its expected value without any effect, over the total variance; estimates below 0 shown as 0); shares need not add up to 1")
        return out
    }
}

#if canImport(Glibc)
import Glibc
#endif
