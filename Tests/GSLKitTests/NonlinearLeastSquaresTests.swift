// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
import Testing
@testable import GSLKit

/// An error a residual or Jacobian closure throws, recognisable when it comes back.
private struct ModelFailure: Error, Equatable {
    let marker: Int
}

/// |a − b| ≤ tol·|b| (b ≠ 0) or |a| ≤ tol (b = 0).
private func close(_ a: Double, _ b: Double, _ tol: Double) -> Bool {
    b == 0 ? abs(a) <= tol : abs(a - b) <= tol * abs(b)
}

/// The exponential model y = A exp(−λt) + b of GSL's manual, x = (A, λ, b), on t_i = 40 i/99.
private enum Exponential {
    static let truth = [5.0, 0.1, 1.0]
    static let t: [Double] = (0..<100).map { 40 * Double($0) / 99 }
    /// Noise-free data from `truth`.
    static let y: [Double] = t.map { truth[0] * exp(-truth[1] * $0) + truth[2] }

    static var residuals: NonlinearResiduals {
        { x, f in for i in 0..<t.count { f[i] = x[0] * exp(-x[1] * t[i]) + x[2] - y[i] } }
    }
    static var jacobian: NonlinearJacobian {
        { x, J in
            for i in 0..<t.count {
                let e = exp(-x[1] * t[i])
                J[i * 3 + 0] = e
                J[i * 3 + 1] = -t[i] * x[0] * e
                J[i * 3 + 2] = 1
            }
        }
    }
}

/// NIST StRD nonlinear regression "Misra1a" (lower difficulty): y = b1 (1 − exp(−b2 x)).
private enum Misra1a {
    static let x: [Double] = [77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0]
    static let y: [Double] = [10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78]
    static let start1 = [500.0, 1e-4]
    // Certified values.
    static let b = [2.3894212918E+02, 5.5015643181E-04]
    static let sd = [2.7070075241E+00, 7.2668688436E-06]
    static let rss = 1.2455138894E-01

    static var residuals: NonlinearResiduals {
        { b, f in for i in 0..<x.count { f[i] = b[0] * (1 - exp(-b[1] * x[i])) - y[i] } }
    }
    static var jacobian: NonlinearJacobian {
        { b, J in
            for i in 0..<x.count {
                let e = exp(-b[1] * x[i])
                J[i * 2 + 0] = 1 - e
                J[i * 2 + 1] = b[0] * x[i] * e
            }
        }
    }
}

@Suite("GSLKit nonlinear least squares (gsl_multifit_nlinear)")
struct NonlinearLeastSquaresTests {
    // A straight line y = a + c t with unequal weights: the closed-form weighted solution.
    static let lineT: [Double] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    static let lineY: [Double] = [2.1, 2.4, 3.2, 3.4, 4.1, 4.4, 5.2, 5.3, 6.1, 6.6]
    static let lineW: [Double] = [1, 4, 0.25, 2, 1, 0.5, 3, 1, 1.5, 0.8]

    @Test("a straight line fitted by the nonlinear solver equals the weighted normal-equation solution; covariance = (XᵀWX)⁻¹",
          arguments: NonlinearLeastSquares.Method.allCases)
    func linearModel(method: NonlinearLeastSquares.Method) throws {
        let t = Self.lineT, y = Self.lineY, w = Self.lineW, n = t.count
        // Normal equations by hand: [S Sx; Sx Sxx] (a, c) = (Sy, Sxy).
        var S = 0.0, Sx = 0.0, Sxx = 0.0, Sy = 0.0, Sxy = 0.0
        for i in 0..<n {
            S += w[i]; Sx += w[i] * t[i]; Sxx += w[i] * t[i] * t[i]; Sy += w[i] * y[i]; Sxy += w[i] * t[i] * y[i]
        }
        let det = S * Sxx - Sx * Sx
        let a = (Sxx * Sy - Sx * Sxy) / det, c = (S * Sxy - Sx * Sy) / det
        let cov = [[Sxx / det, -Sx / det], [-Sx / det, S / det]]
        var chi2 = 0.0
        for i in 0..<n { chi2 += w[i] * (a + c * t[i] - y[i]) * (a + c * t[i] - y[i]) }

        let r = try NonlinearLeastSquares.fit(
            initial: [-3, 10], residualCount: n, weights: w, options: .init(method: method),
            residuals: { x, f in for i in 0..<n { f[i] = x[0] + x[1] * t[i] - y[i] } },
            jacobian: { _, J in for i in 0..<n { J[i * 2] = 1; J[i * 2 + 1] = t[i] } })
        #expect(close(r.parameters[0], a, 1e-10), "a = \(r.parameters[0]) vs \(a)")
        #expect(close(r.parameters[1], c, 1e-10), "c = \(r.parameters[1]) vs \(c)")
        for i in 0..<2 { for j in 0..<2 { #expect(close(r.covariance[i][j], cov[i][j], 1e-10), "cov[\(i)][\(j)]") } }
        #expect(close(r.chiSquared, chi2, 1e-10))
        #expect(r.degreesOfFreedom == n - 2)
        #expect(r.residuals.count == n && r.jacobian.count == n && r.jacobian.allSatisfy { $0.count == 2 })
        for i in 0..<n {
            #expect(close(r.residuals[i], w[i].squareRoot() * (a + c * t[i] - y[i]), 1e-8))
            #expect(close(r.jacobian[i][0], w[i].squareRoot(), 1e-15) && close(r.jacobian[i][1], w[i].squareRoot() * t[i], 1e-15))
        }
        #expect(abs(r.residuals.reduce(0) { $0 + $1 * $1 } - r.chiSquared) <= 1e-14 * r.chiSquared)
        #expect(r.iterations >= 1 && r.jacobianEvaluations >= 1 && r.functionEvaluations >= r.iterations)
        let k = try #require(r.conditionNumber)
        #expect(k >= 1 && k.isFinite)
    }

    @Test("the straight line with GSL's finite-difference Jacobian agrees to the accuracy of forward differences")
    func linearModelFiniteDifferences() throws {
        let t = Self.lineT, y = Self.lineY, w = Self.lineW, n = t.count
        let exact = try NonlinearLeastSquares.fit(
            initial: [0, 0], residualCount: n, weights: w,
            residuals: { x, f in for i in 0..<n { f[i] = x[0] + x[1] * t[i] - y[i] } },
            jacobian: { _, J in for i in 0..<n { J[i * 2] = 1; J[i * 2 + 1] = t[i] } })
        let fd = try NonlinearLeastSquares.fit(
            initial: [0, 0], residualCount: n, weights: w,
            residuals: { x, f in for i in 0..<n { f[i] = x[0] + x[1] * t[i] - y[i] } })
        #expect(fd.jacobianEvaluations == 0)
        for j in 0..<2 { #expect(close(fd.parameters[j], exact.parameters[j], 1e-6)) }
        for i in 0..<2 { for j in 0..<2 { #expect(close(fd.covariance[i][j], exact.covariance[i][j], 1e-6)) } }
    }

    @Test("exponential y = 5 exp(−0.1 t) + 1 (noise-free) is recovered to 1e-8 from (1, 1, 0), with and without a Jacobian",
          arguments: NonlinearLeastSquares.Method.allCases, [true, false])
    func exponential(method: NonlinearLeastSquares.Method, analytic: Bool) throws {
        let r = try NonlinearLeastSquares.fit(
            initial: [1, 1, 0], residualCount: Exponential.t.count, options: .init(method: method),
            residuals: Exponential.residuals, jacobian: analytic ? Exponential.jacobian : nil)
        for j in 0..<3 { #expect(close(r.parameters[j], Exponential.truth[j], 1e-8), "\(method) \(analytic): \(r.parameters)") }
        #expect(r.chiSquared < 1e-16)
        #expect(r.degreesOfFreedom == 97)
        #expect(analytic ? r.jacobianEvaluations > 0 : r.jacobianEvaluations == 0)
    }

    @Test("NIST StRD Misra1a from start 1: certified parameters, residual sum of squares and standard deviations",
          arguments: NonlinearLeastSquares.Method.allCases, [true, false])
    func misra1a(method: NonlinearLeastSquares.Method, analytic: Bool) throws {
        let r = try NonlinearLeastSquares.fit(
            initial: Misra1a.start1, residualCount: Misra1a.x.count, options: .init(method: method, maxIterations: 1000),
            residuals: Misra1a.residuals, jacobian: analytic ? Misra1a.jacobian : nil)
        // ≥ 6 significant digits of the certified values.
        for j in 0..<2 { #expect(close(r.parameters[j], Misra1a.b[j], 1e-6), "\(method) \(analytic): b\(j + 1) = \(r.parameters[j])") }
        #expect(close(r.chiSquared, Misra1a.rss, 1e-6), "RSS = \(r.chiSquared)")
        #expect(r.degreesOfFreedom == 12)
        // Certified standard deviations: sqrt(diag(cov) · RSS/(n − p)).
        for j in 0..<2 {
            let sd = (r.covariance[j][j] * r.chiSquared / Double(r.degreesOfFreedom)).squareRoot()
            #expect(close(sd, Misra1a.sd[j], 1e-6), "\(method) \(analytic): sd\(j + 1) = \(sd)")
        }
        #expect(r.covariance[0][1] == r.covariance[1][0])
    }

    @Test("eight fits on concurrent tasks all reach the certified Misra1a values (no shared state)")
    func concurrentFits() async throws {
        let results = try await withThrowingTaskGroup(of: NonlinearLeastSquares.Result.self) { group in
            for k in 0..<8 {
                group.addTask {
                    try NonlinearLeastSquares.fit(
                        initial: Misra1a.start1, residualCount: Misra1a.x.count,
                        options: .init(method: NonlinearLeastSquares.Method.allCases[k % 3]),
                        residuals: Misra1a.residuals, jacobian: Misra1a.jacobian)
                }
            }
            var all: [NonlinearLeastSquares.Result] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 8)
        for r in results { for j in 0..<2 { #expect(close(r.parameters[j], Misra1a.b[j], 1e-6)) } }
    }

    @Test("a start that already fits exactly converges at once on the gradient test")
    func startAtSolution() throws {
        let r = try NonlinearLeastSquares.fit(
            initial: Exponential.truth, residualCount: Exponential.t.count,
            residuals: Exponential.residuals, jacobian: Exponential.jacobian)
        #expect(r.parameters == Exponential.truth)
        #expect(r.iterations == 0 && r.convergence == .smallGradient && r.conditionNumber == nil)
        #expect(r.chiSquared == 0)
    }

    @Test("a residual that becomes NaN on the way stops the fit with the entry and parameters; no result",
          arguments: [true, false])
    func nanResidual(analytic: Bool) {
        // NaN once λ < 0.5: the path from λ = 1 to 0.1 must cross it.
        let broken: NonlinearResiduals = { x, f in
            try Exponential.residuals(x, f)
            if x[1] < 0.5 { f[7] = .nan }
        }
        do {
            let r = try NonlinearLeastSquares.fit(initial: [1, 1, 0], residualCount: Exponential.t.count,
                                                  residuals: broken, jacobian: analytic ? Exponential.jacobian : nil)
            Issue.record("a result came from a NaN model: \(r.parameters)")
        } catch let NonlinearLeastSquaresError.nonFiniteResidual(index, value, parameters) {
            #expect(index == 7 && value.isNaN)
            #expect(parameters.count == 3 && parameters[1] < 0.5)
            let e = NonlinearLeastSquaresError.nonFiniteResidual(index: index, value: value, parameters: parameters)
            #expect(e.description.contains("residual 7 is nan at parameters ["), "\(e)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("NaN or ∞ at the initial parameters, an unwritten residual, a NaN Jacobian: errors, no result")
    func otherNonFinite() {
        let n = Exponential.t.count
        #expect {
            _ = try NonlinearLeastSquares.fit(initial: [1, 1, 0], residualCount: n) { x, f in
                try Exponential.residuals(x, f); f[0] = .infinity
            }
        } throws: { e in
            guard case let .nonFiniteResidual(0, v, x)? = e as? NonlinearLeastSquaresError else { return false }
            return v == .infinity && x == [1, 1, 0]
        }
        // The closure writes only n − 1 entries: the last one is reported, not taken as 0 or garbage.
        #expect {
            _ = try NonlinearLeastSquares.fit(initial: [1, 1, 0], residualCount: n) { x, f in
                for i in 0..<(n - 1) { f[i] = x[0] * exp(-x[1] * Exponential.t[i]) + x[2] - Exponential.y[i] }
            }
        } throws: { e in
            guard case let .nonFiniteResidual(i, v, _)? = e as? NonlinearLeastSquaresError else { return false }
            return i == n - 1 && v.isNaN
        }
        #expect {
            _ = try NonlinearLeastSquares.fit(initial: [1, 1, 0], residualCount: n, residuals: Exponential.residuals,
                                              jacobian: { x, J in try Exponential.jacobian(x, J); if x[1] < 0.9 { J[5 * 3 + 1] = .nan } })
        } throws: { e in
            guard case let .nonFiniteJacobian(5, 1, v, x)? = e as? NonlinearLeastSquaresError else { return false }
            return v.isNaN && x[1] < 0.9
        }
    }

    @Test("an error thrown by the residual or the Jacobian closure comes back unchanged",
          arguments: NonlinearLeastSquares.Method.allCases)
    func throwingCallbacks(method: NonlinearLeastSquares.Method) {
        let n = Exponential.t.count
        #expect(throws: ModelFailure(marker: 1)) {
            _ = try NonlinearLeastSquares.fit(initial: [1, 1, 0], residualCount: n, options: .init(method: method)) { _, _ in
                throw ModelFailure(marker: 1)
            }
        }
        var calls = 0
        #expect(throws: ModelFailure(marker: 2)) {
            _ = try NonlinearLeastSquares.fit(initial: [1, 1, 0], residualCount: n, options: .init(method: method)) { x, f in
                calls += 1
                if calls > 20 { throw ModelFailure(marker: 2) }
                try Exponential.residuals(x, f)
            }
        }
        #expect(calls == 21, "the fit went on after the closure threw: \(calls) calls")
        var jacobianCalls = 0
        #expect(throws: ModelFailure(marker: 3)) {
            _ = try NonlinearLeastSquares.fit(initial: [1, 1, 0], residualCount: n, options: .init(method: method),
                                              residuals: Exponential.residuals,
                                              jacobian: { x, J in
                                                  jacobianCalls += 1
                                                  if jacobianCalls > 2 { throw ModelFailure(marker: 3) }
                                                  try Exponential.jacobian(x, J)
                                              })
        }
    }

    @Test("invalid input is refused before GSL is called: n < p, zero or bad weights, NaN start, bad options")
    func invalidInput() {
        let res: NonlinearResiduals = { x, f in for i in 0..<f.count { f[i] = x[0] - Double(i) } }
        func refused(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                try body()
                Issue.record("accepted", sourceLocation: sourceLocation)
            } catch let e as GSLKitError {
                guard case .invalidArgument = e else { Issue.record("\(e)", sourceLocation: sourceLocation); return }
            } catch {
                Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            }
        }
        refused { _ = try NonlinearLeastSquares.fit(initial: [1, 2, 3], residualCount: 2, residuals: res) }   // n < p
        refused { _ = try NonlinearLeastSquares.fit(initial: [], residualCount: 2, residuals: res) }          // p = 0
        refused { _ = try NonlinearLeastSquares.fit(initial: [1], residualCount: 3, weights: [1, 0, 1], residuals: res) }
        refused { _ = try NonlinearLeastSquares.fit(initial: [1], residualCount: 3, weights: [1, -1, 1], residuals: res) }
        refused { _ = try NonlinearLeastSquares.fit(initial: [1], residualCount: 3, weights: [1, .nan, 1], residuals: res) }
        refused { _ = try NonlinearLeastSquares.fit(initial: [1], residualCount: 3, weights: [1, .infinity, 1], residuals: res) }
        refused { _ = try NonlinearLeastSquares.fit(initial: [1], residualCount: 3, weights: [1, 1], residuals: res) }
        refused { _ = try NonlinearLeastSquares.fit(initial: [.nan], residualCount: 3, residuals: res) }
        refused { _ = try NonlinearLeastSquares.fit(initial: [1, .infinity], residualCount: 3, residuals: res) }
        refused { _ = try NonlinearLeastSquares.fit(initial: [1], residualCount: 3, options: .init(maxIterations: 0), residuals: res) }
        refused { _ = try NonlinearLeastSquares.fit(initial: [1], residualCount: 3, options: .init(xtol: -1), residuals: res) }
        refused { _ = try NonlinearLeastSquares.fit(initial: [1], residualCount: 3, options: .init(gtol: .nan), residuals: res) }
        refused { _ = try NonlinearLeastSquares.fit(initial: [1], residualCount: 3, options: .init(finiteDifferenceStep: 0), residuals: res) }
        // The closure is never called for invalid input.
        var called = false
        refused { _ = try NonlinearLeastSquares.fit(initial: [1], residualCount: 3, weights: [0, 1, 1]) { _, _ in called = true } }
        #expect(!called)
        // n = p is allowed (an exact fit).
        #expect(throws: Never.self) { _ = try NonlinearLeastSquares.fit(initial: [1], residualCount: 1, residuals: res) }
    }

    @Test("the iteration limit is an error saying so, not a result")
    func maxIterations() {
        #expect(throws: GSLKitError.noConvergence(what: "nonlinear least-squares fit (levenbergMarquardt)", iterations: 2)) {
            _ = try NonlinearLeastSquares.fit(initial: [1, 1, 0], residualCount: Exponential.t.count,
                                              options: .init(maxIterations: 2),
                                              residuals: Exponential.residuals, jacobian: Exponential.jacobian)
        }
        let e = GSLKitError.noConvergence(what: "nonlinear least-squares fit (levenbergMarquardt)", iterations: 2)
        #expect(e.description == "nonlinear least-squares fit (levenbergMarquardt) did not converge in 2 iterations")
    }

    @Test("a parameter the model does not depend on: rank-deficient Jacobian error, not a zero variance")
    func rankDeficient() {
        let y = Self.lineY, n = y.count
        #expect {
            _ = try NonlinearLeastSquares.fit(
                initial: [0, 0], residualCount: n,
                residuals: { x, f in for i in 0..<n { f[i] = x[0] + 0 * x[1] - y[i] } },
                jacobian: { _, J in for i in 0..<n { J[i * 2] = 1; J[i * 2 + 1] = 0 } })
        } throws: { e in
            guard case let .rankDeficientJacobian(rank, p, _)? = e as? NonlinearLeastSquaresError else { return false }
            return rank == 1 && p == 2
        }
    }
}
