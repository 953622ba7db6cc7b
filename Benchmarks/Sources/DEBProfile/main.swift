// SPDX-License-Identifier: GPL-3.0-or-later
// Work–precision sweep of the in-vivo solve: µs per solve and deviation from the reference
// implementation (deb_cases.json, scipy BDF rtol 1e-10) for several tolerances and grids.
import Chemoembolization
import Foundation

let p = try DEBModelParameters.load()
let dc = try BeadCatalogue.load().product("dc-bead")
let mixed = CommandLine.arguments.count > 1
let refCmax = mixed ? 49.992796307777354 : 119.42801558581482
let refF28 = mixed ? 0.14746723384489957 : 0.4300765839362455
let refT30 = mixed ? 0.30520639627296364 : 0.6428958145747531
let refCp28 = mixed ? 0.36669283049806217 : 0.802327112284596
let peer = (1...40).map { 0.05 * Double($0) } + [24, 168, 336, 672]
let args = CommandLine.arguments
let sizes = args.count > 1 ? args[1].split(separator: ",").map(String.init) : ["100-300"]
let t = try DEBTreatment.evenSplit(product: dc, sizes: sizes, loadingMgPerMl: 37.5, doseMg: 150)
let model = try ElutionModel(treatment: t, parameters: p)
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
        let k672 = r.timesH.firstIndex(of: 672)!
        print(String(format: "rtol %.0e %-15s %8.0f µs  f %5d J %4d steps %5d  Cmax %.1e  f28 %.1e  t30 %.1e  Cp28d %.1e  mb %.1e",
                     rtol, gname, us, r.solver.rhsEvaluations, r.solver.jacobianEvaluations, r.solver.steps,
                     abs(s.plasmaPeakNgPerMl - refCmax) / refCmax, abs(s.elutedPercentByDay["28"]! / 100 - refF28) / refF28,
                     abs((s.tissueUMAt30d ?? .nan) - refT30) / refT30, abs(r.plasmaNgPerMl[k672] - refCp28) / refCp28, s.massBalanceRelativeError))
    }
}
