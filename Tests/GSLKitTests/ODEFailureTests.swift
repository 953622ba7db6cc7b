// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
import Testing
@testable import GSLKit

/// An error a right-hand side throws, recognisable when it comes back.
private struct Broken: Error, Equatable, CustomStringConvertible {
    let marker: Int
    var description: String { "broken model \(marker)\nsecond line that must not reach the message" }
}

/// The first line of the failure's description must be all of it.
private func expectOneLine(_ e: SolverFailure, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(!e.description.contains("\n"), "\(e.description)", sourceLocation: sourceLocation)
    #expect(!e.description.isEmpty, sourceLocation: sourceLocation)
}

@Suite("GSLKit ODE failures: non-finite states, failing callbacks, one error type")
struct ODEFailureTests {
    /// y' = −y, but NaN once t > 1 (a deliberately broken model).
    static var nanAfterOne: ODERightHandSide { { t, y, dydt in dydt[0] = t > 1 ? .nan : -y[0] } }
    static var unitJacobian: ODEJacobian { { _, _, j, dt in j[0] = -1; dt[0] = 0 } }

    @Test("a right-hand side that returns NaN after t = 1 stops the solver at t ≈ 1 with the non-finite error",
          arguments: [ODEMethod.rk8pd, .rkf45, .msadams, .msbdf, .bsimp])
    func nanRightHandSide(method: ODEMethod) throws {
        let s = try ODESolver(dimension: 1, method: method, absTol: 1e-10, relTol: 1e-10, timeUnit: "h",
                              rhs: ODEFailureTests.nanAfterOne, jacobian: method.needsJacobian ? ODEFailureTests.unitJacobian : nil)
        var y = [1.0]
        do {
            try s.integrate(&y, from: 0, to: 5)
            Issue.record("\(method): a NaN right-hand side was integrated to the end: y = \(y)")
        } catch let e as SolverFailure {
            let reached = try #require(e.tReached)
            guard case let .nonFiniteDerivative(component, value, t) = e.reason else {
                Issue.record("\(method): reason \(e.reason)"); return
            }
            #expect(component == 0 && value.isNaN)
            // The first evaluation past 1 is the one that fails; the solution is good up to tReached ≤ 1.
            // Within the failed step, which starts at tReached ≤ 1 (bsimp's extrapolation steps are the longest).
            #expect(t > 1 && t < 2, "\(method): failed evaluation at t = \(t)")
            #expect(reached <= 1 && reached > 0.5, "\(method): tReached = \(reached)")
            #expect(abs(y[0] - exp(-reached)) < 1e-8, "\(method): the state left is the last good one")
            #expect(y[0].isFinite)
            #expect(e.description.hasPrefix("the ODE solver could not continue at t = "), "\(e)")
            #expect(e.description.contains("non-finite"), "\(e)")
            expectOneLine(e)
        }
    }

    @Test("the dense solver stops the same way at t ≈ 1")
    func nanRightHandSideDense() throws {
        let s = try DenseODESolver(dimension: 1, method: .msbdf, absTol: 1e-10, relTol: 1e-10, timeUnit: "h",
                                   rhs: ODEFailureTests.nanAfterOne, jacobian: ODEFailureTests.unitJacobian)
        do {
            let traj = try s.integrate(from: 0, y0: [1], to: 5)
            Issue.record("integrated to \(traj.times.last!)")
        } catch let e as SolverFailure {
            let reached = try #require(e.tReached)
            guard case let .nonFiniteDerivative(_, _, t) = e.reason else { Issue.record("reason \(e.reason)"); return }
            #expect(t > 1 && t < 1.5 && reached <= 1 && reached > 0.5, "t = \(t), tReached = \(reached)")
            expectOneLine(e)
        }
        // Usable again afterwards, from a fresh start.
        let ok = try DenseODESolver(dimension: 1, method: .msbdf, absTol: 1e-10, relTol: 1e-10,
                                    rhs: { _, y, d in d[0] = -y[0] }, jacobian: ODEFailureTests.unitJacobian)
        let traj = try ok.integrate(from: 0, y0: [1], to: 1)
        #expect(abs(traj.value(0, atStep: traj.count - 1) - exp(-1.0)) < 1e-8)
    }

    /// dy/dt = 1e308 is finite everywhere, but y passes the largest double (1.797e308) at
    /// t ≈ 1.797: the state itself becomes infinite after an accepted step.
    @Test("a state that overflows after an accepted step is the nonFiniteState error, with the last finite time",
          arguments: [ODEMethod.rk8pd, .rkck, .msbdf])
    func overflowingState(method: ODEMethod) throws {
        let s = try ODESolver(dimension: 1, method: method, absTol: 1e-10, relTol: 1e-10, timeUnit: "h",
                              rhs: { _, _, d in d[0] = 1e308 },
                              jacobian: method.needsJacobian ? { _, _, j, dt in j[0] = 0; dt[0] = 0 } : nil)
        var y = [0.0]
        do {
            try s.integrate(&y, from: 0, to: 10)
            Issue.record("\(method): y = \(y) at t = 10")
        } catch let e as SolverFailure {
            let reached = try #require(e.tReached)
            let overflowAt = Double.greatestFiniteMagnitude / 1e308
            switch e.reason {
            case let .nonFiniteState(component, value, t):
                #expect(component == 0 && value.isInfinite)
                #expect(t >= overflowAt * (1 - 1e-12), "\(method): the bad step ends at \(t)")
                #expect(reached < overflowAt, "\(method): tReached \(reached)")
                #expect(y[0].isFinite && abs(y[0] - 1e308 * reached) <= 1e-10 * y[0], "\(method): last finite state kept")
                #expect(e.description.contains("the state became non-finite"), "\(e)")
            case .gslStatus:
                // An implicit method may instead fail to converge on an infinite iterate; still a
                // SolverFailure, still before the overflow.
                #expect(reached < overflowAt)
            default:
                Issue.record("\(method): reason \(e.reason)")
            }
            expectOneLine(e)
        }
    }

    @Test("a Jacobian that returns NaN is reported with its entry")
    func nanJacobian() throws {
        let s = try ODESolver(dimension: 2, method: .msbdf, timeUnit: "h",
                              rhs: { _, y, d in d[0] = -y[0]; d[1] = y[0] - y[1] },
                              jacobian: { t, _, j, dt in
                                  j[0] = -1; j[1] = 0; j[2] = 1; j[3] = t > 0.2 ? .infinity : -1
                                  dt[0] = 0; dt[1] = 0 })
        var y = [1.0, 0.0]
        do {
            try s.integrate(&y, from: 0, to: 3)
            // msbdf may not re-evaluate the Jacobian after 0.2 for this linear system; then nothing is wrong.
        } catch let e as SolverFailure {
            guard case let .nonFiniteJacobian(row, column, value, t) = e.reason else { Issue.record("reason \(e.reason)"); return }
            #expect(row == 1 && column == 1 && value.isInfinite && t > 0.2)
            expectOneLine(e)
        }
    }

    @Test("a throwing right-hand side in the dense solver: the error, the time of the evaluation and the time reached")
    func throwingRightHandSide() throws {
        let s = try DenseODESolver(dimension: 1, method: .msbdf, absTol: 1e-10, relTol: 1e-10, timeUnit: "h",
                                   rhs: { t, y, d in if t > 2 { throw Broken(marker: 9) }; d[0] = -y[0] },
                                   jacobian: ODEFailureTests.unitJacobian)
        do {
            _ = try s.integrate(from: 0, y0: [1], to: 4)
            Issue.record("should have failed")
        } catch let e as SolverFailure {
            #expect(e.underlying as? Broken == Broken(marker: 9))
            guard case let .rightHandSideFailed(t) = e.reason else { Issue.record("reason \(e.reason)"); return }
            let reached = try #require(e.tReached)
            #expect(t > 2 && reached <= 2 && reached > 1, "t = \(t), tReached = \(reached)")
            #expect(e.description.contains("broken model 9"))
            #expect(!e.description.contains("second line"))
            expectOneLine(e)
        }
        // A failure at the very first evaluation (t0) is reported at t0.
        let s0 = try DenseODESolver(dimension: 1, method: .msbdf, rhs: { _, _, _ in throw Broken(marker: 1) },
                                    jacobian: ODEFailureTests.unitJacobian)
        do {
            _ = try s0.integrate(from: 3, y0: [1], to: 4)
            Issue.record("should have failed")
        } catch let e as SolverFailure {
            #expect(e.tReached == 3 && e.reason == .rightHandSideFailed(t: 3))
        }
    }

    @Test("a non-finite initial state is refused as an invalid argument")
    func nonFiniteStart() throws {
        let s = try ODESolver(dimension: 2, rhs: { _, y, d in d[0] = -y[0]; d[1] = -y[1] })
        var y = [1.0, .nan]
        #expect(throws: GSLKitError.self) { try s.integrate(&y, from: 0, to: 1) }
        let dense = try DenseODESolver(dimension: 1, method: .rk8pd, rhs: { _, y, d in d[0] = -y[0] })
        #expect(throws: GSLKitError.self) { _ = try dense.integrate(from: 0, y0: [.infinity], to: 1) }
    }

    @Test("scaled absolute tolerances: accuracy follows the scale; bad scales are refused")
    func scaledTolerance() throws {
        // y' = −y from 1e-30: with a plain absTol of 1e-12 the whole solution is below the
        // tolerance and nothing controls its error; scaled by 1e-30 it is solved like y(0) = 1.
        let rhs: ODERightHandSide = { _, y, d in d[0] = -y[0] }
        let jac: ODEJacobian = { _, _, j, dt in j[0] = -1; dt[0] = 0 }
        let exact = 1e-30 * exp(-5.0)
        let scaled = try ODESolver(dimension: 1, method: .msbdf, absTol: 1e-12, relTol: 1e-10, absTolScale: [1e-30], rhs: rhs, jacobian: jac)
        var y = [1e-30]
        try scaled.integrate(&y, from: 0, to: 5)
        #expect(abs(y[0] - exact) / exact < 1e-7, "\(y[0]) vs \(exact)")
        let plain = try ODESolver(dimension: 1, method: .msbdf, absTol: 1e-12, relTol: 0, rhs: rhs, jacobian: jac)
        var z = [1e-30]
        try plain.integrate(&z, from: 0, to: 5)
        #expect(abs(z[0] - exact) / exact > 1e-6, "unscaled \(z[0]) vs \(exact): expected to be unresolved")
        let rk: ODERightHandSide = { _, y, d in d[0] = -y[0] }
        #expect(throws: GSLKitError.self) { _ = try ODESolver(dimension: 1, absTolScale: [1, 2], rhs: rk) }
        #expect(throws: GSLKitError.self) { _ = try ODESolver(dimension: 1, absTolScale: [0], rhs: rk) }
        #expect(throws: GSLKitError.self) { _ = try ODESolver(dimension: 1, absTolScale: [.nan], rhs: rk) }
        #expect(throws: GSLKitError.self) { _ = try ODESolver(dimension: 1, absTol: 1e-10, absTolScale: [1e-300], rhs: rk) }
        #expect(throws: GSLKitError.self) { _ = try DenseODESolver(dimension: 1, absTolScale: [-1], rhs: rk) }
    }

    @Test("every failure description is one plain line with the time and its unit")
    func descriptions() {
        let cases: [SolverFailure] = [
            SolverFailure(tReached: 12.5, timeUnit: "h", reason: .nonFiniteState(component: 3, value: .nan, t: 13)),
            SolverFailure(tReached: 0, timeUnit: "h", reason: .nonFiniteDerivative(component: 0, value: .infinity, t: 1e-6)),
            SolverFailure(tReached: 1, timeUnit: "h", reason: .nonFiniteJacobian(row: 2, column: -1, value: .nan, t: 1)),
            SolverFailure(tReached: 2, timeUnit: "h", reason: .rightHandSideFailed(t: 2.5), underlying: Broken(marker: 3)),
            SolverFailure(tReached: 2, timeUnit: "h", reason: .gslStatus(GSLError(code: 27, context: "an ODE step (msbdf)"))),
            SolverFailure(tReached: 40000, timeUnit: "h", reason: .negativeValue(quantity: "the plasma amount A1 (mg)", value: -1e-3, allowance: 5e-11)),
            SolverFailure(solver: "the plasma peak search", tReached: nil, reason: .other("Brent root finder did not converge in 200 iterations")),
        ]
        for e in cases {
            expectOneLine(e)
            if e.tReached != nil { #expect(e.description.contains(" h: "), "\(e)") }
        }
        #expect(cases[0].description == "the ODE solver could not continue at t = 12.5 h: the state became non-finite (component 3 is nan after the step to t = 13 h)")
        #expect(cases[4].description.contains("GSL_ENOPROG"))
        #expect(cases[6].description == "the plasma peak search could not continue: Brent root finder did not converge in 200 iterations")
        // Wrapping keeps a SolverFailure and turns a GSLError into one.
        let g = SolverFailure.wrapping(GSLError(code: 11, context: "x"), solver: "the search", timeUnit: "h")
        #expect(g.reason == .gslStatus(GSLError(code: 11, context: "x")))
        #expect(SolverFailure.wrapping(cases[0], solver: "other").description == cases[0].description)
    }

    @Test("1-D methods: a non-finite function value inside the interval is an error, never a result")
    func nonFiniteOneDimensional() {
        #expect(throws: GSLKitError.nonFiniteFunctionValue(what: "integrand", at: 0.5)) {
            _ = try Quadrature.qags(lower: 0, upper: 1) { x in x == 0.5 ? .nan : x }
        }
        do {
            let q = try Quadrature.qags(lower: 0, upper: 1) { x in x > 0.3 ? .infinity : x }
            Issue.record("an infinite integrand gave \(q.value)")
        } catch let e as GSLKitError {
            guard case .nonFiniteFunctionValue = e else { Issue.record("\(e)"); return }
        } catch { Issue.record("unexpected \(error)") }
        do {
            let m = try Minimizer.brent(lower: 0, upper: 4, guess: 2) { x in x > 2.5 ? .nan : (x - 2) * (x - 2) }
            Issue.record("a minimum \(m.x) despite NaN values")
        } catch let e as GSLKitError {
            guard case .nonFiniteFunctionValue = e else { Issue.record("\(e)"); return }
        } catch { Issue.record("unexpected \(error)") }
    }
}

@Suite("GSLKit dense output: the monotone cubic Hermite")
struct MonotoneDenseOutputTests {
    /// A trajectory from given step ends (the solver's output format).
    func trajectory(_ rows: [(t: Double, y: Double, f: Double)]) -> ODETrajectory {
        var traj = ODETrajectory(dimension: 1, capacity: rows.count)
        for r in rows { traj.append(r.t, [r.y], [r.f]) }
        return traj
    }

    @Test("with slopes consistent with the data it is the ordinary cubic Hermite")
    func agreesWhenResolved() {
        // e^(−t) with exact derivatives, steps of 0.5: α, β ≈ 1.
        let traj = trajectory((0...8).map { k in let t = 0.5 * Double(k); return (t, exp(-t), -exp(-t)) })
        for t in stride(from: 0.0, through: 4.0, by: 0.037) {
            #expect(abs(traj.monotoneValue(0, at: t) - traj.value(0, at: t)) <= 1e-15, "t = \(t)")
            #expect(abs(traj.monotoneValue(0, at: t) - exp(-t)) < 1e-3)
        }
    }

    @Test("with noisy stiff slopes it stays between the step-end values where the cubic Hermite goes negative")
    func staysBetweenStepEnds() {
        // Step ends of the centre shell of a 300-shell bead after 5.6 years (measured): the values are
        // right, the slopes f(t, y) are round-off amplified by the stiffness.
        let traj = trajectory([(49048.76124176952, 1.3122521651132584e-05, -1.381118630477462e-07),
                               (49471.035405712064, 1.1585599191447632e-05, 1.7049817885462155e-07)])
        let t = 49176.0
        #expect(traj.value(0, at: t) < 0, "the ordinary cubic: \(traj.value(0, at: t))")
        let m = traj.monotoneValue(0, at: t)
        #expect(m >= 1.1585599191447632e-05 && m <= 1.3122521651132584e-05, "monotone: \(m)")
        for s in stride(from: 0.0, through: 1.0, by: 0.01) {
            let tt = 49048.76124176952 + s * (49471.035405712064 - 49048.76124176952)
            let v = traj.monotoneValue(0, at: min(tt, 49471.035405712064))
            #expect(v >= 1.1585599191447632e-05 * (1 - 1e-15) && v <= 1.3122521651132584e-05 * (1 + 1e-15))
        }
        #expect(traj.monotoneValue(0, at: 49471.035405712064) == 1.1585599191447632e-05)
    }

    @Test("flat data gives a flat interpolant")
    func flat() {
        let traj = trajectory([(0, 2, 5), (1, 2, -5)])
        #expect(traj.monotoneValue(0, at: 0.3) == 2)
        #expect(traj.value(0, at: 0.3) != 2)
    }
}
