// SPDX-License-Identifier: GPL-3.0-or-later
// Monte Carlo uncertainty of a radioembolization plan, and the chance-constrained activity.
//
// Each sample draws the patient's true anatomy (lung shunt, every territory's normal-liver mass, every
// tumour's mass and T/N ratio, the non-perfused rest of the whole normal liver, the lung mass when it
// was measured) and a delivered-activity factor (one per sample: the same calibrator measures every
// vial), with the distributions of `UncertaintySpecification`, and computes the plan's doses with the
// planner's own dose model (`DoseModel`).
//
// Chance constraint. At a fixed anatomy the doses are linear in the activity scale s, so sample i
// exceeds limit l at s exactly when s·c_il + b_l breaks L_l, with c_il its dose per unit scale and
// b_l the dose already received (the prior lung dose). The share of samples that exceed any hard
// limit, P(s), is a non-decreasing step function of s over the same draws (common random numbers),
// so the largest s with P(s) ≤ α is found by GSL's Brent root finder on the sign of
// #{i exceeding at s} − ⌊αN⌋, and is the same on every run and every machine for a given seed.
import ClinicalPolicy
import DosecalcCore
import Foundation
import GSLKit
import Radioembolization
import Uncertainty

struct PlanSampler: Sendable {
    let specification: UncertaintySpecification
    /// The treated territories as planned (plan order) and the nominal anatomy.
    let territories: [RadioembolizationPlanner.Territory]
    /// The input index of each treated territory (for input paths).
    let inputIndex: [Int]
    let lungShuntPercent: Double
    let lungMassG: Double
    let lungMassMeasured: Bool
    let wholeNormalLiverMassG: Double
    let doseFactor: Double
    let priorLungDoseGy: Double
    /// The hard dose limits the plan is held to.
    let limits: [(name: String, quantity: LimitQuantity, kind: CheckKind, limit: Double)]
    /// The territory names (plan order) and each one's tumour names, for output keys.
    var names: [(territory: String, tumors: [String])] { territories.map { ($0.name, $0.tumors.map(\.name)) } }

    struct Draw {
        var model: DoseModel
        var activityFactor: Double
        var inputs: [Double]
    }

    /// The input paths of the drawn inputs, in draw order.
    var inputNames: [String] {
        let s = specification
        var n: [String] = []
        if s.lungShuntPercentSd > 0 { n.append("anatomy.lungShuntPercent") }
        if s.massCvPercent > 0 {
            for (t, i) in zip(territories, inputIndex) {
                n.append("anatomy.territories[\(i)].normalLiverMassG")
                for j in t.tumors.indices { n.append("anatomy.territories[\(i)].tumors[\(j)].massG") }
            }
            if wholeNormalLiverMassG - territories.reduce(0, { $0 + $1.normalMassKg }) * 1000 > 0 { n.append("normalLiverOutsideTreatedMassG") }
            if lungMassMeasured { n.append("anatomy.lungMassG") }
        }
        if s.tnRatioCvPercent > 0 {
            for (t, i) in zip(territories, inputIndex) {
                for j in t.tumors.indices { n.append("anatomy.territories[\(i)].tumors[\(j)].tnRatio") }
            }
        }
        if s.activityCvPercent > 0 { n.append("activityGBq") }
        return n
    }

    /// A drawn input must lie where the planner accepts the nominal one (the same ranges as the input
    /// check and as `y90`); otherwise the spread is refused, naming it, rather than computed on.
    private func plausible(_ range: PlausibleRange, _ value: Double, path: String, spread: String) throws {
        do { _ = try range.check(value, field: path) } catch let e as InputError {
            throw InputError(field: spread, "draws \(e.field) outside what the planner accepts (\(e.message)); give a smaller spread")
        }
    }

    /// One sample, drawn in a fixed order.
    func draw(_ stream: RandomStream) throws -> Draw {
        let s = specification
        var inputs: [Double] = []
        let lsf = try s.drawLungShuntPercent(stream, measured: lungShuntPercent)
        if s.lungShuntPercentSd > 0 { inputs.append(lsf) }
        var ters = territories
        var lungG = lungMassG
        var wholeG = wholeNormalLiverMassG
        if s.massCvPercent > 0 {
            let nominalNL = territories.reduce(0) { $0 + $1.normalMassKg } * 1000
            var drawnNL = 0.0
            for n in ters.indices {
                let t = ters[n]
                let p = "anatomy.territories[\(inputIndex[n])]"
                let nl = s.drawMass(stream, measured: t.normalMassKg)
                try plausible(PlausibleInputs.liverMassG, nl * 1000, path: "\(p).normalLiverMassG", spread: "massCvPercent")
                inputs.append(nl * 1000)
                drawnNL += nl * 1000
                var tumors = t.tumors
                for j in tumors.indices {
                    tumors[j].massKg = s.drawMass(stream, measured: tumors[j].massKg)
                    try plausible(PlausibleInputs.tumorMassG, tumors[j].massKg * 1000, path: "\(p).tumors[\(j)].massG", spread: "massCvPercent")
                    inputs.append(tumors[j].massKg * 1000)
                }
                ters[n] = t.with(normalMassKg: nl, tumors: tumors)
            }
            // The rest of the whole normal liver (untreated territories and liver outside them) is drawn as one mass.
            let rest = wholeNormalLiverMassG - nominalNL
            let drawnRest = rest > 0 ? s.drawMass(stream, measured: rest) : 0
            wholeG = drawnNL + drawnRest
            try plausible(PlausibleInputs.liverMassG, wholeG, path: "anatomy.wholeNormalLiverMassG", spread: "massCvPercent")
            // The input is the rest itself, drawn independently (the whole is a sum of drawn masses).
            if rest > 0 { inputs.append(drawnRest) }
            if lungMassMeasured {
                lungG = s.drawMass(stream, measured: lungMassG)
                try plausible(PlausibleInputs.lungMassG, lungG, path: "anatomy.lungMassG", spread: "massCvPercent")
                inputs.append(lungG)
            }
        }
        if s.tnRatioCvPercent > 0 {
            for n in ters.indices {
                var tumors = ters[n].tumors
                for j in tumors.indices {
                    tumors[j].tn = s.drawTNRatio(stream, measured: tumors[j].tn)
                    try plausible(PlausibleInputs.tnRatio, tumors[j].tn, path: "anatomy.territories[\(inputIndex[n])].tumors[\(j)].tnRatio", spread: "tnRatioCvPercent")
                    inputs.append(tumors[j].tn)
                }
                ters[n] = ters[n].with(normalMassKg: ters[n].normalMassKg, tumors: tumors)
            }
        }
        let factor = s.drawActivity(stream, prescribed: 1)
        if s.activityCvPercent > 0 { inputs.append(factor) }   // scaled to the delivered total by the caller
        let model = DoseModel(territories: ters, lungShuntFraction: lsf / 100, doseFactor: doseFactor, lungMassKg: lungG / 1000,
                              wholeNormalLiverMassKg: wholeG / 1000, priorLungDoseGy: priorLungDoseGy)
        return Draw(model: model, activityFactor: factor, inputs: inputs)
    }

    /// Runs `body` on every sample, block by block (each block its own stream), on every core unless
    /// `serial`; returns the blocks' results in block order.
    func blocks<T: Sendable>(serial: Bool = false, _ body: @escaping @Sendable (_ draws: [Draw]) -> T) throws -> [T] {
        try SampleBlocks.run(samples: specification.samples, seed: specification.seed, serial: serial) { stream, count in
            body(try (0..<count).map { _ in try draw(stream) })
        }
    }

    /// Per sample and hard limit, the dose per unit of the activity scale: c_il = q_il(1) − q_il(0),
    /// with `reference` the activities at scale 1 (the delivered-activity factor included); one flat
    /// array, sample-major (limits.count values per sample), so ten million samples stay compact.
    func slopes(reference: [Double], serial: Bool = false) throws -> [Double] {
        let zero = Array(repeating: 0.0, count: reference.count)
        let limits = self.limits
        var out: [Double] = []
        out.reserveCapacity(specification.samples * limits.count)
        for block in try blocks(serial: serial, { draws -> [Double] in
            var b: [Double] = []
            b.reserveCapacity(draws.count * limits.count)
            for d in draws {
                let one = d.model.doses(reference.map { $0 * d.activityFactor }), none = d.model.doses(zero)
                for l in limits { b.append(one.quantity(l.quantity) - none.quantity(l.quantity)) }
            }
            return b
        }) { out += block }
        return out
    }

    /// The dose already received per limit (the prior lung dose for the cumulative lung limit).
    var offsets: [Double] {
        let none = DoseModel(territories: territories, lungShuntFraction: lungShuntPercent / 100, doseFactor: doseFactor, lungMassKg: lungMassG / 1000,
                             wholeNormalLiverMassKg: wholeNormalLiverMassG / 1000, priorLungDoseGy: priorLungDoseGy)
            .doses(Array(repeating: 0, count: territories.count))
        return limits.map { none.quantity($0.quantity) }
    }

    /// How many samples exceed any limit at scale `s`, and how many exceed each limit.
    static func exceedances(_ slopes: [Double], offsets: [Double], limits: [(name: String, quantity: LimitQuantity, kind: CheckKind, limit: Double)],
                            scale s: Double) -> (any: Int, each: [Int]) {
        var any = 0
        var each = Array(repeating: 0, count: limits.count)
        let L = limits.count
        guard L > 0 else { return (0, each) }
        for start in stride(from: 0, to: slopes.count, by: L) {
            var hit = false
            for l in 0..<L where !limits[l].kind.holds(s * slopes[start + l] + offsets[l], limit: limits[l].limit) {
                each[l] += 1
                hit = true
            }
            if hit { any += 1 }
        }
        return (any, each)
    }

    /// The largest scale ≤ `upperScale` with P(exceed) ≤ α over the samples, and the limit most often
    /// exceeded just above it (nil when the chance constraint does not restrict `upperScale`).
    func chanceConstrainedScale(reference: [Double], alpha: Double, upperScale: Double) throws -> (scale: Double, binding: String?, probabilityAtUpper: Double) {
        let c = try slopes(reference: reference)
        let off = offsets
        let n = specification.samples
        let allowed = Int((alpha * Double(n)).rounded(.down))
        func count(_ s: Double) -> Int { Self.exceedances(c, offsets: off, limits: limits, scale: s).any }
        let atUpper = count(upperScale)
        if atUpper <= allowed { return (upperScale, nil, Double(atUpper) / Double(n)) }
        guard count(0) <= allowed else {
            return (0, mostExceeded(c, off, at: 0), Double(atUpper) / Double(n))
        }
        // A sign function of s: −1 while at most ⌊αN⌋ samples exceed, +1 beyond. Brent's bracket
        // closes on the step, and its lower end is the largest feasible scale to within relTol.
        let root = try RootFinder.brent(lower: 0, upper: upperScale, absTol: 0, relTol: 1e-12) { count($0) <= allowed ? -1 : 1 }
        var s = root.lower
        if count(s) > allowed { s = 0 }   // cannot happen for a monotone count; refuse to exceed α if it does
        return (s, mostExceeded(c, off, at: root.upper), Double(atUpper) / Double(n))
    }

    private func mostExceeded(_ c: [Double], _ off: [Double], at s: Double) -> String? {
        let each = Self.exceedances(c, offsets: off, limits: limits, scale: s).each
        guard let m = each.indices.max(by: { each[$0] < each[$1] || (each[$0] == each[$1] && $0 > $1) }) else { return nil }
        return limits[m].name
    }

    /// Intervals, exceedance probabilities and sensitivity of the plan as delivered (`delivered`: the
    /// activity of each treated territory, GBq).
    func summary(delivered: [Double], chanceConstraint: UncertaintyResult.ChanceConstraint?, serial: Bool = false) throws -> UncertaintyResult {
        let names = self.names
        var names_ = ["activityGBq", "lungDoseGy", "cumulativeLungDoseGy", "wholeNormalLiverDoseGy"]
        for (n, t) in names.enumerated() {
            let i = inputIndex[n]
            names_ += ["territories[\(i)].normalLiverDoseGy", "territories[\(i)].perfusedDoseGy"]
            names_ += t.tumors.map { "territories[\(i)].tumorDosesGy.\($0)" }
        }
        let outputNames = names_
        let limits = self.limits
        let inputCount = inputNames.count
        let activityDrawn = specification.activityCvPercent > 0
        let total = delivered.reduce(0, +)
        typealias Block = (inputs: [[Double]], outputs: [[Double]], failed: [[Bool]])
        let parts: [Block] = try blocks(serial: serial) { draws in
            var b: Block = (Array(repeating: [], count: inputCount), Array(repeating: [], count: outputNames.count), Array(repeating: [], count: limits.count))
            for d in draws {
                var inputs = d.inputs
                if activityDrawn { inputs[inputs.count - 1] *= total }
                for k in inputs.indices { b.inputs[k].append(inputs[k]) }
                let ds = d.model.doses(delivered.map { $0 * d.activityFactor })
                var out = [total * d.activityFactor, ds.lung, ds.quantity(.cumulativeLungDoseGy), ds.wholeNL]
                for n in ds.nl.indices { out += [ds.nl[n], ds.perfused[n]] + ds.tumors[n] }
                for k in out.indices { b.outputs[k].append(out[k]) }
                for (k, l) in limits.enumerated() { b.failed[k].append(!l.kind.holds(ds.quantity(l.quantity), limit: l.limit)) }
            }
            return b
        }
        var samples = PrescriptionSamples(count: specification.samples, inputs: inputNames.map { ($0, []) }, outputs: outputNames.map { ($0, []) },
                                          exceeded: limits.map { ($0.name, []) })
        for p in parts {
            for k in p.inputs.indices { samples.inputs[k].values += p.inputs[k] }
            for k in p.outputs.indices { samples.outputs[k].values += p.outputs[k] }
            for k in p.failed.indices { samples.exceeded[k].failed += p.failed[k] }
        }
        var r = UncertaintyResult(samples: samples, specification: specification)
        r.chanceConstraint = chanceConstraint
        // The results named after their quantity (lung, cumulative lung, whole normal liver) carry its limit.
        var checks: [String: String] = [:]
        for l in limits where outputNames.contains(l.quantity.rawValue) { checks[l.quantity.rawValue] = l.name }
        r.limitChecks = checks
        return r
    }
}

extension RadioembolizationPlanner.Territory {
    /// The same territory with other masses or T/N ratios (a Monte Carlo draw).
    func with(normalMassKg: Double, tumors: [(name: String, massKg: Double, tn: Double)]) -> RadioembolizationPlanner.Territory {
        var t = RadioembolizationPlanner.Territory(name: name, intent: intent, normalMassKg: normalMassKg, tumors: tumors)
        t.prescription = prescription
        t.targetGy = targetGy
        t.targetSource = targetSource
        t.perfusedLimitApplies = perfusedLimitApplies
        return t
    }
}
