// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
import Testing
@testable import GSLKit

private struct ObjectiveFailure: Error, Equatable {
    let marker: Int
}

@Suite("GSLKit minimisers")
struct MinimizerTests {
    @Test("Brent: (x − 2)² + 1 has its minimum 1 at x = 2 (attainable tolerance)")
    func brentParabola() throws {
        let m = try Minimizer.brent(lower: 0, upper: 5, guess: 1, absTol: 1e-7, relTol: 0) { ($0 - 2) * ($0 - 2) + 1 }
        // A minimum is located only to about √ε relative in x; the value is exact to ε.
        #expect(abs(m.x[0] - 2) < 1e-6, "x = \(m.x[0])")
        #expect(abs(m.value - 1) < 1e-12, "f = \(m.value)")
        #expect(m.x.count == 1)
        #expect(m.iterations > 0 && m.functionEvaluations > 0)
    }

    /// GSL's Brent minimiser never shrinks its bracket below about √ε·|x| (it steps by at least
    /// GSL_SQRT_DBL_EPSILON·|x|), and f itself cannot tell x ± √ε·|x| apart near a minimum; so a
    /// stopping test tighter than ~1e-8·|x| can never succeed. The defaults must be attainable.
    @Test("Brent with its default tolerances converges on (x − 2)² + 1 and on (x − 2)²")
    func brentDefaults() throws {
        let m = try Minimizer.brent(lower: 0, upper: 5, guess: 1) { ($0 - 2) * ($0 - 2) + 1 }
        #expect(abs(m.x[0] - 2) < 1e-6, "x = \(m.x[0])")
        let n = try Minimizer.brent(lower: 0, upper: 5, guess: 1) { ($0 - 2) * ($0 - 2) }
        #expect(abs(n.x[0] - 2) < 1e-6, "x = \(n.x[0])")
    }

    @Test("Brent: a guess not below both ends is GSL_EINVAL, not an abort")
    func brentBadGuess() {
        do {
            _ = try Minimizer.brent(lower: 0, upper: 5, guess: 1) { $0 }   // f(guess) = 1 > f(lower) = 0
            Issue.record("expected GSL_EINVAL")
        } catch let e as GSLError {
            #expect(e.name == "GSL_EINVAL")
            #expect(e.code == 4)   // gsl_errno.h: GSL_EINVAL = 4
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(throws: GSLKitError.self) { _ = try Minimizer.brent(lower: 0, upper: 5, guess: 7) { $0 * $0 } }
        #expect(throws: GSLKitError.self) { _ = try Minimizer.brent(lower: 0, upper: .infinity, guess: 1) { $0 * $0 } }
    }

    @Test("Brent: an error thrown by the function comes back unchanged")
    func brentThrows() {
        #expect(throws: ObjectiveFailure(marker: 3)) {
            _ = try Minimizer.brent(lower: 0, upper: 5, guess: 1) { x in
                if x > 1.5 { throw ObjectiveFailure(marker: 3) }
                return (x - 2) * (x - 2)
            }
        }
    }

    @Test("Nelder–Mead: Rosenbrock's function has its minimum 0 at (1, 1)")
    func rosenbrock() throws {
        // f(x, y) = (1 − x)² + 100 (y − x²)², classic start (−1.2, 1).
        let m = try Minimizer.nelderMead(start: [-1.2, 1], steps: [0.5, 0.5], sizeTol: 1e-10, maxIterations: 20_000) { v in
            let (x, y) = (v[0], v[1])
            return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
        }
        #expect(abs(m.x[0] - 1) < 1e-4 && abs(m.x[1] - 1) < 1e-4, "x = \(m.x)")
        #expect(m.value < 1e-8)
    }

    @Test("Nelder–Mead: a quadratic bowl in 4 dimensions")
    func bowl() throws {
        let centre = [1.0, -2.0, 3.0, 0.5]
        // f is 7 + O(δ²): below δ ≈ √ε·7 ≈ 4e-8 it cannot tell points apart, so stop at 1e-7.
        let m = try Minimizer.nelderMead(start: [0, 0, 0, 0], steps: [1, 1, 1, 1], sizeTol: 1e-7) { v in
            var sum = 7.0
            for i in 0..<4 {
                let d: Double = v[i] - centre[i]
                sum += d * d
            }
            return sum
        }
        for i in 0..<4 { #expect(abs(m.x[i] - centre[i]) < 1e-5) }
        #expect(abs(m.value - 7) < 1e-10)
    }

    @Test("Nelder–Mead: errors thrown by the function come back; bad arguments are refused")
    func nelderMeadErrors() {
        #expect(throws: ObjectiveFailure(marker: 4)) {
            _ = try Minimizer.nelderMead(start: [0, 0], steps: [1, 1]) { _ in throw ObjectiveFailure(marker: 4) }
        }
        var calls = 0
        #expect(throws: ObjectiveFailure(marker: 5)) {
            _ = try Minimizer.nelderMead(start: [0, 0], steps: [1, 1]) { v in
                calls += 1
                if calls > 10 { throw ObjectiveFailure(marker: 5) }
                return v[0] * v[0] + v[1] * v[1] + 1
            }
        }
        #expect(throws: GSLKitError.self) { _ = try Minimizer.nelderMead(start: [], steps: []) { _ in 0 } }
        #expect(throws: GSLKitError.self) { _ = try Minimizer.nelderMead(start: [0, 0], steps: [1]) { _ in 0 } }
    }
}
