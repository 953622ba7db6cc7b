// SPDX-License-Identifier: GPL-3.0-or-later
// The fit of the model's in-vivo parameters to the published points (`dosecalc deb-calibrate`).
//
// What is fitted is data: `reference-data/deb-fit/specification.json` names the parameters (each
// with its start value), the points of `reference-data/deb-calibration/` used, the treatment simulated
// for each point, and the standard deviation assumed where the source prints none. The fit is
// weighted nonlinear least squares with GSL's trust-region Levenberg–Marquardt
// (`GSLKit.NonlinearLeastSquares`):
//
//     minimise  Σ_i w_i (ŷ_i(θ) − y_i)²,   w_i = 1/σ_i²,   over x = ln θ
//
// where y_i is the printed value, σ_i its printed SD (or the assumed one), ŷ_i the model's prediction
// for the point's treatment. The parameters are fitted on the log scale (all are positive, and their
// uncertainties are relative). The Jacobian ∂ŷ_i/∂x_j is a central difference with step h = 1e-4 in
// x (truncation ≈ h² ≈ 1e-8 relative; solver noise ≈ 1e-10/h ≈ 1e-6 relative).
//
// The covariance of x is Σ = (JᵀWJ)⁻¹, not rescaled by χ²/dof: the σ_i are taken as absolute (the
// printed SDs are between-patient spreads). It is the uncertainty that `DEBPrediction` carries to a
// treatment's outputs. The result is written to `reference-data/deb-fit/result.json`; the values in
// `deb-model.json` must be the fitted ones (a test refits and compares).
import DosecalcCore
import Foundation
import GSLKit

/// A model parameter that the fit may adjust. The raw value is its key in `deb-model.json`.
public enum DEBFitParameter: String, ClosedSet {
    case tissueTransferDiffusivityCm2PerS
    case tissueBindingRatio
    case sinkEquivalentTimeS
    case tissuePlasmaClearanceLPerH
    case beadDiffusivityCm2PerS

    public var unit: String {
        switch self {
        case .tissueTransferDiffusivityCm2PerS, .beadDiffusivityCm2PerS: return "cm²/s"
        case .tissueBindingRatio: return "1"
        case .sinkEquivalentTimeS: return "s"
        case .tissuePlasmaClearanceLPerH: return "L/h"
        }
    }

    /// Words for a clinician ("tissue transfer diffusivity").
    public var label: String {
        switch self {
        case .tissueTransferDiffusivityCm2PerS: return "tissue transfer diffusivity"
        case .tissueBindingRatio: return "tissue binding ratio"
        case .sinkEquivalentTimeS: return "equivalent sink time during delivery"
        case .tissuePlasmaClearanceLPerH: return "tissue-plasma clearance"
        case .beadDiffusivityCm2PerS: return "diffusivity in the bead"
        }
    }

    /// Where the parameter lives in the model's parameter set.
    var keyPath: WritableKeyPath<DEBModelParameters, Double> {
        switch self {
        case .tissueTransferDiffusivityCm2PerS: return \.tissueTransferDiffusivityCm2PerS
        case .tissueBindingRatio: return \.tissueBindingRatio
        case .sinkEquivalentTimeS: return \.sinkEquivalentTimeS
        case .tissuePlasmaClearanceLPerH: return \.tissuePlasmaClearanceLPerH
        case .beadDiffusivityCm2PerS: return \.beadDiffusivityCm2PerS
        }
    }

    public func value(in p: DEBModelParameters) -> Double { p[keyPath: keyPath] }

    public func set(_ v: Double, in p: inout DEBModelParameters) { p[keyPath: keyPath] = v }
}

/// `reference-data/deb-fit/specification.json`: what the fit adjusts and what it is fitted to.
public struct DEBFitSpecification: Sendable, Codable, Equatable {
    public struct Parameter: Sendable, Codable, Equatable {
        public let name: DEBFitParameter
        /// Where the iteration starts (in the parameter's unit, > 0).
        public let startValue: Double
        public let basis: String
    }

    /// One calibration point and the treatment simulated for it.
    public struct Point: Sendable, Codable, Equatable {
        /// The id of a point in `reference-data/deb-calibration/`.
        public let id: String
        public let product: CalibrationProduct
        /// A size id of the product in `products/deb-beads.json`.
        public let size: String
        public let loadingMgPerMl: Double
        public let doseMg: Double
        public let treatmentBasis: String
        /// The SD used to weight a fitted point whose source prints none (same unit as the value).
        public let assumedSd: Double?
        public let assumedSdBasis: String?
    }

    public let description: String
    public let schemaVersion: Int
    public let model: String
    public let parameters: [Parameter]
    public let points: [Point]

    public static let resourcePath = "deb-fit/specification.json"
    public static let supportedSchemaVersion = 1

    public static func load() throws -> DEBFitSpecification {
        let s = try ReferenceData.load(DEBFitSpecification.self, from: resourcePath)
        try s.validate(file: resourcePath)
        return s
    }

    public static func decode(_ data: Data, file: String) throws -> DEBFitSpecification {
        let s = try ReferenceData.decodeStrict(DEBFitSpecification.self, from: data, file: file)
        try s.validate(file: file)
        return s
    }

    /// The rules that do not need the calibration data (those are checked by `DEBModelFit.problem`).
    public func validate(file: String) throws {
        let fail = DataFileError.in(file)
        guard schemaVersion == Self.supportedSchemaVersion else {
            throw fail("schemaVersion", "must be \(Self.supportedSchemaVersion); got \(schemaVersion)")
        }
        guard model == Chemoembolization.modelName else {
            throw fail("model", "must be \(Chemoembolization.modelName), the model dosecalc solves; got '\(model)'")
        }
        guard !parameters.isEmpty else { throw fail("parameters", "must name at least one parameter") }
        var seen = Set<DEBFitParameter>()
        for (j, q) in parameters.enumerated() {
            guard seen.insert(q.name).inserted else { throw fail("parameters[\(j)].name", "'\(q.name.rawValue)' is listed twice") }
            guard q.startValue.isFinite, q.startValue > 0 else {
                throw fail("parameters[\(j)].startValue", "must be a finite number > 0; got \(q.startValue)")
            }
        }
        var ids = Set<String>()
        for (i, p) in points.enumerated() {
            guard ids.insert(p.id).inserted else { throw fail("points[\(i)].id", "'\(p.id)' is listed twice") }
            guard p.loadingMgPerMl.isFinite, p.loadingMgPerMl > 0 else {
                throw fail("points[\(i)].loadingMgPerMl", "must be a finite number > 0 mg/mL; got \(p.loadingMgPerMl)")
            }
            guard p.doseMg.isFinite, p.doseMg > 0 else {
                throw fail("points[\(i)].doseMg", "must be a finite number > 0 mg; got \(p.doseMg)")
            }
            if let s = p.assumedSd {
                guard s.isFinite, s > 0 else { throw fail("points[\(i)].assumedSd", "must be a finite number > 0; got \(s)") }
                guard let b = p.assumedSdBasis, !b.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw fail("points[\(i)].assumedSdBasis", "must say why the SD is assumed")
                }
            } else if p.assumedSdBasis != nil {
                throw fail("points[\(i)].assumedSdBasis", "must be null when no SD is assumed")
            }
        }
    }
}

/// The result of a fit, as written to `reference-data/deb-fit/result.json`.
public struct DEBFitResult: Sendable, Codable, Equatable {
    public struct Parameter: Sendable, Codable, Equatable {
        public let name: DEBFitParameter
        public let value: Double
        public let unit: String
        /// Standard error of ln(value): the relative standard error.
        public let lnStandardError: Double
        /// 95 % confidence interval, exp(ln value ± 1.96 · lnStandardError).
        public let lower95: Double
        public let upper95: Double
    }

    public struct Residual: Sendable, Codable, Equatable {
        public let id: String
        public let role: CalibrationRole
        public let quantity: CalibrationQuantity
        public let timeH: Double?
        public let observed: Double
        public let unit: CalibrationUnit
        /// The SD that weights the point: printed, assumed, or none (a validation point without one).
        public let sd: Double?
        public let sdBasis: String
        public let predicted: Double
        /// (predicted − observed) / sd, when an SD above 0 is known.
        public let standardizedResidual: Double?
        /// predicted / observed, when the observed value is not 0.
        public let ratio: Double?
    }

    public struct Statistics: Sendable, Codable, Equatable {
        public let fittedPoints: Int
        public let parameters: Int
        public let degreesOfFreedom: Int
        public let chiSquared: Double
        public let iterations: Int
        public let residualEvaluations: Int
        public let convergence: String
    }

    public let description: String
    public let model: String
    public let method: String
    public let parameters: [Parameter]
    /// Σ = (JᵀWJ)⁻¹ of the natural logarithms of `parameters`, in their order.
    public let lnCovariance: [[Double]]
    public let residuals: [Residual]
    public let statistics: Statistics

    public static let resourcePath = "deb-fit/result.json"

    public static func load() throws -> DEBFitResult {
        let r = try ReferenceData.load(DEBFitResult.self, from: resourcePath)
        try r.validate(file: resourcePath)
        return r
    }

    /// A covariance that is square, of the parameters' size, symmetric and with positive variances.
    public func validate(file: String) throws {
        let fail = DataFileError.in(file)
        guard model == Chemoembolization.modelName else {
            throw fail("model", "must be \(Chemoembolization.modelName); got '\(model)'")
        }
        let p = parameters.count
        guard p > 0 else { throw fail("parameters", "must not be empty") }
        guard Set(parameters.map(\.name)).count == p else { throw fail("parameters", "lists a parameter twice") }
        for (j, q) in parameters.enumerated() where !(q.value.isFinite && q.value > 0) {
            throw fail("parameters[\(j)].value", "must be a finite number > 0; got \(q.value)")
        }
        guard lnCovariance.count == p, lnCovariance.allSatisfy({ $0.count == p }) else {
            throw fail("lnCovariance", "must be a \(p) × \(p) matrix")
        }
        for i in 0..<p {
            guard lnCovariance[i][i].isFinite, lnCovariance[i][i] > 0 else {
                throw fail("lnCovariance[\(i)][\(i)]", "must be a finite variance > 0; got \(lnCovariance[i][i])")
            }
            for j in 0..<p {
                let a = lnCovariance[i][j], b = lnCovariance[j][i]
                guard a.isFinite, abs(a - b) <= 1e-12 * max(1, abs(a)),
                      abs(a) <= (lnCovariance[i][i] * lnCovariance[j][j]).squareRoot() * (1 + 1e-9) else {
                    throw fail("lnCovariance[\(i)][\(j)]", "must be finite, symmetric and no larger than the variances allow")
                }
            }
        }
    }

    /// The model parameters with the fitted values put in.
    public func applied(to base: DEBModelParameters) -> DEBModelParameters {
        var p = base
        for q in parameters { q.name.set(q.value, in: &p) }
        return p
    }
}

/// The fit itself.
public enum DEBModelFit {
    /// One point prepared for the fit: the published value and the treatment simulated for it.
    struct PreparedPoint {
        let point: CalibrationPoint
        let spec: DEBFitSpecification.Point
        let treatment: DEBTreatment
        let sd: Double?
        let sdBasis: String
        /// The simulated horizon (d) the point needs.
        var days: Double {
            max(1, ((point.timeH ?? 0) / 24).rounded(.up))
        }
    }

    /// Quantities the in-vivo model predicts.
    static let predictable: Set<CalibrationQuantity> = [.elutedPercent, .tissueUM, .plasmaCmaxNgPerMl]

    /// Joins the specification to the calibration points and the bead catalogue, refusing any mismatch.
    static func prepare(spec: DEBFitSpecification, points: [CalibrationPoint], catalogue: BeadCatalogue,
                        file: String = DEBFitSpecification.resourcePath) throws -> [PreparedPoint] {
        let fail = DataFileError.in(file)
        let byId = Dictionary(points.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [PreparedPoint] = []
        for (i, s) in spec.points.enumerated() {
            guard let p = byId[s.id] else {
                throw fail("points[\(i)].id", "'\(s.id)' is not a point of reference-data/\(DEBCalibrationData.folder)")
            }
            guard p.regime == .inVivo, predictable.contains(p.quantity) else {
                throw fail("points[\(i)].id", "'\(s.id)' is not an in-vivo eluted percent, tissue concentration or plasma peak, which the model predicts")
            }
            guard p.valueKind == .measured || p.valueKind == .approximate, p.unitCertain else {
                throw fail("points[\(i)].id", "'\(s.id)' is a bound or has an uncertain unit; only measured values can be compared")
            }
            guard p.product == s.product else {
                throw fail("points[\(i)].product", "must be the point's product '\(p.product.rawValue)'; got '\(s.product.rawValue)'")
            }
            if let size = p.sizeUm, size != s.size {
                throw fail("points[\(i)].size", "must be the point's size class '\(size)'; got '\(s.size)'")
            }
            if let l = p.conditions.loadingMgPerMl, l != s.loadingMgPerMl {
                throw fail("points[\(i)].loadingMgPerMl", "must be the point's loading \(Format.number(l)) mg/mL; got \(Format.number(s.loadingMgPerMl))")
            }
            if let lo = p.conditions.doseMgMin, let hi = p.conditions.doseMgMax, !(lo...hi).contains(s.doseMg) {
                throw fail("points[\(i)].doseMg", "must lie in the point's dose range \(Format.number(lo))–\(Format.number(hi)) mg; got \(Format.number(s.doseMg))")
            }
            let sd: Double?, basis: String
            if let printed = p.sd {
                guard s.assumedSd == nil else {
                    throw fail("points[\(i)].assumedSd", "must be null: the source prints an SD (\(Format.number(printed)))")
                }
                guard printed > 0 || p.role == .validation else {
                    throw fail("points[\(i)].id", "'\(s.id)' has a printed SD of 0 and cannot weight a fit")
                }
                sd = printed
                basis = "printed"
            } else if let a = s.assumedSd {
                sd = a
                basis = "assumed: " + (s.assumedSdBasis ?? "")
            } else {
                guard p.role == .validation else {
                    throw fail("points[\(i)].assumedSd", "'\(s.id)' is a fitted point without a printed SD; give an assumed SD and its basis")
                }
                sd = nil
                basis = "none printed"
            }
            let product = try catalogue.product(p.product.rawValue, field: "points[\(i)].product")
            let deposit = try BeadDeposit(product: product, size: try product.size(s.size, field: "points[\(i)].size"),
                                          loadingMgPerMl: s.loadingMgPerMl, doseMg: s.doseMg,
                                          loadingField: "points[\(i)].loadingMgPerMl", doseField: "points[\(i)].doseMg")
            out.append(PreparedPoint(point: p, spec: s, treatment: DEBTreatment(deposits: [deposit]), sd: sd, sdBasis: basis))
        }
        guard out.contains(where: { $0.point.role == .fit }) else {
            throw fail("points", "must include at least one point whose role is fit")
        }
        return out
    }

    /// The model's prediction for each prepared point. Points that share a treatment share one solve
    /// (over the longest horizon among them).
    static func predict(_ points: [PreparedPoint], parameters: DEBModelParameters) throws -> [Double] {
        var groups: [Int: [Int]] = [:]   // first index with the same treatment → members
        var leader: [Int] = []
        for (i, p) in points.enumerated() {
            if let j = leader.first(where: { points[$0].treatment == p.treatment }) { groups[j, default: []].append(i) } else {
                leader.append(i); groups[i] = [i]
            }
        }
        var out = [Double](repeating: .nan, count: points.count)
        for j in leader {
            let members = groups[j]!
            let days = members.map { points[$0].days }.max()!
            let times = members.compactMap { points[$0].point.timeH }.filter { $0 <= days * 24 }
            var options = SimulationOptions()
            options.outputTimesH = times.isEmpty ? nil : times
            let r = try ElutionModel(treatment: points[j].treatment, parameters: parameters).simulate(days: days, options: options)
            for i in members {
                let p = points[i].point
                switch p.quantity {
                case .plasmaCmaxNgPerMl:
                    out[i] = r.summary.plasmaPeakNgPerMl
                case .elutedPercent, .tissueUM:
                    let t = p.timeH!
                    guard let k = r.timesH.firstIndex(where: { abs($0 - t) <= 1e-9 * max(1, t) }) else {
                        throw InputError(field: points[i].spec.id, "no model output at \(Format.number(t)) h")
                    }
                    out[i] = p.quantity == .elutedPercent ? r.elutedPercent[k] : r.tissueUM[k]
                default:
                    throw InputError(field: points[i].spec.id, "is not a quantity the model predicts")
                }
            }
        }
        return out
    }

    /// Step of the central-difference Jacobian in ln θ.
    static let lnStep = 1e-4

    /// Runs the fit: the specification's parameters from their start values, every other parameter
    /// from `base`. Numerical failures are `GSLKit` errors; a mismatch between the specification and
    /// the data is a `DataFileError`.
    public static func fit(spec: DEBFitSpecification, points allPoints: [CalibrationPoint], catalogue: BeadCatalogue,
                           base: DEBModelParameters) throws -> DEBFitResult {
        let points = try prepare(spec: spec, points: allPoints, catalogue: catalogue)
        let fitted = points.filter { $0.point.role == .fit }
        let names = spec.parameters.map(\.name)
        let n = fitted.count, p = names.count
        guard n >= p else {
            throw DataFileError(file: DEBFitSpecification.resourcePath, key: "points",
                                message: "has \(n) fitted points for \(p) parameters; a fit needs at least as many points as parameters")
        }
        func model(_ x: UnsafeBufferPointer<Double>) -> DEBModelParameters {
            var q = base
            for (j, name) in names.enumerated() { name.set(exp(x[j]), in: &q) }
            return q
        }
        let start = spec.parameters.map { log($0.startValue) }
        let observed = fitted.map(\.point.value)
        let weights = fitted.map { 1 / ($0.sd! * $0.sd!) }
        let counter = EvaluationCounter()
        let solution = try NonlinearLeastSquares.fit(
            initial: start, residualCount: n, weights: weights,
            options: .init(maxIterations: 100, xtol: 1e-8, gtol: 1e-10),
            residuals: { x, f in
                counter.count += 1
                let y = try predict(fitted, parameters: model(x))
                for i in 0..<n { f[i] = y[i] - observed[i] }
            },
            jacobian: { x, J in
                var xs = Array(x)
                for j in 0..<p {
                    let x0 = xs[j]
                    xs[j] = x0 + lnStep
                    let up = try xs.withUnsafeBufferPointer { try predict(fitted, parameters: model($0)) }
                    xs[j] = x0 - lnStep
                    let down = try xs.withUnsafeBufferPointer { try predict(fitted, parameters: model($0)) }
                    xs[j] = x0
                    counter.count += 2
                    for i in 0..<n { J[i * p + j] = (up[i] - down[i]) / (2 * lnStep) }
                }
            })
        let x = solution.parameters
        let values = x.map { exp($0) }
        let final = x.withUnsafeBufferPointer { model($0) }
        let predicted = try predict(points, parameters: final)
        let cov = solution.covariance
        let parameters = names.enumerated().map { j, name in
            let se = cov[j][j].squareRoot()
            return DEBFitResult.Parameter(name: name, value: values[j], unit: name.unit, lnStandardError: se,
                                          lower95: values[j] * exp(-1.959963984540054 * se),
                                          upper95: values[j] * exp(1.959963984540054 * se))
        }
        let residuals = residuals(points, predicted: predicted)
        return DEBFitResult(
            description: "Written by `dosecalc deb-calibrate` from reference-data/\(DEBFitSpecification.resourcePath) and the points of reference-data/\(DEBCalibrationData.folder). Parameters fitted on the log scale by GSL's trust-region Levenberg-Marquardt, weighted by 1/SD²; lnCovariance is (JᵀWJ)⁻¹ of their natural logarithms, not rescaled by chi-squared per degree of freedom. Residuals are listed for every point named in the specification, fitted or held out for validation.",
            model: Chemoembolization.modelName,
            method: "gsl_multifit_nlinear, trust region, Levenberg-Marquardt, Moré scaling; central-difference Jacobian, step 1e-4 in ln θ; ODE solves at relative tolerance 1e-10",
            parameters: parameters, lnCovariance: cov, residuals: residuals,
            statistics: .init(fittedPoints: n, parameters: p, degreesOfFreedom: n - p, chiSquared: solution.chiSquared,
                              iterations: solution.iterations, residualEvaluations: counter.count,
                              convergence: String(describing: solution.convergence)))
    }

    /// Each point against its prediction: (model − published)/SD where an SD above 0 is known, and
    /// model/published where the published value is not 0.
    static func residuals(_ points: [PreparedPoint], predicted: [Double]) -> [DEBFitResult.Residual] {
        points.enumerated().map { i, pp in
            DEBFitResult.Residual(
                id: pp.point.id, role: pp.point.role, quantity: pp.point.quantity, timeH: pp.point.timeH,
                observed: pp.point.value, unit: pp.point.unit, sd: pp.sd, sdBasis: pp.sdBasis,
                predicted: predicted[i],
                standardizedResidual: pp.sd.flatMap { $0 > 0 ? (predicted[i] - pp.point.value) / $0 : nil },
                ratio: pp.point.value != 0 ? predicted[i] / pp.point.value : nil)
        }
    }

    /// The model at the parameters it ships with (`deb-model.json`, not the stored fit) against every
    /// point of the specification, fitted and held out, in the specification's order.
    public static func residualsAtShippedParameters() throws -> [DEBFitResult.Residual] {
        let points = try prepare(spec: try DEBFitSpecification.load(), points: try DEBCalibrationData.allPoints(),
                                 catalogue: try BeadCatalogue.load())
        return residuals(points, predicted: try predict(points, parameters: try DEBModelParameters.load()))
    }

    /// Loads the specification, the calibration data, the catalogue and the model parameters, and fits.
    public static func fitFromReferenceData() throws -> DEBFitResult {
        try fit(spec: try DEBFitSpecification.load(), points: try DEBCalibrationData.allPoints(),
                catalogue: try BeadCatalogue.load(), base: try DEBModelParameters.load())
    }
}

/// Counts model evaluations inside the fit's closures.
private final class EvaluationCounter: @unchecked Sendable { var count = 0 }
