// SPDX-License-Identifier: GPL-3.0-or-later

/// Drug-eluting bead (DEB-TACE) doxorubicin elution and pharmacokinetics: model **DEB-IX-3C**.
///
/// One concern per file:
///
/// | file | concern |
/// | --- | --- |
/// | `ModelParameters.swift` | `DEBModelParameters`: every parameter with unit and source, from `reference-data/deb-model.json` |
/// | `BeadProduct.swift` | `BeadCatalogue`, `BeadProduct`, `BeadSize`: products as data (`reference-data/products/deb-beads.json`) |
/// | `Treatment.swift` | `BeadDeposit`, `DEBTreatment`: what is given in one session (mixtures of size classes) |
/// | `Isotherm.swift` | `LangmuirIsotherm`: ion-exchange binding, cancellation-safe free concentration, closed-vessel equilibrium |
/// | `RadialGrid.swift` | `RadialGrid`, `RadialGridSpec`: equal or surface-refined shells |
/// | `ShellKinetics.swift` | Fickian diffusion between shells, finite-rate ion exchange, the surface and external (tissue or boundary-layer) resistance, and their Jacobian block |
/// | `Pharmacokinetics.swift` | `ThreeCompartmentPK`: Perez-Blanco 2016 plasma model and its closed-form bolus |
/// | `ElutionModel.swift` | `ElutionModel`: state layout, initial state (burst), right-hand side, mass bookkeeping |
/// | `ElutionModel+Jacobian.swift` | the analytic Jacobian |
/// | `Simulation.swift` | `simulate(days:)`: GSL msbdf solve, dense output, peaks, summary |
/// | `DEBResult.swift` | `SimulationOptions`, `DEBSummary`, `SolverReport`, `DEBResult` |
/// | `InVitro.swift` | perfect sink and closed vessel |
/// | `InVitroComparison.swift` | the in-vitro experiments the fit simulates (de Baere closed vessel, USP II sink), first-order R² |
/// | `CalibrationData.swift` | `DEBCalibrationData`: the published points of `reference-data/deb-calibration/`, decoded strictly |
/// | `PredictionInterval.swift` | `DEBPrediction`: 95 % intervals of a treatment's outputs from the fit's covariance |
/// | `CrankSeries.swift` | Crank's exact sphere-in-a-sink series |
/// | `OutputChecks.swift` | no NaN, ∞ or negative value reaches a result: round-off allowance, `SolverFailure` beyond |
/// | `BolusCheck.swift` | `IVBolusCheck`: the systemic model against its closed form, compared honestly in the deep tail |
/// | `ModelFit.swift` | `DEBModelFit`: the joint fit of the bead and in-vivo parameters to the in-vitro and in-vivo calibration points (GSL trust-region LM), its specification and result files |
/// | `Limits.swift` | physical lower bounds (dose, loading, medium, bead sample, diameter) with `check…` helpers; computational upper bounds (horizon, shells) |
///
/// Errors: bad input is an `InputError` naming the field; every numerical failure is a
/// `GSLKit.SolverFailure` (one plain line, times in h).
///
/// Planner entry points: `BeadCatalogue.load()`, `DEBModelParameters.load()`,
/// `DEBTreatment.evenSplit(product:sizes:loadingMgPerMl:doseMg:)` or `DEBTreatment(deposits:)`,
/// then `ElutionModel(treatment:parameters:).simulate(days:)` (or the static
/// `ElutionModel.simulate(treatment:days:parameters:)`), whose `summary` holds the plasma peak,
/// AUCs, tissue peak and AUC, eluted percentages and the mass balance.
public enum Chemoembolization {
    /// The model's name, as printed in results.
    public static let modelName = "DEB-IX-3C"
}
