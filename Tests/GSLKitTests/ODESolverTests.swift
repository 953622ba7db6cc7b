// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
import Testing
@testable import GSLKit

/// An error a right-hand side throws, recognisable when it comes back.
private struct RHSFailure: Error, Equatable {
    let marker: Int
}

/// A switch the closures read, so that one solver can fail and then be reused.
private final class Switch {
    var on = true
}

/// Y-90 decay constant λ = ln 2 / 64.1 h (half-life: TheraSphere US package insert; ICRP Publication 107, 64.10 h).
private let y90HalfLifeH = 64.1
private let lambdaY90 = M_LN2 / y90HalfLifeH

private func decaySolver(_ method: ODEMethod = .rk8pd, tol: Double = 1e-12, maxSteps: Int = 0) throws -> ODESolver {
    try ODESolver(dimension: 1, method: method, absTol: tol, relTol: tol, maxSteps: maxSteps,
                  rhs: { _, y, dydt in dydt[0] = -lambdaY90 * y[0] },
                  jacobian: { _, _, dfdy, dfdt in dfdy[0] = -lambdaY90; dfdt[0] = 0 })
}

// Stiff linear system with eigenvalues −1 and −1000:
//   y1' =  998 y1 + 1998 y2,  y2' = −999 y1 − 1999 y2,  y(0) = (1, 0).
// Eigenvectors (2, −1) for −1 and (1, −1) for −1000; y(0) = (2, −1) − (1, −1), so
//   y1 = 2 e^(−t) − e^(−1000 t),  y2 = −e^(−t) + e^(−1000 t).
private func stiffLinearRHS(_ t: Double, _ y: UnsafeBufferPointer<Double>, _ f: UnsafeMutableBufferPointer<Double>) {
    f[0] = 998 * y[0] + 1998 * y[1]
    f[1] = -999 * y[0] - 1999 * y[1]
}

private func stiffLinearJacobian(_ t: Double, _ y: UnsafeBufferPointer<Double>, _ j: UnsafeMutableBufferPointer<Double>,
                                 _ dfdt: UnsafeMutableBufferPointer<Double>) {
    j[0] = 998; j[1] = 1998
    j[2] = -999; j[3] = -1999
    dfdt[0] = 0; dfdt[1] = 0
}

// Robertson's chemical kinetics (Robertson 1966; Hairer & Wanner, Solving ODEs II, §IV.1):
//   y1' = −0.04 y1 + 1e4 y2 y3,  y2' = 0.04 y1 − 1e4 y2 y3 − 3e7 y2²,  y3' = 3e7 y2²,  y(0) = (1, 0, 0).
private func robertsonRHS(_ t: Double, _ y: UnsafeBufferPointer<Double>, _ f: UnsafeMutableBufferPointer<Double>) {
    f[0] = -0.04 * y[0] + 1e4 * y[1] * y[2]
    f[2] = 3e7 * y[1] * y[1]
    f[1] = -f[0] - f[2]
}

private func robertsonJacobian(_ t: Double, _ y: UnsafeBufferPointer<Double>, _ j: UnsafeMutableBufferPointer<Double>,
                               _ dfdt: UnsafeMutableBufferPointer<Double>) {
    j[0] = -0.04; j[1] = 1e4 * y[2]; j[2] = 1e4 * y[1]
    j[3] = 0.04; j[4] = -1e4 * y[2] - 6e7 * y[1]; j[5] = -1e4 * y[1]
    j[6] = 0; j[7] = 6e7 * y[1]; j[8] = 0
    dfdt[0] = 0; dfdt[1] = 0; dfdt[2] = 0
}

@Suite("GSLKit ODE solver")
struct ODESolverTests {
    @Test("y' = −λy over one Y-90 half-life with rk8pd gives 0.5 within 1e-10")
    func y90HalfLife() throws {
        let s = try decaySolver()
        var y = [1.0]
        try s.integrate(&y, from: 0, to: y90HalfLifeH)
        #expect(abs(y[0] - 0.5) < 1e-10, "y(T½) = \(y[0])")
    }

    @Test("every explicit method decays e^(−λt) correctly", arguments: [ODEMethod.rk8pd, .rkf45, .rkck, .msadams])
    func explicitMethods(method: ODEMethod) throws {
        #expect(!method.needsJacobian)
        let s = try ODESolver(dimension: 1, method: method, absTol: 1e-12, relTol: 1e-12,
                              rhs: { _, y, dydt in dydt[0] = -lambdaY90 * y[0] })
        var y = [3.0]
        try s.integrate(&y, from: 0, to: 200)
        let exact = 3 * exp(-lambdaY90 * 200)   // 3 × 2^(−200/64.1)
        #expect(abs(y[0] - exact) / exact < 1e-8, "\(method): \(y[0]) vs \(exact)")
    }

    @Test("stiff 2×2 linear system with an analytic Jacobian matches its closed form",
          arguments: [ODEMethod.msbdf, .bsimp, .rk4imp])
    func stiffLinear(method: ODEMethod) throws {
        #expect(method.needsJacobian)
        let s = try ODESolver(dimension: 2, method: method, absTol: 1e-12, relTol: 1e-9,
                              rhs: { t, y, f in stiffLinearRHS(t, y, f) },
                              jacobian: { t, y, j, d in stiffLinearJacobian(t, y, j, d) })
        let sol = try s.solve(from: 0, y0: [1, 0], times: [0.01, 0.1, 1, 5])
        for (t, y) in zip(sol.times, sol.states) {
            let y1 = 2 * exp(-t) - exp(-1000 * t), y2 = -exp(-t) + exp(-1000 * t)
            #expect(abs(y[0] - y1) <= 1e-6 * max(1, abs(y1)), "\(method) y1(\(t)) = \(y[0]) vs \(y1)")
            #expect(abs(y[1] - y2) <= 1e-6 * max(1, abs(y2)), "\(method) y2(\(t)) = \(y[1]) vs \(y2)")
        }
    }

    @Test("Robertson with msbdf and the analytic Jacobian matches the published values at t = 40")
    func robertson() throws {
        let s = try ODESolver(dimension: 3, method: .msbdf, absTol: 1e-14, relTol: 1e-9, initialStep: 1e-8,
                              rhs: { t, y, f in robertsonRHS(t, y, f) },
                              jacobian: { t, y, j, d in robertsonJacobian(t, y, j, d) })
        var y = [1.0, 0, 0]
        try s.integrate(&y, from: 0, to: 40)
        // Reference solution at t = 40 from a high-accuracy integration (the values SUNDIALS'
        // cvRoberts_dns example prints to 7 digits: 7.158271e-01, 9.185535e-06, 2.841637e-01).
        let reference = [0.7158270687194034, 9.18553476455778e-06, 0.28416374574582903]
        for i in 0..<3 {
            #expect(abs(y[i] - reference[i]) / reference[i] < 1e-6, "y\(i + 1)(40) = \(y[i]) vs \(reference[i])")
        }
        // Mass is conserved: y1 + y2 + y3 = 1.
        #expect(abs(y[0] + y[1] + y[2] - 1) < 1e-9)
        #expect(s.statistics.jacobianEvaluations > 0)
    }

    @Test("a throwing right-hand side: the original error comes back with the time reached, no abort")
    func throwingRHS() throws {
        let failing = Switch()
        let s = try ODESolver(dimension: 1, method: .rk8pd, timeUnit: "h", rhs: { t, y, dydt in
            if failing.on && t > 0.5 { throw RHSFailure(marker: 42) }
            dydt[0] = -y[0]
        })
        var y = [1.0]
        do {
            try s.integrate(&y, from: 0, to: 1)
            Issue.record("integration should have failed")
        } catch let e as SolverFailure {
            #expect(e.underlying as? RHSFailure == RHSFailure(marker: 42), "underlying: \(String(describing: e.underlying))")
            // The failing evaluation lies past 0.5, inside a step that starts at or before 0.5.
            let reached = try #require(e.tReached)
            #expect(reached >= 0 && reached <= 0.5, "tReached = \(reached)")
            guard case let .rightHandSideFailed(t) = e.reason else { Issue.record("reason \(e.reason)"); return }
            #expect(t > 0.5 && t >= reached, "evaluated at \(t)")
            #expect(e.description.hasPrefix("the ODE solver could not continue at t = "), "\(e)")
            #expect(e.description.contains(" h: the right-hand side failed at t = "), "\(e)")
            #expect(!e.description.contains("\n"))
            // The state left in y is the last accepted one, at tReached.
            #expect(abs(y[0] - exp(-reached)) < 1e-9, "y = \(y[0]) at \(reached)")
        }
        // The same solver is usable afterwards: e^(−1) from a fresh start.
        failing.on = false
        var z = [1.0]
        try s.integrate(&z, from: 0, to: 1)
        #expect(abs(z[0] - exp(-1.0)) < 1e-9)
    }

    @Test("a throwing Jacobian is rethrown as well")
    func throwingJacobian() throws {
        let s = try ODESolver(dimension: 1, method: .msbdf, rhs: { _, y, dydt in dydt[0] = -y[0] },
                              jacobian: { _, _, _, _ in throw RHSFailure(marker: 7) })
        var y = [1.0]
        do {
            try s.integrate(&y, from: 0, to: 1)
            Issue.record("integration should have failed")
        } catch let e as SolverFailure {
            #expect(e.underlying as? RHSFailure == RHSFailure(marker: 7), "underlying: \(String(describing: e.underlying))")
            guard case .jacobianFailed = e.reason else { Issue.record("reason \(e.reason)"); return }
        }
    }

    @Test("exceeding maxSteps throws a step-limit SolverFailure")
    func maxSteps() throws {
        let s = try decaySolver(tol: 1e-12, maxSteps: 5)
        var y = [1.0]
        do {
            try s.integrate(&y, from: 0, to: 1000)
            Issue.record("5 steps cannot cover 1000 h at 1e-12")
        } catch let e as SolverFailure {
            #expect(e.reason == .stepLimit(steps: 5))
            let reached = try #require(e.tReached)
            #expect(reached > 0 && reached < 1000)
            #expect(e.description.contains("within 5 steps"))
            // y holds the state at tReached.
            #expect(abs(y[0] - exp(-lambdaY90 * reached)) < 1e-10)
        }
    }

    @Test("an implicit method without a Jacobian is refused", arguments: [ODEMethod.msbdf, .bsimp, .rk4imp])
    func implicitNeedsJacobian(method: ODEMethod) {
        #expect(throws: GSLKitError.self) {
            _ = try ODESolver(dimension: 1, method: method, rhs: { _, y, dydt in dydt[0] = -y[0] })
        }
        do {
            _ = try ODESolver(dimension: 1, method: method, rhs: { _, y, dydt in dydt[0] = -y[0] })
        } catch let e as GSLKitError {
            guard case .invalidArgument = e else { Issue.record("expected invalidArgument, got \(e)"); return }
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("invalid construction and integration arguments are refused")
    func invalidArguments() throws {
        let rhs: ODERightHandSide = { _, y, dydt in dydt[0] = -y[0] }
        #expect(throws: GSLKitError.self) { _ = try ODESolver(dimension: 0, rhs: rhs) }
        #expect(throws: GSLKitError.self) { _ = try ODESolver(dimension: 1, absTol: 0, relTol: 0, rhs: rhs) }
        #expect(throws: GSLKitError.self) { _ = try ODESolver(dimension: 1, absTol: -1, rhs: rhs) }
        #expect(throws: GSLKitError.self) { _ = try ODESolver(dimension: 1, relTol: .nan, rhs: rhs) }
        #expect(throws: GSLKitError.self) { _ = try ODESolver(dimension: 1, initialStep: 0, rhs: rhs) }
        let s = try ODESolver(dimension: 1, rhs: rhs)
        var wrong = [1.0, 2.0]
        #expect(throws: GSLKitError.self) { try s.integrate(&wrong, from: 0, to: 1) }
        var y = [1.0]
        #expect(throws: GSLKitError.self) { try s.integrate(&y, from: 1, to: 0) }
        #expect(throws: GSLKitError.self) { try s.integrate(&y, from: 0, to: .infinity) }
        #expect(throws: GSLKitError.self) { _ = try s.solve(from: 0, y0: [1], times: [2, 1]) }
        #expect(throws: GSLKitError.self) { _ = try s.solve(from: 5, y0: [1], times: [1]) }
        // t1 == t0 is a no-op.
        try s.integrate(&y, from: 3, to: 3)
        #expect(y == [1.0])
    }

    @Test("reuse after reset gives bit-identical results")
    func resetIsBitIdentical() throws {
        let times = [0.5, 1, 10, 64.1, 200]
        let s = try ODESolver(dimension: 2, method: .msbdf, absTol: 1e-12, relTol: 1e-9,
                              rhs: { t, y, f in stiffLinearRHS(t, y, f) },
                              jacobian: { t, y, j, d in stiffLinearJacobian(t, y, j, d) })
        let first = try s.solve(from: 0, y0: [1, 0], times: times)
        let second = try s.solve(from: 0, y0: [1, 0], times: times)
        #expect(first.states == second.states)
        #expect(first.statistics == second.statistics)
        // integrate → reset → integrate, and a fresh solver: the same bits.
        var a = [1.0, 0.0]
        try s.reset()
        try s.integrate(&a, from: 0, to: 64.1)
        try s.reset()
        var b = [1.0, 0.0]
        try s.integrate(&b, from: 0, to: 64.1)
        #expect(a == b)
        let fresh = try ODESolver(dimension: 2, method: .msbdf, absTol: 1e-12, relTol: 1e-9,
                                  rhs: { t, y, f in stiffLinearRHS(t, y, f) },
                                  jacobian: { t, y, j, d in stiffLinearJacobian(t, y, j, d) })
        var c = [1.0, 0.0]
        try fresh.integrate(&c, from: 0, to: 64.1)
        #expect(a == c)
    }

    @Test("solve(times:) returns one state per time, each on the exact curve, with statistics")
    func solveAtTimes() throws {
        let s = try decaySolver()
        let times = [0, 1, 2, 5, 10, 64.1, 128.2, 500]
        let sol = try s.solve(from: 0, y0: [2], times: times)
        #expect(sol.times == times)
        #expect(sol.states.count == times.count)
        for (t, y) in zip(times, sol.states) {
            #expect(y.count == 1)
            let exact = 2 * pow(2, -t / y90HalfLifeH)
            #expect(abs(y[0] - exact) <= 1e-10 * 2, "y(\(t)) = \(y[0]) vs \(exact)")
        }
        #expect(sol.statistics.rhsEvaluations > 0)
        #expect(sol.statistics.steps > 0)
        #expect(s.statistics.rhsEvaluations == sol.statistics.rhsEvaluations)
        try s.reset()
        #expect(s.statistics.rhsEvaluations == 0)
        #expect(s.statistics.jacobianEvaluations == 0)
    }

    @Test("the Jacobian is used by msbdf and counted")
    func jacobianStatistics() throws {
        let s = try ODESolver(dimension: 2, method: .msbdf, absTol: 1e-12, relTol: 1e-9,
                              rhs: { t, y, f in stiffLinearRHS(t, y, f) },
                              jacobian: { t, y, j, d in stiffLinearJacobian(t, y, j, d) })
        let sol = try s.solve(from: 0, y0: [1, 0], times: [1])
        #expect(sol.statistics.jacobianEvaluations > 0)
        #expect(sol.statistics.rhsEvaluations > 0)
        #expect(sol.statistics.steps > 0)
    }

    @Test("solvers in parallel tasks do not disturb each other")
    func parallelSolvers() async throws {
        try await withThrowingTaskGroup(of: Double.self) { group in
            for k in 1...8 {
                group.addTask {
                    let rate = Double(k) * 0.1
                    let s = try ODESolver(dimension: 1, absTol: 1e-12, relTol: 1e-12,
                                          rhs: { _, y, dydt in dydt[0] = -rate * y[0] })
                    var y = [1.0]
                    try s.integrate(&y, from: 0, to: 3)
                    return abs(y[0] - exp(-rate * 3))
                }
            }
            for try await err in group { #expect(err < 1e-10) }
        }
    }
}
