// SPDX-License-Identifier: GPL-3.0-or-later
@testable import Chemoembolization
import Foundation
import GSLKit
import Testing

@Suite("Dense output (GSLKit.DenseODESolver / ODETrajectory)")
struct DenseOutputTests {
    @Test("free-stepping msbdf with Hermite dense output matches exp(−k t) and its derivative")
    func decay() throws {
        // y1' = −2 y1, y2' = 2 y1 − 0.5 y2 (exact: y1 = e^(−2t), y2 = (4/3)(e^(−0.5t) − e^(−2t)))
        let s = try DenseODESolver(dimension: 2, method: .msbdf, absTol: 1e-12, relTol: 1e-10, initialStep: 1e-6,
                                   rhs: { _, y, d in d[0] = -2 * y[0]; d[1] = 2 * y[0] - 0.5 * y[1] },
                                   jacobian: { _, _, j, dt in j[0] = -2; j[1] = 0; j[2] = 2; j[3] = -0.5; dt[0] = 0; dt[1] = 0 })
        let traj = try s.integrate(from: 0, y0: [1, 0], to: 10)
        #expect(traj.times.first == 0 && traj.times.last == 10)
        #expect(traj.statistics.steps == traj.count - 1)
        var worst = 0.0
        for t in stride(from: 0.0, through: 10.0, by: 0.0137) {
            let y1 = exp(-2 * t), y2 = 4.0 / 3.0 * (exp(-0.5 * t) - exp(-2 * t))
            worst = max(worst, abs(traj.value(0, at: t) - y1), abs(traj.value(1, at: t) - y2))
            #expect(abs(traj.slope(0, at: t) + 2 * y1) < 1e-5)
        }
        #expect(worst < 1e-7, "worst absolute deviation \(worst)")
        // Step ends are the solver's own values, their derivatives exact f.
        for k in 0..<traj.count { #expect(traj.derivative(0, atStep: k) == -2 * traj.value(0, atStep: k)) }
    }

    @Test("dense output equals stopping the solver at each output time (in vivo, 1e-7)")
    func denseVersusStops() throws {
        let m = try ElutionModel(treatment: try Fixture.treatment(["100-300"], doseMg: 150), parameters: Fixture.parameters)
        let times: [Double] = [0.05, 0.1, 0.3, 1, 6, 8, 24, 100, 168, 400, 672]
        var o = SimulationOptions()
        o.outputTimesH = times
        let dense = try m.simulate(days: 28, options: o)
        let stops = try m.solve(timesH: times)
        for (k, t) in times.enumerated() {
            let a = dense.states[k + 1], b = stops.states[k]   // dense.states[0] is t = 0
            #expect(dense.timesH[k + 1] == t)
            #expect(relativeError(m.plasmaNgPerMl(a), m.plasmaNgPerMl(b)) < 1e-7, "plasma at \(t) h")
            #expect(relativeError(m.tissueUgPerMl(a), m.tissueUgPerMl(b)) < 1e-7, "tissue at \(t) h")
            #expect(relativeError(m.elutedFraction(a), m.elutedFraction(b)) < 1e-7, "eluted at \(t) h")
            #expect(abs(m.accountedDrug(a) - m.doseMg) / m.doseMg < 1e-12, "interpolated mass balance at \(t) h")
        }
    }

    @Test("a solve that throws reports the time reached")
    func failureCarriesTime() throws {
        struct Boom: Error {}
        let s = try DenseODESolver(dimension: 1, method: .msbdf, absTol: 1e-10, relTol: 1e-10,
                                   rhs: { t, y, d in if t > 1 { throw Boom() }; d[0] = -y[0] },
                                   jacobian: { _, _, j, dt in j[0] = -1; dt[0] = 0 })
        do {
            _ = try s.integrate(from: 0, y0: [1], to: 5)
            Issue.record("the solve should have failed")
        } catch let e as SolverFailure {
            #expect(e.underlying is Boom)
            let reached = try #require(e.tReached)
            #expect(reached <= 1)
            guard case let .rightHandSideFailed(t) = e.reason else { Issue.record("reason \(e.reason)"); return }
            #expect(t > 1)
        }
    }
}
