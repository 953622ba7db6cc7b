// SPDX-License-Identifier: GPL-3.0-or-later
// Work–precision sweep of the in-vivo solve: µs per solve and deviation from the reference
// implementation (an independent scipy solve_ivp BDF solution, rtol 1e-10) for several tolerances and grids.
// Run from anywhere: swift run -c release DEBProfile [sizes, e.g. 300-500,500-700]
import Chemoembolization
import Foundation
import GSLKit

let p = try DEBModelParameters.load()
let dc = try BeadCatalogue.load().product("dc-bead")
// The reference values: the in-vivo computed case of reference-data/cases/deb.json (Benchmarks/scipy_peer.py at the
// shipped parameters, written by reference-data/tools/make_deb_cases.py) with these sizes at 37.5 mg/mL and 150 mg.
func referenceCase(sizes: String) throws -> [String: Double] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../reference-data/cases/deb.json")
    let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    for c in doc["cases"] as! [[String: Any]] {
        let a = c["args"] as? [String] ?? []
        func arg(_ f: String) -> String? { a.firstIndex(of: f).map { a[$0 + 1] } }
        guard c["kind"] as? String == "computed", !a.contains("--in-vitro"), arg("--size") == sizes,
              arg("--loading-mg-per-ml") == "37.5", arg("--dose-mg") == "150" || arg("--dose-split-mg").map({ $0.split(separator: ",").compactMap { Double($0) }.reduce(0, +) == 150 }) == true
        else { continue }
        var v: [String: Double] = [:]
        for e in c["expect"] as? [[String: Any]] ?? [] { if let p = e["path"] as? String, let x = e["value"] as? Double { v[p] = x } }
        return v
    }
    fatalError("no in-vivo computed case of \(sizes) at 37.5 mg/mL and 150 mg in reference-data/cases/deb.json")
}
let peer = (1...40).map { 0.05 * Double($0) } + [24, 168, 336, 672]
let args = CommandLine.arguments
let sizes = args.count > 1 ? args[1].split(separator: ",").map(String.init) : ["100-300"]
let t = try DEBTreatment.evenSplit(product: dc, sizes: sizes, loadingMgPerMl: 37.5, doseMg: 150)
let reference = try referenceCase(sizes: sizes.joined(separator: ","))
let refCmax = reference["plasmaPeakNgPerMl"]!, refF28 = reference["elutedPercentByDay.28"]! / 100
let refT30 = reference["tissueUMAt30d"]!, refAucp24 = reference["plasmaAuc0to24hNgHPerMl"]!
let model = try ElutionModel(treatment: t, parameters: p)
// RHS_BENCH=1: ns per evaluation of the in-vivo right-hand side (one class at a perturbed initial state).
if ProcessInfo.processInfo.environment["RHS_BENCH"] != nil {
    let m = model
    var y = m.initialState
    for i in y.indices { y[i] += 1e-3 * Double(i) }
    var f = [Double](repeating: 0, count: y.count)
    let reps = 1_000_000
    var acc = 0.0
    let d = ContinuousClock().measure {
        y.withUnsafeBufferPointer { yb in f.withUnsafeMutableBufferPointer { fb in
            for _ in 0..<reps { m.rhs(0, yb, fb); acc += fb[0] }
        } }
    }
    print("rhs ns/call", (Double(d.components.attoseconds) / 1e9 + Double(d.components.seconds) * 1e9) / Double(reps), acc)
    exit(0)
}
// STEPPER_SWEEP=1: the 28-day integration alone (DenseODESolver, best of 20) with each implicit GSL stepper and
// several initial steps, and with each component's absolute tolerance loosened tenfold in turn (which
// component limits the step): steps, f and J evaluations, µs. STEP_TIMES=1 prints the step ends instead.
if ProcessInfo.processInfo.environment["STEPPER_SWEEP"] != nil || ProcessInfo.processInfo.environment["STEP_TIMES"] != nil {
    let o = SimulationOptions()
    let m = model
    func run(_ method: ODEMethod, h0: Double, scale: [Double]) throws -> (ODETrajectory, Double) {
        let solver = try DenseODESolver(dimension: m.layout.dimension, method: method, absTol: o.absTol, relTol: o.relTol,
                                        absTolScale: scale, initialStep: h0, timeUnit: "h",
                                        rhs: { t, y, dydt in m.rhs(t, y, dydt) },
                                        jacobian: { t, y, dfdy, dfdt in m.jacobian(t, y, dfdy, dfdt) })
        var traj: ODETrajectory! = nil
        let us = try clock(method == .rk4imp ? 2 : 20) { traj = try solver.integrate(from: 0, y0: m.initialState, to: 672) }
        return (traj, us)
    }
    func line(_ label: String, _ r: (ODETrajectory, Double)) {
        let s = r.0.statistics
        print(label, "steps", s.steps, "f", s.rhsEvaluations, "J", s.jacobianEvaluations, Int(r.1), "µs")
    }
    if ProcessInfo.processInfo.environment["STEP_TIMES"] != nil {
        for t in try run(.msbdf, h0: 1e-6, scale: m.toleranceScale).0.times { print(t) }
        exit(0)
    }
    for method in [ODEMethod.msbdf, .bsimp, .rk4imp] { line(method.rawValue, try run(method, h0: 1e-6, scale: m.toleranceScale)) }
    for h0 in [1e-8, 1e-7, 1e-5, 1e-4, 1e-3, 1e-2] { line("msbdf h0 \(h0)", try run(.msbdf, h0: h0, scale: m.toleranceScale)) }
    for i in m.toleranceScale.indices {
        var scale = m.toleranceScale
        scale[i] *= 10
        line("msbdf atol×10 on component \(i)", try run(.msbdf, h0: 1e-6, scale: scale))
    }
    exit(0)
}
if ProcessInfo.processInfo.environment["GRID_SWEEP"] != nil {
    func summ(_ r: DEBResult) -> [Double] {
        let s = r.summary
        return [s.plasmaPeakNgPerMl, s.elutedPercentByDay["28"] ?? s.elutedPercentAtEnd, s.elutedPercentAtEnd, s.tissuePeakUM, s.tissueUMAt8h ?? 0, s.tissueUMAt30d ?? 0, s.tissueAucUgHPerMl, s.plasmaAucNgHPerMl]
    }
    let cases: [(String, Double, Double)] = [("100-300", 37.5, 30), ("700-900", 10, 365), ("70-150", 37.5, 90), ("300-500", 20, 28)]
    let grids: [RadialGridSpec] = [.equal(shells: 20), .equal(shells: 6), .equal(shells: 4),
        .surfaceRefined(surfaceThickness: 0.1, ratio: 1.5, maxThickness: 0.5), .surfaceRefined(surfaceThickness: 0.05, ratio: 1.6, maxThickness: 0.5),
        .surfaceRefined(surfaceThickness: 0.08, ratio: 1.4, maxThickness: 0.5), .surfaceRefined(surfaceThickness: 0.15, ratio: 1.3, maxThickness: 0.5),
        .surfaceRefined(surfaceThickness: 0.03, ratio: 2.0, maxThickness: 0.5), .surfaceRefined(surfaceThickness: 0.2, ratio: 1.2, maxThickness: 0.5)]
    for (size, load, days) in cases {
        let tr = try DEBTreatment.evenSplit(product: dc, sizes: [size], loadingMgPerMl: load, doseMg: 100)
        let ref = summ(try ElutionModel(treatment: tr, parameters: p, grid: .equal(shells: 160)).simulate(days: days))
        for g in grids {
            let m = try ElutionModel(treatment: tr, parameters: p, grid: g)
            var r: DEBResult! = nil
            let us = try clock(5) { r = try m.simulate(days: days) }
            let e = zip(summ(r), ref).map { abs($0 - $1) / abs($1) }.max()!
            print(size, load, days, g.label(shells: m.layout.shellCounts[0]), Int(us), "µs", String(format: "%.1e", e))
        }
    }
    exit(0)
}
if ProcessInfo.processInfo.environment["SHELL_SWEEP"] != nil {
    for n in (ProcessInfo.processInfo.environment["SHELL_LIST"] ?? "20,10,8,6,5,4,3").split(separator: ",").map({ Int($0)! }) {
        var q = p
        q.shellsPerClass = n
        let m = try ElutionModel(treatment: t, parameters: q)
        var r: DEBResult! = nil
        let us = try clock(40) { r = try m.simulate(days: 28, options: SimulationOptions()) }
        print(n, Int(us), "µs", r.solver.steps, "steps", r.solver.jacobianEvaluations, "J", r.summary.plasmaPeakNgPerMl, r.summary.elutedPercentByDay["28"]!)
    }
    exit(0)
}
func clock(_ n: Int, _ body: () throws -> Void) rethrows -> Double {
    let c = ContinuousClock()
    var best = Double.infinity
    for _ in 0..<n {
        let d = try c.measure { try body() }
        best = min(best, Double(d.components.attoseconds) / 1e12 + Double(d.components.seconds) * 1e6)
    }
    return best
}
for (rtol, atols) in [(1e-10, [1e-12, 1e-10, 1e-9, 1e-8]), (1e-11, [1e-12, 1e-10, 1e-9, 1e-8])] {
    for atol in atols {
        let gname = String(format: "atol %.0e", atol)
        let grid: [Double]? = nil
        let refine = true
        var o = SimulationOptions()
        o.relTol = rtol
        o.absTol = atol
        o.outputTimesH = grid
        o.refinePeaks = refine
        var r: DEBResult! = nil
        let us = try clock(30) { r = try model.simulate(days: 30, options: o) }
        let s = r.summary
        print(String(format: "rtol %.0e ", rtol) + gname.padding(toLength: 15, withPad: " ", startingAt: 0)
              + String(format: " %8.0f µs  f %5d J %4d steps %5d  Cmax %.1e  f28 %.1e  t30 %.1e  AUCp24 %.1e  mb %.1e", us, r.solver.rhsEvaluations, r.solver.jacobianEvaluations, r.solver.steps,
                     abs(s.plasmaPeakNgPerMl - refCmax) / refCmax, abs(s.elutedPercentByDay["28"]! / 100 - refF28) / refF28,
                     abs((s.tissueUMAt30d ?? .nan) - refT30) / refT30, abs((s.plasmaAuc0to24hNgHPerMl ?? .nan) - refAucp24) / refAucp24,
                     s.massBalanceRelativeError))
    }
}
