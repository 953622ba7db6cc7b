// SPDX-License-Identifier: GPL-3.0-or-later
// The joint fit of the model's bead and in-vivo parameters to the published in-vitro and in-vivo points
// (`dosecalc deb-calibrate`).
//
// What is fitted is data: `reference-data/deb-fit/specification.json` names the parameters (each with its
// start value; a product's constants with the product), the points of `reference-data/deb-calibration/`
// used, what is simulated for each point (an in-vivo treatment, or 1 mL of beads in the closed vessel or
// under a sink: `InVitroComparison`), how each point is weighted, and the priors and rankings. The fit is
// nonlinear least squares with GSL's trust-region Levenberg–Marquardt (`GSLKit.NonlinearLeastSquares`):
//
//     minimise  Σ_i r_i(x)²,   over x = ln θ
//
// where r_i is the standardised residual of a fitted point (see `DEBFitSpecification`: absolute or
// relative SD, one-sided for a bound), of a prior or of a ranking pair. The parameters are fitted on the
// log scale (all are positive, and their uncertainties are relative). The Jacobian ∂r_i/∂x_j is a central
// difference with step h = 1e-4 in x (truncation ≈ h² ≈ 1e-8 relative; solver noise ≈ 1e-10/h ≈ 1e-6
// relative). A one-sided term is not differentiable at its kink; the trust region copes, but it may stop
// with a small step near one (the recorded convergence says so).
//
// The covariance of x is Σ = (JᵀJ)⁻¹, not rescaled by χ²/dof: the SDs, printed or assumed, are taken as
// absolute, and the priors are part of it. So is every one-sided term that is active at the optimum (a
// bound or ranking pair the fit presses against): its row counts as a measurement with the scale the
// specification gives it, so a parameter held by such a term (the exchange rates of DC Bead, by Gonzalez's
// "complete in under 4 h", and of LifePearl, by the t75 ranking) has an interval set by that chosen scale,
// not by data; an inactive one-sided term has a zero row and adds nothing. It is the uncertainty that `DEBPrediction` carries to a treatment's
// outputs. The result is written to `reference-data/deb-fit/result.json`; the values in `deb-model.json`
// and `products/deb-beads.json` must be the fitted ones (a test refits and compares;
// `reference-data/tools/apply_deb_fit.py` copies them).
import DosecalcCore
import Foundation
import GSLKit

/// A model parameter that the fit may adjust. The raw value is its key in `deb-model.json`, or, for a
/// parameter of one bead product, its key in `products/deb-beads.json`.
public enum DEBFitParameter: String, ClosedSet {
    case tissueTransferDiffusivityCm2PerS
    case tissueBindingRatio
    case sinkEquivalentTimeS
    case tissuePlasmaClearanceLPerH
    case beadDiffusivityCm2PerS
    case closedVesselFilmThicknessCm
    /// K_d of one product (`products/deb-beads.json`).
    case dissociationConstantMgPerMl
    /// k_off of one product (`products/deb-beads.json`).
    case exchangeRatePerH

    public var unit: String {
        switch self {
        case .tissueTransferDiffusivityCm2PerS, .beadDiffusivityCm2PerS: return "cm²/s"
        case .tissueBindingRatio: return "1"
        case .sinkEquivalentTimeS: return "s"
        case .tissuePlasmaClearanceLPerH: return "L/h"
        case .closedVesselFilmThicknessCm: return "cm"
        case .dissociationConstantMgPerMl: return "mg/mL"
        case .exchangeRatePerH: return "1/h"
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
        case .closedVesselFilmThicknessCm: return "effective boundary-layer thickness in the closed vessel"
        case .dissociationConstantMgPerMl: return "ion-exchange dissociation constant"
        case .exchangeRatePerH: return "ion-exchange rate"
        }
    }

    /// A constant of one bead product rather than of the model.
    public var isPerProduct: Bool { self == .dissociationConstantMgPerMl || self == .exchangeRatePerH }

    /// Whether the parameter can change what the model predicts in a patient (the closed-vessel film
    /// acts only in vitro).
    public var actsInVivo: Bool { self != .closedVesselFilmThicknessCm }
}

/// The values a fit may change: the model's parameters and the bead catalogue (whose products carry
/// their own constants).
public struct DEBParameterSet: Sendable, Equatable {
    public var model: DEBModelParameters
    public var catalogue: BeadCatalogue

    public init(model: DEBModelParameters, catalogue: BeadCatalogue) {
        self.model = model
        self.catalogue = catalogue
    }

    /// The parameter's value: of the model, or of `product` for a per-product parameter; nil when the
    /// parameter is not set (an optional film or exchange rate) or the product is not in the catalogue.
    public func value(_ name: DEBFitParameter, product: String?) -> Double? {
        if name.isPerProduct {
            guard let product, let b = catalogue.products.first(where: { $0.id == product }) else { return nil }
            return Self.value(name, of: b)
        }
        return Self.value(name, of: model)
    }

    public mutating func set(_ name: DEBFitParameter, product: String?, to v: Double) {
        if name.isPerProduct {
            guard let product, let i = catalogue.products.firstIndex(where: { $0.id == product }) else { return }
            Self.set(name, of: &catalogue.products[i], to: v)
        } else {
            Self.set(name, of: &model, to: v)
        }
    }

    public static func value(_ name: DEBFitParameter, of b: BeadProduct) -> Double? {
        switch name {
        case .dissociationConstantMgPerMl: return b.dissociationConstantMgPerMl
        case .exchangeRatePerH: return b.exchangeRatePerH
        default: return nil
        }
    }

    static func set(_ name: DEBFitParameter, of b: inout BeadProduct, to v: Double) {
        switch name {
        case .dissociationConstantMgPerMl: b.dissociationConstantMgPerMl = v
        case .exchangeRatePerH: b.exchangeRatePerH = v
        default: break
        }
    }

    public static func value(_ name: DEBFitParameter, of p: DEBModelParameters) -> Double? {
        switch name {
        case .tissueTransferDiffusivityCm2PerS: return p.tissueTransferDiffusivityCm2PerS
        case .tissueBindingRatio: return p.tissueBindingRatio
        case .sinkEquivalentTimeS: return p.sinkEquivalentTimeS
        case .tissuePlasmaClearanceLPerH: return p.tissuePlasmaClearanceLPerH
        case .beadDiffusivityCm2PerS: return p.beadDiffusivityCm2PerS
        case .closedVesselFilmThicknessCm: return p.closedVesselFilmThicknessCm
        case .dissociationConstantMgPerMl, .exchangeRatePerH: return nil
        }
    }

    static func set(_ name: DEBFitParameter, of p: inout DEBModelParameters, to v: Double) {
        switch name {
        case .tissueTransferDiffusivityCm2PerS: p.tissueTransferDiffusivityCm2PerS = v
        case .tissueBindingRatio: p.tissueBindingRatio = v
        case .sinkEquivalentTimeS: p.sinkEquivalentTimeS = v
        case .tissuePlasmaClearanceLPerH: p.tissuePlasmaClearanceLPerH = v
        case .beadDiffusivityCm2PerS: p.beadDiffusivityCm2PerS = v
        case .closedVesselFilmThicknessCm: p.closedVesselFilmThicknessCm = v
        case .dissociationConstantMgPerMl, .exchangeRatePerH: break
        }
    }
}

/// `reference-data/deb-fit/specification.json`: what the fit adjusts and what it is fitted to.
///
/// Each fitted point contributes one standardised residual:
///
///     measured, absolute SD σ:    (ŷ − y) / σ          (printed SD, or `assumedSd` where none or 0 is printed)
///     measured, relative SD s:    ln(ŷ / y) / s        (`relativeSd`: for times and concentrations known to a factor)
///     upper bound b:              max(ŷ − (b − m), 0) / σ   (m = `boundMarginForFit`, σ = `assumedSd`)
///     lower bound b:              min(ŷ − (b + m), 0) / σ
///
/// A bound costs nothing inside it; the margin m keeps the fitted model inside the published bound
/// (a one-sided penalty settles slightly outside the value it is aimed at). `orderings` add
/// min(ln(ŷ_a / (ρ ŷ_b)), 0) / s for each consecutive pair of an ordered list of points (a published
/// ranking), and `priors` add ln(θ / θ₀) / s for a parameter that the data alone leave undetermined.
public struct DEBFitSpecification: Sendable, Codable, Equatable {
    public struct Parameter: Sendable, Codable, Equatable {
        public let name: DEBFitParameter
        /// The bead product, for a per-product parameter (absent otherwise).
        public let product: CalibrationProduct?
        /// Where the iteration starts (in the parameter's unit, > 0).
        public let startValue: Double
        public let basis: String
    }

    /// One calibration point and the treatment (or in-vitro experiment) simulated for it.
    public struct Point: Sendable, Codable, Equatable {
        /// The id of a point in `reference-data/deb-calibration/`.
        public let id: String
        public let product: CalibrationProduct
        /// A size id of the product in `products/deb-beads.json`.
        public let size: String
        public let loadingMgPerMl: Double
        /// Dose (mg) of an in-vivo point; absent for an in-vitro point (1 mL of sedimented beads).
        public let doseMg: Double?
        public let treatmentBasis: String
        /// The absolute SD used to weight a fitted point whose source prints none (or prints 0), and the
        /// scale of a bound's penalty (same unit as the value).
        public let assumedSd: Double?
        public let assumedSdBasis: String?
        /// The SD of ln(value), for a point weighted by its relative error instead.
        public let relativeSd: Double?
        public let relativeSdBasis: String?
        /// For a fitted bound: how far inside the bound the fit aims (same unit as the value, ≥ 0).
        public let boundMarginForFit: Double?
    }

    /// A published ranking of fitted points (e.g. de Baere's order of the products' t75).
    public struct Ordering: Sendable, Codable, Equatable {
        public let id: String
        /// Point ids, from the largest value to the smallest.
        public let points: [String]
        /// Each value at least this many times the next (≥ 1).
        public let minimumRatio: Double
        /// Scale of the penalty in ln (> 0).
        public let lnScale: Double
        public let basis: String
    }

    /// A weak prior on the logarithm of a parameter that the points leave undetermined.
    public struct Prior: Sendable, Codable, Equatable {
        public let name: DEBFitParameter
        public let product: CalibrationProduct?
        public let centre: Double
        public let lnSd: Double
        public let basis: String
    }

    public let description: String
    public let schemaVersion: Int
    public let model: String
    public let parameters: [Parameter]
    public let points: [Point]
    public let orderings: [Ordering]
    public let priors: [Prior]

    public static let resourcePath = "deb-fit/specification.json"
    public static let supportedSchemaVersion = 2

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

    /// The rules that do not need the calibration data (those are checked by `DEBModelFit.prepare`).
    public func validate(file: String) throws {
        let fail = DataFileError.in(file)
        func positive(_ x: Double?, _ key: String) throws {
            if let x, !(x.isFinite && x > 0) { throw fail(key, "must be a finite number > 0; got \(x)") }
        }
        func basis(_ value: Double?, _ text: String?, _ key: String, _ what: String) throws {
            if value != nil {
                guard let t = text, !t.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail(key, "must say why \(what)") }
            } else if text != nil {
                throw fail(key, "must be absent when no value is given")
            }
        }
        guard schemaVersion == Self.supportedSchemaVersion else {
            throw fail("schemaVersion", "must be \(Self.supportedSchemaVersion); got \(schemaVersion)")
        }
        guard model == Chemoembolization.modelName else {
            throw fail("model", "must be \(Chemoembolization.modelName), the model dosecalc solves; got '\(model)'")
        }
        guard !parameters.isEmpty else { throw fail("parameters", "must name at least one parameter") }
        var seen = Set<String>()
        for (j, q) in parameters.enumerated() {
            guard q.name.isPerProduct == (q.product != nil) else {
                throw fail("parameters[\(j)].product", q.name.isPerProduct ? "must name the bead product of '\(q.name.rawValue)'"
                                                                            : "must be absent: '\(q.name.rawValue)' is a parameter of the model")
            }
            guard seen.insert(q.name.rawValue + "/" + (q.product?.rawValue ?? "")).inserted else {
                throw fail("parameters[\(j)].name", "'\(q.name.rawValue)'\(q.product.map { " of \($0.rawValue)" } ?? "") is listed twice")
            }
            guard q.startValue.isFinite, q.startValue > 0 else {
                throw fail("parameters[\(j)].startValue", "must be a finite number > 0; got \(q.startValue)")
            }
        }
        var ids = Set<String>()
        for (i, p) in points.enumerated() {
            let k = "points[\(i)]"
            guard ids.insert(p.id).inserted else { throw fail("\(k).id", "'\(p.id)' is listed twice") }
            guard p.loadingMgPerMl.isFinite, p.loadingMgPerMl > 0 else {
                throw fail("\(k).loadingMgPerMl", "must be a finite number > 0 mg/mL; got \(p.loadingMgPerMl)")
            }
            if let d = p.doseMg, !(d.isFinite && d > 0) { throw fail("\(k).doseMg", "must be a finite number > 0 mg; got \(d)") }
            try positive(p.assumedSd, "\(k).assumedSd")
            try positive(p.relativeSd, "\(k).relativeSd")
            try basis(p.assumedSd, p.assumedSdBasis, "\(k).assumedSdBasis", "the SD is assumed")
            try basis(p.relativeSd, p.relativeSdBasis, "\(k).relativeSdBasis", "the relative SD is assumed")
            guard p.assumedSd == nil || p.relativeSd == nil else {
                throw fail("\(k).relativeSd", "must be absent when an absolute SD is assumed (one weight per point)")
            }
            if let m = p.boundMarginForFit, !(m.isFinite && m >= 0) {
                throw fail("\(k).boundMarginForFit", "must be a finite number ≥ 0; got \(m)")
            }
        }
        for (i, o) in orderings.enumerated() {
            let k = "orderings[\(i)]"
            guard o.points.count >= 2 else { throw fail("\(k).points", "must list at least two points") }
            guard Set(o.points).count == o.points.count else { throw fail("\(k).points", "lists a point twice") }
            for id in o.points where !ids.contains(id) {
                throw fail("\(k).points", "'\(id)' is not a point of the specification")
            }
            guard o.minimumRatio.isFinite, o.minimumRatio >= 1 else { throw fail("\(k).minimumRatio", "must be a finite number ≥ 1; got \(o.minimumRatio)") }
            try positive(o.lnScale, "\(k).lnScale")
        }
        for (i, q) in priors.enumerated() {
            let k = "priors[\(i)]"
            guard parameters.contains(where: { $0.name == q.name && $0.product == q.product }) else {
                throw fail("\(k).name", "'\(q.name.rawValue)'\(q.product.map { " of \($0.rawValue)" } ?? "") is not a fitted parameter")
            }
            try positive(q.centre, "\(k).centre")
            try positive(q.lnSd, "\(k).lnSd")
        }
    }
}

/// The result of a fit, as written to `reference-data/deb-fit/result.json`.
public struct DEBFitResult: Sendable, Codable, Equatable {
    public struct Parameter: Sendable, Codable, Equatable {
        public let name: DEBFitParameter
        /// The bead product, for a per-product parameter.
        public let product: CalibrationProduct?
        public let value: Double
        public let unit: String
        /// Standard error of ln(value): the relative standard error.
        public let lnStandardError: Double
        /// 95 % confidence interval, exp(ln value ± 1.96 · lnStandardError).
        public let lower95: Double
        public let upper95: Double

        /// Words for a clinician: "ion-exchange rate of DC Bead".
        public var label: String { name.label + (product.map { " of \($0.displayName)" } ?? "") }
    }

    public struct Residual: Sendable, Codable, Equatable {
        public let id: String
        public let role: CalibrationRole
        public let quantity: CalibrationQuantity
        /// measured, approximate, upperBound or lowerBound.
        public let valueKind: CalibrationValueKind
        public let timeH: Double?
        public let observed: Double
        public let unit: CalibrationUnit
        /// The absolute SD that weights the point: printed, assumed, or none.
        public let sd: Double?
        /// The SD of ln(value), for a point weighted by its relative error.
        public let relativeSd: Double?
        public let sdBasis: String
        public let predicted: Double
        /// The point's standardised residual: the term of the fit (see `DEBFitSpecification`) for a
        /// fitted point, (predicted − observed)/sd (or ln(predicted/observed)/relativeSd) for a held-out
        /// measured value; nil for a held-out bound or a point without any SD.
        public let standardizedResidual: Double?
        /// predicted / observed, when the observed value is not 0.
        public let ratio: Double?
        /// For a bound: whether the model keeps it.
        public let boundKept: Bool?
    }

    /// A term of the fit that is not a data point: a prior or a ranking.
    public struct Penalty: Sendable, Codable, Equatable {
        public let id: String
        public let description: String
        public let standardizedResidual: Double
    }

    public struct Statistics: Sendable, Codable, Equatable {
        public let fittedPoints: Int
        public let penaltyTerms: Int
        public let parameters: Int
        /// fitted points + penalty terms − parameters.
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
    /// Σ = (JᵀJ)⁻¹ of the natural logarithms of `parameters`, in their order (J of the standardised terms).
    public let lnCovariance: [[Double]]
    public let residuals: [Residual]
    public let penalties: [Penalty]
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
        guard Set(parameters.map { $0.name.rawValue + "/" + ($0.product?.rawValue ?? "") }).count == p else {
            throw fail("parameters", "lists a parameter twice")
        }
        for (j, q) in parameters.enumerated() {
            guard q.value.isFinite, q.value > 0 else { throw fail("parameters[\(j)].value", "must be a finite number > 0; got \(q.value)") }
            guard q.name.isPerProduct == (q.product != nil) else {
                throw fail("parameters[\(j)].product", "must be given exactly for a per-product parameter")
            }
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

    /// The parameters with the fitted values put in.
    public func applied(to base: DEBParameterSet) -> DEBParameterSet {
        var p = base
        for q in parameters { p.set(q.name, product: q.product?.rawValue, to: q.value) }
        return p
    }
}

/// The fit itself.
public enum DEBModelFit {
    /// What is simulated for a point.
    enum Experiment: Hashable {
        /// An in-vivo treatment: product, size, loading (mg/mL), dose (mg).
        case inVivo(product: String, size: String, loadingMgPerMl: Double, doseMg: Double)
        /// 1 mL of sedimented beads in the closed vessel of `InVitroComparison`.
        case closedVessel(product: String, size: String, loadingMgPerMl: Double)
        /// 1 mL of sedimented beads under a perfect sink (USP apparatus II).
        case sink(product: String, size: String, loadingMgPerMl: Double)
    }

    /// One point prepared for the fit: the published value, how it is weighted, and what is simulated.
    struct PreparedPoint {
        let point: CalibrationPoint
        let spec: DEBFitSpecification.Point
        let experiment: Experiment
        let sd: Double?
        let relativeSd: Double?
        let sdBasis: String
        /// The simulated horizon (d) of an in-vivo point.
        var days: Double {
            max(1, ((point.timeH ?? 0) / 24).rounded(.up))
        }

        var isBound: Bool { point.valueKind == .upperBound || point.valueKind == .lowerBound }

        /// The standardised residual of the point for a prediction (see `DEBFitSpecification`); nil when
        /// the point has no weight (a held-out point without an SD).
        func standardized(_ y: Double) -> Double? {
            let v = point.value
            if isBound {
                guard let s = sd else { return nil }
                let m = spec.boundMarginForFit ?? 0
                return point.valueKind == .upperBound ? max(y - (v - m), 0) / s : min(y - (v + m), 0) / s
            }
            if let r = relativeSd { return log(y / v) / r }
            if let s = sd, s > 0 { return (y - v) / s }
            return nil
        }

        /// Whether a prediction keeps the published bound (nil for a measured value).
        func keeps(_ y: Double) -> Bool? {
            switch point.valueKind {
            case .upperBound: return y <= point.value
            case .lowerBound: return y >= point.value
            default: return nil
            }
        }
    }

    /// Quantities the model predicts, by regime.
    static let predictable: [CalibrationRegime: Set<CalibrationQuantity>] = [
        .inVivo: [.elutedPercent, .tissueUM, .plasmaCmaxNgPerMl],
        .inVitroClosed: [.t75Min, .plateauPercent],
        .inVitroSink: [.timeToCompleteElutionH, .firstOrderFitR2],
    ]

    /// Joins the specification to the calibration points and the bead catalogue, refusing any mismatch.
    static func prepare(spec: DEBFitSpecification, points: [CalibrationPoint], catalogue: BeadCatalogue,
                        file: String = DEBFitSpecification.resourcePath) throws -> [PreparedPoint] {
        let fail = DataFileError.in(file)
        // A value of the specification that a model rule refuses is broken reference data, named by its key.
        func checked<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let e as InputError { throw fail(e.field, e.message) }
        }
        let byId = Dictionary(points.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [PreparedPoint] = []
        for (i, s) in spec.points.enumerated() {
            let k = "points[\(i)]"
            guard let p = byId[s.id] else {
                throw fail("\(k).id", "'\(s.id)' is not a point of reference-data/\(DEBCalibrationData.folder)")
            }
            guard predictable[p.regime]?.contains(p.quantity) == true else {
                throw fail("\(k).id", "'\(s.id)' is not a quantity the model predicts (in vivo: eluted percent, tissue concentration, plasma peak; closed vessel: t75, plateau; sink: time to complete elution, first-order R²)")
            }
            let bound = p.valueKind == .upperBound || p.valueKind == .lowerBound
            guard p.valueKind == .measured || p.valueKind == .approximate || bound, p.unitCertain else {
                throw fail("\(k).id", "'\(s.id)' has an uncertain unit or kind; only measured values and bounds can be compared")
            }
            guard p.product == s.product else {
                throw fail("\(k).product", "must be the point's product '\(p.product.rawValue)'; got '\(s.product.rawValue)'")
            }
            if let size = p.sizeUm, size != s.size {
                throw fail("\(k).size", "must be the point's size class '\(size)'; got '\(s.size)'")
            }
            if let l = p.conditions.loadingMgPerMl, l != s.loadingMgPerMl {
                throw fail("\(k).loadingMgPerMl", "must be the point's loading \(Format.number(l)) mg/mL; got \(Format.number(s.loadingMgPerMl))")
            }
            let product = try checked { try catalogue.product(p.product.rawValue, field: "\(k).product") }
            let size = try checked { try product.size(s.size, field: "\(k).size") }
            let experiment: Experiment
            switch p.regime {
            case .inVivo:
                guard let dose = s.doseMg else { throw fail("\(k).doseMg", "must be given for an in-vivo point") }
                if let lo = p.conditions.doseMgMin, let hi = p.conditions.doseMgMax, !(lo...hi).contains(dose) {
                    throw fail("\(k).doseMg", "must lie in the point's dose range \(Format.number(lo))–\(Format.number(hi)) mg; got \(Format.number(dose))")
                }
                // The deposit's own checks (loading within the product's range, dose).
                _ = try checked { try BeadDeposit(product: product, size: size, loadingMgPerMl: s.loadingMgPerMl, doseMg: dose,
                                                  loadingField: "\(k).loadingMgPerMl", doseField: "\(k).doseMg") }
                experiment = .inVivo(product: product.id, size: size.id, loadingMgPerMl: s.loadingMgPerMl, doseMg: dose)
            case .inVitroClosed, .inVitroSink:
                guard s.doseMg == nil else { throw fail("\(k).doseMg", "must be absent for an in-vitro point (1 mL of sedimented beads is simulated)") }
                try checked { try BeadDeposit.checkLoading(s.loadingMgPerMl, product: product, field: "\(k).loadingMgPerMl") }
                // The experiment simulated is fixed (InVitroComparison); a point measured otherwise cannot be compared.
                let c = p.conditions
                if let v = c.beadVolumeMl, let m = c.mediumMl, p.regime == .inVitroClosed,
                   abs(m / v - InVitroComparison.closedVesselMediumMlPerMl) > 1e-9 * InVitroComparison.closedVesselMediumMlPerMl {
                    throw fail("\(k).id", "'\(s.id)' was measured with \(Format.number(m / v)) mL of medium per mL of beads; the closed vessel is simulated with \(Format.number(InVitroComparison.closedVesselMediumMlPerMl))")
                }
                if p.quantity == .plateauPercent, let t = p.timeH, t != InVitroComparison.closedVesselHorizonH {
                    throw fail("\(k).id", "'\(s.id)' is a plateau at \(Format.number(t)) h; the closed vessel is simulated to \(Format.number(InVitroComparison.closedVesselHorizonH)) h")
                }
                experiment = p.regime == .inVitroClosed
                    ? .closedVessel(product: product.id, size: size.id, loadingMgPerMl: s.loadingMgPerMl)
                    : .sink(product: product.id, size: size.id, loadingMgPerMl: s.loadingMgPerMl)
            default:
                preconditionFailure("the predictable quantities are in vivo, closed vessel or sink")
            }
            let fitted = p.role == .fit
            let sd: Double?, relative: Double?, basis: String
            if bound {
                guard s.relativeSd == nil else { throw fail("\(k).relativeSd", "must be absent for a bound; give the penalty's scale as assumedSd") }
                if fitted {
                    guard let a = s.assumedSd else { throw fail("\(k).assumedSd", "'\(s.id)' is a fitted bound; give the scale of its penalty and its basis") }
                    guard let m = s.boundMarginForFit else { throw fail("\(k).boundMarginForFit", "'\(s.id)' is a fitted bound; say how far inside it the fit aims (0 or more)") }
                    // The aim b − m of an upper bound must stay above 0 (every predicted quantity is positive), and the aim
                    // b + m of a lower bound on a fraction of 1 (R²) below 1.
                    if p.valueKind == .upperBound, m >= p.value {
                        throw fail("\(k).boundMarginForFit", "must be below the bound (\(Format.number(p.value))) so that the fit aims above 0; got \(Format.number(m))")
                    }
                    if p.valueKind == .lowerBound, p.unit == .one, p.value + m >= 1 {
                        throw fail("\(k).boundMarginForFit", "puts the aim at \(Format.number(p.value + m)), out of reach for a fraction of 1")
                    }
                    sd = a
                    basis = "bound, penalty scale assumed: " + (s.assumedSdBasis ?? "")
                } else {
                    guard s.assumedSd == nil, s.boundMarginForFit == nil else {
                        throw fail("\(k).assumedSd", "must be absent for a held-out bound (it is reported as kept or missed)")
                    }
                    sd = nil
                    basis = "bound"
                }
                relative = nil
            } else {
                guard s.boundMarginForFit == nil else { throw fail("\(k).boundMarginForFit", "applies to a bound only") }
                if let printed = p.sd, printed > 0 {
                    guard s.assumedSd == nil, s.relativeSd == nil else {
                        throw fail("\(k).\(s.assumedSd != nil ? "assumedSd" : "relativeSd")", "must be absent: the source prints an SD (\(Format.number(printed)))")
                    }
                    sd = printed; relative = nil; basis = "printed"
                } else if let a = s.assumedSd {
                    sd = a; relative = nil
                    basis = (p.sd == 0 ? "printed SD 0; assumed: " : "assumed: ") + (s.assumedSdBasis ?? "")
                } else if let r = s.relativeSd {
                    guard p.value > 0 else { throw fail("\(k).relativeSd", "needs a published value above 0 (its logarithm is compared); got \(Format.number(p.value))") }
                    sd = nil; relative = r
                    basis = "relative SD \(Format.number(r)) assumed: " + (s.relativeSdBasis ?? "")
                } else {
                    guard !fitted else {
                        throw fail("\(k).assumedSd", "'\(s.id)' is a fitted point without a printed SD above 0; give an assumed SD (absolute or relative) and its basis")
                    }
                    sd = nil; relative = nil; basis = p.sd == 0 ? "printed SD 0" : "none printed"
                }
            }
            out.append(PreparedPoint(point: p, spec: s, experiment: experiment, sd: sd, relativeSd: relative, sdBasis: basis))
        }
        guard out.contains(where: { $0.point.role == .fit }) else {
            throw fail("points", "must include at least one point whose role is fit")
        }
        return out
    }

    /// The model's prediction for each prepared point at `set`. Points that share an experiment share
    /// one solve (in vivo over the longest horizon among them).
    static func predict(_ points: [PreparedPoint], set: DEBParameterSet) throws -> [Double] {
        var order: [Experiment] = []
        var members: [Experiment: [Int]] = [:]
        for (i, p) in points.enumerated() {
            if members[p.experiment] == nil { order.append(p.experiment) }
            members[p.experiment, default: []].append(i)
        }
        var out = [Double](repeating: .nan, count: points.count)
        for e in order {
            let idx = members[e]!
            switch e {
            case let .inVivo(productId, sizeId, loading, dose):
                let product = try set.catalogue.product(productId)
                let deposit = try BeadDeposit(product: product, size: try product.size(sizeId), loadingMgPerMl: loading, doseMg: dose)
                let days = idx.map { points[$0].days }.max()!
                let times = idx.compactMap { points[$0].point.timeH }.filter { $0 <= days * 24 }
                var options = SimulationOptions()
                options.outputTimesH = times.isEmpty ? nil : times
                let r = try ElutionModel(treatment: DEBTreatment(deposits: [deposit]), parameters: set.model).simulate(days: days, options: options)
                for i in idx {
                    let p = points[i].point
                    switch p.quantity {
                    case .plasmaCmaxNgPerMl:
                        out[i] = r.summary.plasmaPeakNgPerMl
                    default:
                        let t = p.timeH!
                        guard let k = r.timesH.firstIndex(where: { abs($0 - t) <= 1e-9 * max(1, t) }) else {
                            throw InputError(field: points[i].spec.id, "no model output at \(Format.number(t)) h")
                        }
                        out[i] = p.quantity == .elutedPercent ? r.elutedPercent[k] : r.tissueUM[k]
                    }
                }
            case let .closedVessel(productId, sizeId, loading):
                let product = try set.catalogue.product(productId)
                let c = try InVitroComparison.closedVessel(product: product, size: try product.size(sizeId), loadingMgPerMl: loading, parameters: set.model)
                for i in idx { out[i] = points[i].point.quantity == .t75Min ? 60 * c.t75H : c.plateauPercent }
            case let .sink(productId, sizeId, loading):
                let product = try set.catalogue.product(productId)
                let s = try InVitroComparison.sinkRelease(product: product, size: try product.size(sizeId), loadingMgPerMl: loading, parameters: set.model)
                for i in idx { out[i] = points[i].point.quantity == .timeToCompleteElutionH ? s.t95H : s.r2 }
            }
        }
        return out
    }

    /// The fit's parameters, as (name, product id).
    struct Slot: Hashable {
        let name: DEBFitParameter
        let product: String?
    }

    /// The penalty terms (priors, then rankings) at parameters `x` (ln θ, in `slots` order) and predictions `y`.
    static func penalties(spec: DEBFitSpecification, slots: [Slot], x: [Double], points: [PreparedPoint], y: [Double])
        -> [DEBFitResult.Penalty] {
        var out: [DEBFitResult.Penalty] = []
        for q in spec.priors {
            let j = slots.firstIndex(of: Slot(name: q.name, product: q.product?.rawValue))!
            let what = q.name.label + (q.product.map { " of \($0.displayName)" } ?? "")
            out.append(.init(id: "prior: \(what)",
                             description: "ln(\(what) / \(Format.number(q.centre)) \(q.name.unit)) / \(Format.number(q.lnSd)): \(q.basis)",
                             standardizedResidual: (x[j] - log(q.centre)) / q.lnSd))
        }
        for o in spec.orderings {
            let idx = o.points.map { id in points.firstIndex { $0.point.id == id }! }
            for (a, b) in zip(idx, idx.dropFirst()) {
                out.append(.init(id: "\(o.id): \(points[a].point.id) > \(points[b].point.id)",
                                 description: "min(ln(model \(points[a].point.id) / (\(Format.number(o.minimumRatio)) × model \(points[b].point.id))), 0) / \(Format.number(o.lnScale)): \(o.basis)",
                                 standardizedResidual: min(log(y[a] / (o.minimumRatio * y[b])), 0) / o.lnScale))
            }
        }
        return out
    }

    /// Step of the central-difference Jacobian in ln θ.
    static let lnStep = 1e-4

    /// Runs the fit: the specification's parameters from their start values, every other value from
    /// `base`. Numerical failures are `GSLKit` errors; a mismatch between the specification and the
    /// data is a `DataFileError`.
    public static func fit(spec: DEBFitSpecification, points allPoints: [CalibrationPoint], base: DEBParameterSet) throws -> DEBFitResult {
        let file = DEBFitSpecification.resourcePath
        try spec.validate(file: file)   // the rules the residuals rely on, also for a specification not read from disk
        let points = try prepare(spec: spec, points: allPoints, catalogue: base.catalogue)
        let fitted = points.filter { $0.point.role == .fit }
        let slots = spec.parameters.map { Slot(name: $0.name, product: $0.product?.rawValue) }
        for (j, s) in slots.enumerated() where s.product != nil && base.catalogue.products.first(where: { $0.id == s.product }) == nil {
            throw DataFileError(file: file, key: "parameters[\(j)].product", message: "'\(s.product!)' is not in reference-data/\(BeadCatalogue.resourcePath)")
        }
        // A fitted parameter must already be in the model data with its source: fitting an exchange rate of a
        // product at local equilibrium, or a film the model does not use, would add a value without a source
        // (or one that moves nothing).
        for (j, s) in slots.enumerated() where base.value(s.name, product: s.product) == nil {
            throw DataFileError(file: file, key: "parameters[\(j)].name",
                                message: "'\(s.name.rawValue)'\(s.product.map { " of \($0)" } ?? "") has no value in the model data to fit; "
                                    + "give it one, with its source, in reference-data/\(s.product == nil ? DEBModelParameters.resourcePath : BeadCatalogue.resourcePath) first")
        }
        for (i, o) in spec.orderings.enumerated() {
            for id in o.points where fitted.first(where: { $0.point.id == id }) == nil {
                throw DataFileError(file: file, key: "orderings", message: "'\(id)' must be a fitted point to be ranked")
            }
            // A ranking compares like with like: values (not bounds) of one quantity in one unit.
            let ranked = o.points.compactMap { id in fitted.first { $0.point.id == id }?.point }
            if Set(ranked.map { "\($0.quantity.rawValue) \($0.unit.rawValue)" }).count > 1 || ranked.contains(where: { $0.valueKind == .upperBound || $0.valueKind == .lowerBound }) {
                throw DataFileError(file: file, key: "orderings[\(i)].points", message: "must be values (not bounds) of one quantity in one unit")
            }
        }
        let nPoints = fitted.count, nPenalties = spec.priors.count + spec.orderings.reduce(0) { $0 + $1.points.count - 1 }
        let n = nPoints + nPenalties, p = slots.count
        guard nPoints >= p else {
            throw DataFileError(file: file, key: "points",
                                message: "has \(nPoints) fitted points for \(p) parameters; a fit needs at least as many points as parameters")
        }
        func set(_ x: [Double]) -> DEBParameterSet {
            var q = base
            for (j, s) in slots.enumerated() { q.set(s.name, product: s.product, to: exp(x[j])) }
            return q
        }
        func terms(_ x: [Double]) throws -> [Double] {
            let y = try predict(fitted, set: set(x))
            var r = fitted.enumerated().map { i, pp in pp.standardized(y[i])! }
            r += penalties(spec: spec, slots: slots, x: x, points: fitted, y: y).map(\.standardizedResidual)
            return r
        }
        let start = spec.parameters.map { log($0.startValue) }
        let counter = EvaluationCounter()
        let solution = try NonlinearLeastSquares.fit(
            initial: start, residualCount: n,
            options: .init(maxIterations: 200, xtol: 1e-8, gtol: 1e-10),
            residuals: { x, f in
                counter.count += 1
                let r = try terms(Array(x))
                for i in 0..<n { f[i] = r[i] }
            },
            jacobian: { x, J in
                var xs = Array(x)
                for j in 0..<p {
                    let x0 = xs[j]
                    xs[j] = x0 + lnStep
                    let up = try terms(xs)
                    xs[j] = x0 - lnStep
                    let down = try terms(xs)
                    xs[j] = x0
                    counter.count += 2
                    for i in 0..<n { J[i * p + j] = (up[i] - down[i]) / (2 * lnStep) }
                }
            })
        let x = solution.parameters
        let final = set(x)
        let allPredicted = try predict(points, set: final)
        let fittedPredicted = points.indices.filter { points[$0].point.role == .fit }.map { allPredicted[$0] }
        let cov = solution.covariance
        let parameters = spec.parameters.enumerated().map { j, q in
            let se = cov[j][j].squareRoot(), v = exp(x[j])
            return DEBFitResult.Parameter(name: q.name, product: q.product, value: v, unit: q.name.unit, lnStandardError: se,
                                          lower95: v * exp(-DEBPrediction.z95 * se), upper95: v * exp(DEBPrediction.z95 * se))
        }
        return DEBFitResult(
            description: "Written by `dosecalc deb-calibrate` from reference-data/\(DEBFitSpecification.resourcePath) and the points of reference-data/\(DEBCalibrationData.folder). Parameters fitted on the log scale by GSL's trust-region Levenberg-Marquardt; each fitted point enters as its standardised residual (by its printed or assumed SD, by an assumed relative SD, or as a one-sided penalty for a bound), with the priors and rankings of the specification as further terms; lnCovariance is (JᵀJ)⁻¹ of the natural logarithms of the parameters, not rescaled by chi-squared per degree of freedom. Residuals are listed for every point named in the specification, fitted or held out for validation.",
            model: Chemoembolization.modelName,
            method: "gsl_multifit_nlinear, trust region, Levenberg-Marquardt, Moré scaling; central-difference Jacobian, step 1e-4 in ln θ",
            parameters: parameters, lnCovariance: cov, residuals: residuals(points, predicted: allPredicted),
            penalties: penalties(spec: spec, slots: slots, x: x, points: fitted, y: fittedPredicted),
            statistics: .init(fittedPoints: nPoints, penaltyTerms: nPenalties, parameters: p, degreesOfFreedom: n - p,
                              chiSquared: solution.chiSquared, iterations: solution.iterations, residualEvaluations: counter.count,
                              convergence: String(describing: solution.convergence)))
    }

    /// Each point against its prediction.
    static func residuals(_ points: [PreparedPoint], predicted: [Double]) -> [DEBFitResult.Residual] {
        points.enumerated().map { i, pp in
            let y = predicted[i]
            let z: Double? = pp.isBound && pp.point.role != .fit ? nil : pp.standardized(y)
            return DEBFitResult.Residual(
                id: pp.point.id, role: pp.point.role, quantity: pp.point.quantity, valueKind: pp.point.valueKind, timeH: pp.point.timeH,
                observed: pp.point.value, unit: pp.point.unit, sd: pp.sd, relativeSd: pp.relativeSd, sdBasis: pp.sdBasis,
                predicted: y, standardizedResidual: z,
                ratio: pp.point.value != 0 ? y / pp.point.value : nil, boundKept: pp.keeps(y))
        }
    }

    /// The model at the values it ships with (`deb-model.json` and `products/deb-beads.json`, not the
    /// stored fit) against every point of the specification, fitted and held out, in its order.
    public static func residualsAtShippedParameters() throws -> [DEBFitResult.Residual] {
        let catalogue = try BeadCatalogue.load()
        let points = try prepare(spec: try DEBFitSpecification.load(), points: try DEBCalibrationData.allPoints(), catalogue: catalogue)
        return residuals(points, predicted: try predict(points, set: DEBParameterSet(model: try DEBModelParameters.load(), catalogue: catalogue)))
    }

    /// The values the model ships with.
    public static func shippedParameterSet() throws -> DEBParameterSet {
        DEBParameterSet(model: try DEBModelParameters.load(), catalogue: try BeadCatalogue.load())
    }

    /// Loads the specification, the calibration data, the catalogue and the model parameters, and fits.
    public static func fitFromReferenceData() throws -> DEBFitResult {
        try fit(spec: try DEBFitSpecification.load(), points: try DEBCalibrationData.allPoints(), base: try shippedParameterSet())
    }
}

/// Counts model evaluations inside the fit's closures.
private final class EvaluationCounter: @unchecked Sendable { var count = 0 }
