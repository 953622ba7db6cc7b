// SPDX-License-Identifier: GPL-3.0-or-later
// Random numbers and the normal distribution through GSL: gsl_rng (MT19937), gsl_ran_gaussian,
// gsl_ran_lognormal, gsl_cdf_ugaussian_P/Pinv, and quantiles of sorted data.
//
// Contract:
// - `RandomStream(seed:)` is GSL's MT19937 (Matsumoto & Nishimura 1998) seeded with gsl_rng_set;
//   the same seed gives the same sequence on every machine (GSL's generators are portable). MT19937
//   takes the low 32 bits of the seed, and GSL maps seed 0 to its default 4357: give seeds through
//   `RandomStream.seed(_:block:)` to keep streams apart.
// - A stream is not safe to share between threads; give each worker its own.
// - `normal` is gsl_ran_gaussian (mean + σ·Z); `lognormal(median:sigmaLn:)` is gsl_ran_lognormal with
//   ζ = ln(median), so ln X ~ N(ln median, σ²).
import CGSL

public final class RandomStream {
    private let rng: UnsafeMutablePointer<gsl_rng>

    /// A MT19937 stream seeded with `seed` (its low 32 bits).
    public init(seed: UInt64) {
        GSL.disableAbortOnError()
        guard let r = gsl_rng_alloc(cgsl_rng_mt19937()) else { fatalError("gsl_rng_alloc failed: out of memory") }
        rng = r
        gsl_rng_set(rng, UInt(truncatingIfNeeded: seed & 0xFFFF_FFFF))
    }

    deinit { gsl_rng_free(rng) }

    /// The seed of block `block` of a computation seeded with `seed`: SplitMix64 (Steele, Lea & Flood
    /// 2014) of both, so that neighbouring blocks get unrelated streams; never 0 in its low 32 bits
    /// (GSL would replace 0 by its default seed).
    public static func seed(_ seed: UInt64, block: Int) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (UInt64(truncatingIfNeeded: block) &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return (z & 0xFFFF_FFFF) == 0 ? z | 1 : z
    }

    /// A uniform number in [0, 1) (gsl_rng_uniform).
    public func uniform() -> Double { gsl_rng_uniform(rng) }

    /// A normal number with the given mean and standard deviation (gsl_ran_gaussian).
    public func normal(mean: Double, sd: Double) -> Double { mean + gsl_ran_gaussian(rng, sd) }

    /// A lognormal number with the given median and σ of its logarithm (gsl_ran_lognormal, ζ = ln median).
    public func lognormal(median: Double, sigmaLn: Double) -> Double { gsl_ran_lognormal(rng, log(median), sigmaLn) }
}

/// The standard normal distribution (gsl_cdf_ugaussian_*).
public enum StandardNormal {
    /// P(Z ≤ x).
    public static func cdf(_ x: Double) -> Double { gsl_cdf_ugaussian_P(x) }
    /// The x with P(Z ≤ x) = p, for p in (0, 1).
    public static func quantile(_ p: Double) -> Double { gsl_cdf_ugaussian_Pinv(p) }
}

/// Sample statistics through GSL.
public enum SampleStatistics {
    /// The p-quantile of data sorted in ascending order (gsl_stats_quantile_from_sorted_data: linear
    /// interpolation between order statistics, x[(n−1)p]; numpy's default "linear" method).
    /// The arithmetic mean (gsl_stats_mean: a running mean, exact for constant data).
    public static func mean(_ data: [Double]) -> Double {
        precondition(!data.isEmpty)
        return data.withUnsafeBufferPointer { gsl_stats_mean($0.baseAddress, 1, $0.count) }
    }

    public static func quantile(sorted data: [Double], _ p: Double) -> Double {
        precondition(!data.isEmpty && p >= 0 && p <= 1)
        return data.withUnsafeBufferPointer { gsl_stats_quantile_from_sorted_data($0.baseAddress, 1, $0.count, p) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
