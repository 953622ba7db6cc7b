// SPDX-License-Identifier: GPL-3.0-or-later
@testable import Chemoembolization
@testable import GSLKit
import Testing

/// The peak search of `ElutionModel.peak(of:in:)` on hand-made trajectories, against the maximum of
/// the cubic Hermite interpolant found in closed form (the root of its derivative, a quadratic).
@Suite("DEB peak search")
struct PeakSearchTests {
    /// A one-component trajectory with the given step ends, values and slopes.
    func trajectory(_ t: [Double], _ y: [Double], _ f: [Double]) -> ODETrajectory {
        var traj = ODETrajectory(dimension: 1, capacity: t.count)
        for k in t.indices {
            var yk = y[k], fk = f[k]
            traj.append(t[k], &yk, &fk)
        }
        return traj
    }

    /// The maximum of the cubic Hermite interpolant on [t0, t0 + h] (values y0, y1, slopes f0, f1),
    /// from p'(s) = a s² + b s + c = 0 in s = (t − t0)/h, checked at the roots in [0, 1] and at the ends.
    func hermiteMaximum(t0: Double, h: Double, y0: Double, y1: Double, f0: Double, f1: Double) -> (t: Double, value: Double) {
        func p(_ s: Double) -> Double {
            (2 * s * s * s - 3 * s * s + 1) * y0 + (s * s * s - 2 * s * s + s) * h * f0
                + (-2 * s * s * s + 3 * s * s) * y1 + (s * s * s - s * s) * h * f1
        }
        // p'(s) = (6s² − 6s) y0 + (3s² − 4s + 1) h f0 + (−6s² + 6s) y1 + (3s² − 2s) h f1
        let a = 6 * y0 + 3 * h * f0 - 6 * y1 + 3 * h * f1
        let b = -6 * y0 - 4 * h * f0 + 6 * y1 - 2 * h * f1
        let c = h * f0
        var candidates: [Double] = [0, 1]
        let disc = b * b - 4 * a * c
        if disc >= 0 {
            for r in [(-b + disc.squareRoot()) / (2 * a), (-b - disc.squareRoot()) / (2 * a)] where r >= 0 && r <= 1 {
                candidates.append(r)
            }
        }
        let s = candidates.max { p($0) < p($1) }!
        return (t0 + s * h, p(s))
    }

    @Test("slopes that do not change sign at the largest step end: GSL's Brent minimiser finds the interpolant's maximum")
    func minimiserFallback() throws {
        // Largest step end 1.2 at t = 2, still rising there (f = 0.5) and at t = 3 (f = 0.1, no sign change),
        // yet the cubic on [2, 3] turns over between them and falls to 0.
        let traj = trajectory([0, 1, 2, 3, 4], [0, 1, 1.2, 0, -0.5], [1, 0.3, 0.5, 0.1, -0.1])
        let found = try ElutionModel.peak(of: 0, in: traj)
        let truth = hermiteMaximum(t0: 2, h: 1, y0: 1.2, y1: 0, f0: 0.5, f1: 0.1)
        #expect(truth.t > 2 && truth.t < 3 && truth.value > 1.2)
        #expect(abs(found.t - truth.t) < 1e-6, "peak time \(found.t) against \(truth.t)")
        #expect(abs(found.value - truth.value) < 1e-12, "peak \(found.value) against \(truth.value)")
    }

    @Test("a sign change of the slope after the largest step end: Brent's root finder on the interpolant's derivative")
    func rootFinderPath() throws {
        let traj = trajectory([0, 1, 2, 3], [0, 1, 0.8, 0.1], [2, 0.4, -0.6, -0.2])
        let found = try ElutionModel.peak(of: 0, in: traj)
        let truth = hermiteMaximum(t0: 1, h: 1, y0: 1, y1: 0.8, f0: 0.4, f1: -0.6)
        #expect(abs(found.t - truth.t) < 1e-10 && abs(found.value - truth.value) < 1e-12, "\(found) against \(truth)")
    }

    @Test("a flat top (a neighbour equal to the largest step end) and a maximum at either end are returned as step ends")
    func stepEnds() throws {
        let flat = trajectory([0, 1, 2, 3], [0, 1, 1, 0], [1, 0.5, 0.5, -1])
        let f = try ElutionModel.peak(of: 0, in: flat)
        #expect(f.value == 1 && (f.t == 1 || f.t == 2))
        let atEnd = trajectory([0, 1, 2], [0, 1, 2], [1, 1, 1])
        #expect(try ElutionModel.peak(of: 0, in: atEnd) == (t: 2, value: 2))
        let atStart = trajectory([0, 1, 2], [3, 1, 0], [-1, -1, -1])
        #expect(try ElutionModel.peak(of: 0, in: atStart) == (t: 0, value: 3))
    }
}
