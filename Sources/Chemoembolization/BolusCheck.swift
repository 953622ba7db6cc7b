// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation
import GSLKit

/// The systemic model checked against its closed form: an intravenous bolus into plasma at t = 0,
/// solved by GSL msbdf (tissue exchange off: the 3-compartment model alone, as the reference case
/// `sys_iv_bolus_50mg`) and compared with the tri-exponential `ThreeCompartmentPK.bolusConcentration`.
///
/// **An honest comparison.** The solver holds plasma to its absolute tolerance (absTol × dose on
/// A1) plus its relative tolerance; its resolution, `resolutionNgPerMl`, is the round-off
/// allowance of A1 (`ElutionModel.roundOffAllowance`) in concentration. Long after a bolus the true
/// concentration falls far below that (7.6e-263 ng/mL at 40,000 h after 50 mg, which underflows
/// to 0 near 47,000 h): there the ODE can only say "0 within the resolution", and dividing its
/// round-off by the closed form gave relative deviations of 1e248 (and 0/0 once the closed form
/// underflowed). So the relative deviation is taken only where the closed form is above the
/// resolution; the other times are listed in `unresolvedTimesH` and compared in absolute terms.
public struct IVBolusCheck: Sendable, Equatable, Codable {
    public let doseMg: Double
    public let timesH: [Double]
    /// Plasma concentration from the ODE (ng/mL), checked: finite and ≥ 0 (see `ElutionModel.checkedState`).
    public let plasmaNgPerMl: [Double]
    /// The closed form (ng/mL).
    public let closedFormNgPerMl: [Double]
    /// The solver's resolution for plasma (ng/mL): 1000 × the round-off allowance of A1 / V1
    /// (10 × absTol × dose; 2.8e-8 ng/mL for 50 mg at the default tolerance).
    public let resolutionNgPerMl: Double
    /// Largest |ODE − closed form| / closed form over the times where the closed form is above the
    /// resolution (0 if there are none). Where the closed form is only a few resolutions, this is
    /// honestly large (6e-5 at 1000 h after 50 mg, where plasma is 1.5e-6 ng/mL, 53 resolutions).
    public let maxRelativeDeviation: Double
    /// Largest |ODE − closed form| (ng/mL), over all times.
    public let maxAbsoluteDeviationNgPerMl: Double
    /// Times at which the closed form is at or below the resolution: the ODE can only say 0 there,
    /// and they are compared in absolute terms only.
    public let unresolvedTimesH: [Double]
    /// Whether |ODE − closed form| ≤ `acceptanceRelative` × closed form + resolution at every time.
    public let agrees: Bool
    /// max over the times of |accounted − dose| / dose, from the solver's own states.
    public let massBalanceRelativeError: Double
    /// ln 2 / λᵢ (h), fastest first.
    public let halfLivesH: [Double]
    /// AUC₀^∞ of plasma (ng·h/mL): 1000 × dose / (f_CL · CL).
    public let aucInfinityNgHPerMl: Double

    /// Relative part of the acceptance of `agrees`: 1e-6, the tolerance of the reference case
    /// deb-analytic-iv-bolus-50mg.
    public static let acceptanceRelative = 1e-6
}

extension ElutionModel {
    /// Runs the IV-bolus check of the systemic model: `doseMg` into plasma at t = 0, plasma at
    /// `timesH` (ascending, ≥ 0, at most `maximumSimulationHours`) from the ODE and the closed form.
    /// The tissue–plasma exchange is switched off (the 3-compartment model alone).
    /// Throws `InputError` for bad input and `SolverFailure` for a numerical failure.
    public static func ivBolusCheck(doseMg: Double, timesH: [Double], parameters: DEBModelParameters,
                                    options: SimulationOptions = SimulationOptions()) throws -> IVBolusCheck {
        try PlausibleRange(0, 1000, "mg", includesLower: false).check(doseMg, field: "--iv-bolus-mg")
        guard !timesH.isEmpty else { throw InputError(field: "--times-h", "give at least one time (h)") }
        var p = parameters
        p.tissuePlasmaClearanceLPerH = 0
        let model = try ElutionModel(treatment: DEBTreatment(deposits: [], ivBolusMg: doseMg), parameters: p)
        let (raw, checked) = try model.solveChecked(timesH: timesH, options: options)
        let pk = p.pk, f = p.clearanceFactor
        let ode = checked.states.map { model.plasmaNgPerMl($0) }
        let exact = timesH.map { 1000 * pk.bolusConcentration(doseMg: doseMg, at: $0, clearanceFactor: f) }
        let resolution = 1000 * model.roundOffAllowance(component: model.layout.central, absTol: options.absTol) / pk.centralVolumeL
        var maxRel = 0.0, maxAbs = 0.0
        var agrees = true
        var unresolved: [Double] = []
        for k in timesH.indices {
            guard exact[k].isFinite, exact[k] >= 0 else {
                throw SolverFailure(solver: "the closed form", tReached: timesH[k], timeUnit: "h",
                                    reason: .nonFiniteValue(quantity: "the closed-form plasma concentration (ng/mL)", value: exact[k]))
            }
            let d = abs(ode[k] - exact[k])
            maxAbs = max(maxAbs, d)
            if exact[k] > resolution { maxRel = max(maxRel, d / exact[k]) } else { unresolved.append(timesH[k]) }
            if d > IVBolusCheck.acceptanceRelative * exact[k] + resolution { agrees = false }
        }
        let mb = raw.states.map { abs(model.accountedDrug($0) - doseMg) / doseMg }.max() ?? 0
        return IVBolusCheck(
            doseMg: doseMg, timesH: timesH, plasmaNgPerMl: ode, closedFormNgPerMl: exact, resolutionNgPerMl: resolution,
            maxRelativeDeviation: maxRel, maxAbsoluteDeviationNgPerMl: maxAbs, unresolvedTimesH: unresolved, agrees: agrees,
            massBalanceRelativeError: mb, halfLivesH: pk.dispositionRates(clearanceFactor: f).map { log(2) / $0 },
            aucInfinityNgHPerMl: 1000 * pk.bolusAucInfinity(doseMg: doseMg, clearanceFactor: f))
    }
}
