// SPDX-License-Identifier: GPL-3.0-or-later
import Chemoembolization
import ClinicalPolicy
import DosecalcCore
import GSLKit
import PatientAssessment

/// Drug-eluting-bead (DEB-TACE) planning with the elution model.
///
/// For each allowed size class, and each loading L, the dose is the largest that the rules allow:
///
///     dose(L) = min(session cap after the bilirubin reduction, lifetime remainder, requested dose,
///                   V_max · L, dose at which the plasma peak reaches its limit)
///
/// The last term is found by scaling the dose (the peak is proportional to it at a fixed loading), checked
/// by a solve, with GSL's Brent root finder on peak(dose) − limit as the fallback. The plan is the size and
/// loading whose dose gives the most local exposure, which is the model's tissue AUC over 28 days. The
/// loading is searched with GSL's Brent minimiser on −exposure over [L_min, L_max], or over the loadings
/// given in the input.
public enum DEBPlanner {
    /// Lower end of the loading search (mg/mL). Clinical loadings are 25–37.5 mg/mL (DC Bead IFU [R]);
    /// 10 mg/mL keeps the search inside physically meaningful loadings while letting volume-bound plans spread the drug.
    static let minimumLoadingMgPerMl = 10.0
    /// Exposure horizon (days): tissue AUC over 0–28 d, the model's calibrated range (Namur et al. 2010, 28-day swine elution).
    static let exposureDays = 28.0

    struct Evaluation {
        let size: BeadSize
        let loading: Double
        let dose: Double
        let peak: Double
        /// The plasma peak's 95 % upper bound over its nominal value (1 with the nominal basis).
        var upperRatio: Double = 1
        let exposure: Double
        let limitedBy: String
        /// The 28-day solve at this size, loading and dose.
        let result: DEBResult?
    }

    public static func plan(_ input: PlanInput, assessment a: AssessmentSummary, policy: ClinicalPolicy)
        throws -> (plan: ChemoembolizationPlan, checks: [Check], status: Status, reasons: [String], assumptions: [Assumption]) {
        let t = input.treatment
        let catalogue = try BeadCatalogue.load()
        let product = try catalogue.product(t.product ?? "dc-bead", field: "treatment.product")
        let sizeIDs = t.sizes ?? product.sizes.map(\.id)
        guard !sizeIDs.isEmpty else { throw InputError(field: "treatment.sizes", "must list at least one size class") }
        guard sizeIDs.count <= PlanInputLimits.sizes else {
            throw InputError(field: "treatment.sizes", "must list at most \(PlanInputLimits.sizes) size classes; got \(sizeIDs.count)")
        }
        for (i, id) in sizeIDs.enumerated() where sizeIDs[..<i].contains(id) {
            throw InputError(field: "treatment.sizes[\(i)]", "'\(id)' is listed twice")
        }
        let sizes = try sizeIDs.enumerated().map { try product.size($0.element, field: "treatment.sizes[\($0.offset)]") }
        let parameters = try DEBModelParameters.load()
        var reasons: [String] = []
        let basis = t.plasmaPeakBasis ?? .nominal
        let fit: DEBFitResult? = basis == .upper95 ? try DEBFitResult.load() : nil
        if let fit { try DEBPrediction.checkMatches(parameters, products: [product], fit: fit) }

        // --- the dose rules ------------------------------------------------------------------------
        var overrides: [LimitQuantity: ClinicalPolicy.Override] = [:]
        if let v = t.plasmaPeakLimitNgPerMl {
            overrides[.plasmaPeakNgPerMl] = .init(limit: try PlausibleRange(1, 10_000, "ng/mL").check(v, field: "treatment.plasmaPeakLimitNgPerMl"),
                                                  source: "given in the input (treatment.plasmaPeakLimitNgPerMl)")
        }
        if let v = t.maxBeadVolumeMl {
            overrides[.beadVolumeMl] = .init(limit: try PlausibleRange(0.1, 20, "mL").check(v, field: "treatment.maxBeadVolumeMl"),
                                             source: "given in the input (treatment.maxBeadVolumeMl)")
        }
        let facts = a.facts()
        let resolved = policy.limits(for: .deb, facts: facts, overrides: overrides)
        func limit(_ q: LimitQuantity) -> ClinicalPolicy.ResolvedLimit? { resolved.first { $0.quantity == q } }
        for l in resolved where !l.assumedFacts.isEmpty {
            reasons.append("\(l.label): \(l.assumedFacts.map { factField($0) }.joined(separator: ", ")) not given, so the most cautious limit (\(Format.number(l.limit)) \(l.quantity.unit)) applies")
        }
        // No session row applies when the bilirubin is above the last band: no doxorubicin may be given.
        let sessionCap = limit(.doxorubicinSessionMg)?.limit ?? 0
        guard let lifetime = limit(.doxorubicinLifetimeMgPerM2), let peakRow = limit(.plasmaPeakNgPerMl), let volumeRow = limit(.beadVolumeMl) else {
            throw DataFileError(file: PolicyData.relativePath, key: "limits", message: "the DEB-TACE lifetime, plasma-peak and bead-volume limits must all be present")
        }
        let lifetimeLimitMgPerM2 = lifetime.limit
        let lifetimeRemainingMg = max(0, lifetimeLimitMgPerM2 * a.bsaM2 - a.priorDoxorubicinMg)
        let peakLimit = peakRow.limit
        let volumeLimit = volumeRow.limit
        var requested: Double? = nil
        if let r = t.targetDoxorubicinMg {
            requested = try PlausibleRange(0, 300, "mg", includesLower: false).check(r, field: "treatment.targetDoxorubicinMg")
        }
        var caps: [(String, Double)] = [("sessionDose", sessionCap), ("lifetimeDose", lifetimeRemainingMg)]
        if let r = requested { caps.append(("requestedDose", r)) }
        let capMg = caps.map(\.1).min()!
        let capRule = caps.min { $0.1 < $1.1 }!.0
        let loadingMax = product.recommendedMaxLoadingMgPerMl ?? product.maxLoadingMgPerMl
        var loadings: [Double]? = nil
        if let ls = t.loadingsMgPerMl {
            guard !ls.isEmpty else { throw InputError(field: "treatment.loadingsMgPerMl", "must list at least one loading") }
            guard ls.count <= PlanInputLimits.loadings else {
                throw InputError(field: "treatment.loadingsMgPerMl", "must list at most \(PlanInputLimits.loadings) loadings; got \(ls.count)")
            }
            loadings = try ls.enumerated().map {
                try BeadDeposit.checkLoading($0.element, product: product, field: "treatment.loadingsMgPerMl[\($0.offset)]")
            }
        }

        // --- the search -----------------------------------------------------------------------------
        // The model's default tolerances (rtol 1e-10, atol 1e-10 mg) reproduce the reference solve to
        // ≤ 4e-9 relative and are the fastest that do (Benchmarks/README.md).
        let options = SimulationOptions()
        func simulate(_ size: BeadSize, _ loading: Double, _ dose: Double, days: Double) throws -> DEBResult {
            let deposit = try BeadDeposit(product: product, size: size, loadingMgPerMl: loading, doseMg: dose)
            return try ElutionModel.simulate(treatment: DEBTreatment(deposits: [deposit]), days: days, parameters: parameters, options: options)
        }
        /// The plasma peak comes from the delivery burst within minutes; 6 h of model time holds it.
        func peak(_ size: BeadSize, _ loading: Double, _ dose: Double) throws -> Double {
            try simulate(size, loading, dose, days: 0.25).summary.plasmaPeakNgPerMl
        }
        /// The dose at which the plasma peak meets its limit, with the 28-day solve at that dose. At a fixed
        /// loading every bead releases alike and the pharmacokinetics are linear, so the peak is proportional
        /// to the dose (to 1e-9 relative in the model): the dose is scaled once from a solve above the limit
        /// and solved again, and only a solve whose peak holds the limit is accepted. If three scalings do
        /// not land under it, GSL's Brent root finder on the 6-hour peak takes over.
        func peakBoundDose(_ size: BeadSize, _ loading: Double, above dose0: Double, result r0: DEBResult,
                           limit: Double) throws -> (dose: Double, result: DEBResult) {
            var dose = dose0, r = r0
            for _ in 0..<3 {
                dose *= limit / r.summary.plasmaPeakNgPerMl * (1 - 1e-9)
                r = try simulate(size, loading, dose, days: exposureDays)
                if r.summary.plasmaPeakNgPerMl <= limit { return (dose, r) }
            }
            let root = try RootFinder.brent(lower: dose0 * 1e-6, upper: dose0, absTol: 1e-6, relTol: 1e-7) {
                try peak(size, loading, $0) - limit
            }
            return (root.lower, try simulate(size, loading, root.lower, days: exposureDays))   // the side that keeps the peak under the limit
        }
        /// With the upper95 basis: the ratio of the plasma peak's 95 % upper bound to its nominal value. At a
        /// fixed loading the peak is proportional to the dose, so the ratio does not depend on the dose; it is
        /// computed from 6-hour solves at `dose` (DEBPrediction, two solves per fitted parameter).
        func upperRatio(_ size: BeadSize, _ loading: Double, _ dose: Double) throws -> Double {
            guard let fit else { return 1 }
            let deposit = try BeadDeposit(product: product, size: size, loadingMgPerMl: loading, doseMg: dose)
            let model = try ElutionModel(treatment: DEBTreatment(deposits: [deposit]), parameters: parameters)
            let nominal = try model.simulate(days: 0.25, options: options).summary
            let pi = try DEBPrediction.intervals(model: model, nominal: nominal, days: 0.25, fit: fit)
            return pi.plasmaPeakNgPerMl.upper / nominal.plasmaPeakNgPerMl
        }
        func evaluate(_ size: BeadSize, _ loading: Double) throws -> Evaluation {
            var dose = min(capMg, volumeLimit * loading)
            var limitedBy = volumeLimit * loading < capMg ? "beadVolume" : capRule
            guard dose > 0 else { return Evaluation(size: size, loading: loading, dose: 0, peak: 0, exposure: 0, limitedBy: limitedBy, result: nil) }
            let ratio = try upperRatio(size, loading, dose)
            var r = try simulate(size, loading, dose, days: exposureDays)
            if r.summary.plasmaPeakNgPerMl * ratio > peakLimit {
                (dose, r) = try peakBoundDose(size, loading, above: dose, result: r, limit: peakLimit / ratio)
                limitedBy = "plasmaPeak"
            }
            return Evaluation(size: size, loading: loading, dose: dose, peak: r.summary.plasmaPeakNgPerMl, upperRatio: ratio,
                              exposure: r.summary.tissueAuc0to28dUgHPerMl ?? r.summary.tissueAucUgHPerMl, limitedBy: limitedBy, result: r)
        }

        var evaluations: [Evaluation] = []
        if capMg > 0 {
            for size in sizes {
                if let ls = loadings {
                    for l in ls { evaluations.append(try evaluate(size, l)) }
                    continue
                }
                let lo = min(minimumLoadingMgPerMl, loadingMax), hi = loadingMax
                var cache: [Double: Evaluation] = [:]
                func ev(_ l: Double) throws -> Evaluation {
                    if let e = cache[l] { return e }
                    let e = try evaluate(size, l)
                    cache[l] = e
                    return e
                }
                let eLo = try ev(lo), eHi = try ev(hi)
                let guess = lo + 0.618 * (hi - lo)
                let eGuess = try ev(guess)
                if hi > lo, eGuess.exposure > max(eLo.exposure, eHi.exposure) {
                    let m = try Minimizer.brent(lower: lo, upper: hi, guess: guess, absTol: 0.05, relTol: 0) { -(try ev($0).exposure) }
                    _ = try ev(m.x[0])
                }
                evaluations += cache.values
            }
        }
        evaluations.sort { $0.exposure > $1.exposure }
        let best = evaluations.first

        // --- the chosen plan, simulated in full -----------------------------------------------------
        // The candidate's own 28-day solve (exposureDays is 28) is the plan's: it is not solved again.
        var planPeak = 0.0, planPeakTime = 0.0, tissuePeak = 0.0, exposure = 0.0
        let planRatio = best?.upperRatio ?? 1
        var eluted: [String: Double] = [:]
        var curves = ChemoembolizationPlan.Curves(timesH: [], plasmaNgPerMl: [], tissueUM: [], elutedPercent: [])
        if let b = best, b.dose > 0, let r = b.result {
            planPeak = r.summary.plasmaPeakNgPerMl
            planPeakTime = r.summary.plasmaPeakTimeH
            tissuePeak = r.summary.tissuePeakUM
            exposure = r.summary.tissueAuc0to28dUgHPerMl ?? r.summary.tissueAucUgHPerMl
            eluted = r.summary.elutedPercentByDay
            curves = .init(timesH: r.timesH, plasmaNgPerMl: r.plasmaNgPerMl, tissueUM: r.tissueUM, elutedPercent: r.elutedPercent)
        }
        let dose = best?.dose ?? 0
        let loading = best?.loading ?? loadingMax
        let volume = dose > 0 ? dose / loading : 0

        // --- checks ---------------------------------------------------------------------------------
        let binding = best?.limitedBy ?? capRule
        let quantities: [LimitQuantity: Double] = [
            .doxorubicinSessionMg: dose, .doxorubicinLifetimeMgPerM2: (a.priorDoxorubicinMg + dose) / a.bsaM2,
            .plasmaPeakNgPerMl: planPeak * planRatio, .beadVolumeMl: volume,
            .bilirubinMgPerDl: a.bilirubinMgPerDl, .childPughScore: Double(a.childPughScore),
        ]
        var checks = policy.evaluate(.deb, facts: facts, quantities: quantities, overrides: overrides, selection: .mostCautious,
                                     naming: requirementField).map { c -> Check in
            var c = c
            c.binding = c.name == binding
            if fit != nil, c.name == "plasmaPeak" {
                c.note = "the value checked is the upper end of the plasma peak's 95 % prediction interval (treatment.plasmaPeakBasis upper95); the model's own peak is \(Format.number(planPeak, significant: 4)) ng/mL"
            }
            return c
        }
        if let r = requested {
            checks.append(Check(name: "requestedDose", value: dose, limit: r, unit: "mg", kind: .atLeast, severity: .soft,
                                source: "given in the input (treatment.targetDoxorubicinMg)", binding: binding == "requestedDose"))
        }
        if product.confidence != .calibrated {
            checks.append(Check(name: "modelCalibration", value: 0, limit: 1, unit: "", kind: .atLeast, severity: .soft,
                                source: "\(product.name): model parameters derived, low confidence — \(product.confidenceNote)"))
        }
        var status = overallStatus(checks.filter { $0.name != "requestedDose" })
        if let r = requested, dose < r * (1 - 1e-6) {
            status = max(status, .infeasible)
            reasons.append("infeasible: the requested \(Format.number(r)) mg cannot be given; the largest dose the limits allow is \(Format.fixed(dose, 1)) mg, bound by \(binding)")
        }
        if capMg <= 0 {
            status = .contraindicated
            reasons.append(sessionCap == 0 ? "contraindicated: no doxorubicin dose is allowed at bilirubin \(Format.number(a.bilirubinMgPerDl)) mg/dL"
                                           : "contraindicated: the lifetime doxorubicin dose is already reached")
        }
        reasons += checkReasons(checks.filter { $0.name != "requestedDose" })

        let plan = ChemoembolizationPlan(
            product: product.id, size: best?.size.id ?? sizes[0].id, doxorubicinMg: dose, loadingMgPerMl: loading, beadVolumeMl: volume,
            plasmaPeakNgPerMl: planPeak, plasmaPeakTimeH: planPeakTime, plasmaPeakBasis: basis.rawValue,
            plasmaPeakUpper95NgPerMl: fit == nil ? nil : planPeak * planRatio, tissuePeakUM: tissuePeak, tissueAucUgHPerMl: exposure,
            elutedPercentByDay: eluted, doseCapMg: capMg, doseCapRule: capRule, bindingConstraint: binding,
            candidates: evaluations.map { .init(size: $0.size.id, loadingMgPerMl: $0.loading, doxorubicinMg: $0.dose, beadVolumeMl: $0.dose / $0.loading,
                                                plasmaPeakNgPerMl: $0.peak, tissueAucUgHPerMl: $0.exposure, limitedBy: $0.limitedBy) },
            curves: curves)
        var assumptions = parameters.inVivoAssumptions(products: [product])
        assumptions.append(Assumption(name: "exposureMetric: tissue AUC 0–\(Format.number(exposureDays)) d", value: exposureDays, unit: "d",
                                      source: "the model is calibrated on days 1 to 28 (Namur et al., J Hepatol 2010, swine); its 90-day tail is too slow"))
        if fit != nil {
            assumptions.append(Assumption(name: "plasmaPeakBasis: the 95 % upper bound", value: 95, unit: "%",
                                          source: "the plasma-peak limit is applied to the upper end of the peak's 95 % prediction interval (treatment.plasmaPeakBasis upper95). " + DEBPrediction.basis))
        }
        return (plan, checks, status, reasons, assumptions)
    }
}
