// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

/// Crank's exact solution for release from a sphere of radius a with uniform initial
/// concentration, constant diffusivity D and zero surface concentration (a perfect sink):
/// J. Crank, The Mathematics of Diffusion, 2nd ed. (1975), eqs. 6.20 and 6.21.
///
/// With τ = D t / a²:
///
///     long-time  (6.20):  M_t/M_∞ = 1 − (6/π²) Σ_{n≥1} n⁻² exp(−n² π² τ)
///     short-time (6.21):  M_t/M_∞ = 6 τ^½ [π^−½ + 2 Σ_{n≥1} ierfc(n/√τ)] − 3τ,
///                         ierfc(x) = e^(−x²)/√π − x erfc(x)
///
/// Both are exact. The long-time series converges slowly for small τ and loses the answer to
/// cancellation (1 − 0.99…), so τ < 0.05 uses the short-time form, whose ierfc terms are
/// below 1e-10 there; each series is summed until its terms fall below 1e-18.
public enum CrankSeries {
    /// τ below which the short-time form is used.
    public static let shortTimeLimit = 0.05

    /// Fraction released M_t/M_∞ at dimensionless time τ = D t/a² (τ ≥ 0).
    public static func sphereSinkFraction(tau: Double) -> Double {
        precondition(tau >= 0 && tau.isFinite, "τ must be finite and ≥ 0")
        if tau == 0 { return 0 }
        return tau < shortTimeLimit ? shortTime(tau: tau) : longTime(tau: tau)
    }

    /// Eq. 6.21, exact for every τ; used below `shortTimeLimit`.
    public static func shortTime(tau: Double) -> Double {
        let s = tau.squareRoot()
        var sum = 0.0
        var n = 1.0
        while true {
            let x = n / s
            let term = exp(-x * x) / Double.pi.squareRoot() - x * erfc(x)
            sum += term
            if abs(term) < 1e-18 || n > 1e6 { break }
            n += 1
        }
        return 6 * s * (1 / Double.pi.squareRoot() + 2 * sum) - 3 * tau
    }

    /// Eq. 6.20, exact for every τ > 0; used from `shortTimeLimit` on.
    public static func longTime(tau: Double) -> Double {
        var sum = 0.0
        var n = 1.0
        while true {
            let term = exp(-n * n * Double.pi * Double.pi * tau) / (n * n)
            sum += term
            if term < 1e-18 || n > 1e7 { break }
            n += 1
        }
        return 1 - 6 / (Double.pi * Double.pi) * sum
    }
}
