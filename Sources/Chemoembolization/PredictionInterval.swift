// SPDX-License-Identifier: GPL-3.0-or-later
// 95 % prediction intervals of a treatment's outputs from the uncertainty of the fitted parameters.
//
// Delta method on transformed outputs. With x = ln θ the fitted parameters (covariance Σ from
// `reference-data/deb-fit/result.json`) and an output y(x):
//
//     g(y) = ln y               for concentrations (plasma and tissue peaks, tissue at 30 d)
//     g(y) = ln(y / (100 − y))  for eluted percentages (so the interval stays inside (0, 100) %)
//     ∂g/∂x_j ≈ (g(x + h e_j) − g(x − h e_j)) / 2h,   h = 1e-3   (two solves per parameter)
//     σ_g² = ∇gᵀ Σ ∇g,     interval = g⁻¹(g(y) ± 1.96 σ_g)
//
// An eluted percentage that reaches 100 % (or stays at 0 %) to round-off in the nominal or a perturbed
// solve has no log-odds; its interval is the range of the nominal and perturbed values (round-off wide).
//
// The interval covers the uncertainty of the fitted parameters only, as the fit states it (printed and
// assumed SDs taken as absolute; priors, and the bounds and rankings the fit presses against, at the scales
// the specification gives them; see ModelFit.swift): not the form of the model, not the parameters that
// were not fitted. Each output's interval is marginal (95 % for that output alone).
import DosecalcCore
import Foundation
import GSLKit

/// A two-sided interval in the output's unit.
public struct DEBPredictionInterval: Sendable, Codable, Equatable {
    public let lower: Double
    public let upper: Double
}

/// The 95 % intervals of one treatment's outputs.
public struct DEBPredictionIntervals: Sendable, Codable, Equatable {
    public let levelPercent: Double
    public let plasmaPeakNgPerMl: DEBPredictionInterval
    public let tissuePeakUM: DEBPredictionInterval
    public let tissueUMAt30d: DEBPredictionInterval?
    public let elutedPercentByDay: [String: DEBPredictionInterval]
    /// What the interval covers, in words.
    public let basis: String
}

public enum DEBPrediction {
    /// The two-sided 95 % standard normal quantile.
    public static let z95 = 1.959963984540054
    /// Step in ln θ of the central differences.
    static let lnStep = 1e-3

    public static let basis = "95 % intervals from the uncertainty of the fitted parameters (reference-data/deb-fit/result.json), carried by the delta method on the logarithm of each concentration and the log-odds of each eluted percentage; the published bounds and rankings that the fit presses against enter at the penalty scales the fit specification chose, so the exchange rates they hold are less certain than their intervals say. They do not include errors in the form of the model or in the parameters that were not fitted."

    /// The fitted values must be the ones the model uses (`parameters`, and the constants of each
    /// product in `products`): otherwise the covariance does not describe them and no interval is given
    /// (the fit must be rerun and written). Per-product values of products not in `products` are not
    /// compared.
    public static func checkMatches(_ parameters: DEBModelParameters, products: [BeadProduct], fit: DEBFitResult) throws {
        for q in fit.parameters {
            let v: Double?, file: String
            if let id = q.product?.rawValue {
                guard let b = products.first(where: { $0.id == id }) else { continue }
                v = DEBParameterSet.value(q.name, of: b)
                file = BeadCatalogue.resourcePath
            } else {
                v = DEBParameterSet.value(q.name, of: parameters)
                file = DEBModelParameters.resourcePath
            }
            guard let v, abs(v / q.value - 1) <= 1e-6 else {
                let held = v.map { Format.number($0, significant: 8) + " " + q.unit } ?? "no value"
                throw DataFileError(file: DEBFitResult.resourcePath, key: "parameters",
                                    message: "the fitted \(q.label) is \(Format.number(q.value, significant: 8)) \(q.unit), but reference-data/\(file) holds \(held); rerun dosecalc deb-calibrate --output reference-data/\(DEBFitResult.resourcePath) and put the fitted values in the reference data")
            }
        }
    }

    /// Intervals for `model` simulated over `days` days, whose nominal summary is `nominal`.
    public static func intervals(model: ElutionModel, nominal: DEBSummary, days: Double, fit: DEBFitResult) throws -> DEBPredictionIntervals {
        let products = model.treatment.deposits.map(\.product)
        try checkMatches(model.parameters, products: products, fit: fit)
        // Only parameters that can move this treatment's outputs: the others have a zero gradient.
        let relevant = fit.parameters.indices.filter { j in
            let q = fit.parameters[j]
            guard q.name.actsInVivo else { return false }
            return q.product.map { id in products.contains { $0.id == id.rawValue } } ?? true
        }
        var options = SimulationOptions()
        options.outputTimesH = []
        func summary(_ j: Int, _ sign: Double) throws -> DEBSummary {
            let q = fit.parameters[j]
            var parameters = model.parameters
            var treatment = model.treatment
            let factor = exp(sign * lnStep)
            if let id = q.product?.rawValue {
                treatment.deposits = try treatment.deposits.map { d in
                    guard d.product.id == id, let v = DEBParameterSet.value(q.name, of: d.product) else { return d }
                    var b = d.product
                    DEBParameterSet.set(q.name, of: &b, to: v * factor)
                    return try BeadDeposit(product: b, size: d.size, loadingMgPerMl: d.loadingMgPerMl, doseMg: d.doseMg)
                }
            } else if let v = DEBParameterSet.value(q.name, of: parameters) {
                DEBParameterSet.set(q.name, of: &parameters, to: v * factor)
            }
            return try ElutionModel(treatment: treatment, parameters: parameters).simulate(days: days, options: options).summary
        }
        var up: [Int: DEBSummary] = [:], down: [Int: DEBSummary] = [:]
        for j in relevant {
            up[j] = try summary(j, 1)
            down[j] = try summary(j, -1)
        }
        func interval(_ what: String, _ value: (DEBSummary) -> Double?, percent: Bool) throws -> DEBPredictionInterval? {
            guard let y0 = value(nominal) else { return nil }
            func g(_ y: Double) -> Double { percent ? log(y / (100 - y)) : log(y) }
            func inverse(_ t: Double) -> Double { percent ? 100 / (1 + exp(-t)) : exp(t) }
            var grad: [Int: Double] = [:]
            var all = [y0]
            for j in relevant {
                guard let a = value(up[j]!), let b = value(down[j]!) else { return nil }
                all += [a, b]
                grad[j] = (g(a) - g(b)) / (2 * lnStep)
            }
            // A percentage that is complete (100 %) or nil (0 %) to round-off in one of the solves has no
            // log-odds: the parameters cannot move it beyond round-off, so its interval is the range the
            // solves span.
            if percent, !all.allSatisfy({ g($0).isFinite }) {
                return DEBPredictionInterval(lower: all.min()!, upper: all.max()!)
            }
            var variance = 0.0
            for a in relevant { for b in relevant { variance += grad[a]! * fit.lnCovariance[a][b] * grad[b]! } }
            let centre = g(y0), sd = variance.squareRoot()
            let lo = inverse(centre - z95 * sd), hi = inverse(centre + z95 * sd)
            guard centre.isFinite, variance >= 0, lo.isFinite, hi.isFinite else {
                throw SolverFailure(tReached: days * 24, timeUnit: "h",
                                    reason: .nonFiniteValue(quantity: "the prediction interval of \(what)", value: variance))
            }
            return DEBPredictionInterval(lower: lo, upper: hi)
        }
        var byDay: [String: DEBPredictionInterval] = [:]
        for d in nominal.elutedPercentByDay.keys {
            byDay[d] = try interval("the eluted percentage at day \(d)", { $0.elutedPercentByDay[d] }, percent: true)
        }
        return DEBPredictionIntervals(
            levelPercent: 95,
            plasmaPeakNgPerMl: try interval("the plasma peak", { $0.plasmaPeakNgPerMl }, percent: false)!,
            tissuePeakUM: try interval("the tissue peak", { $0.tissuePeakUM }, percent: false)!,
            tissueUMAt30d: try interval("the tissue concentration at 30 days", { $0.tissueUMAt30d }, percent: false),
            elutedPercentByDay: byDay, basis: basis)
    }
}
