// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore

// Physical lower bounds and computational upper bounds of the inputs, each with its reason.
//
// Two kinds of limit live here:
//
// * **Physical bounds** (`minimum…`, `maximumSessionPackedVolumeMl`): below or above them the input
//   does not describe something that can be prepared or given. The model itself computes correctly
//   beyond them (its tolerances scale with the dose and the loading), so it does not refuse them:
//   the planner searches doses far below a clinical dose. The command line and the clinical policy
//   refuse them with the `check…` helpers, which name the field.
// * **Computational bounds** (`maximumSimulationHours`, `maximumShellsPerSession`,
//   `InVitro.maximumShells`, `InVitro.maximumTimeH`): the model refuses inputs beyond them itself,
//   so that every accepted solve completes in well under 2 s (release build; measured figures in
//   the comments; `dosecalc deb` solves up to 11 times, once nominally and twice per fitted parameter
//   that moves the treatment, for its prediction intervals).
//
// A few *numerical* floors (`ElutionModel.smallestComputableAmountMg`) keep every scaled quantity a
// normal double; they are far below anything physical.

extension BeadDeposit {
    /// Smallest dose of one size class (mg): 0.02 mg.
    ///
    /// Doxorubicin is given from a 2 mg/mL solution (the injection as supplied, or the lyophilised
    /// powder reconstituted per label); 0.01 mL, the finest graduation of a 1 mL syringe, holds
    /// 0.02 mg. A smaller amount cannot be measured out, let alone loaded (clinical sessions give
    /// 25–150 mg; the IFU loads 50–75 mg per 2 mL vial).
    public static let minimumDoseMg = 0.02

    /// Smallest loading (mg doxorubicin per mL of sedimented beads): 0.01 mg/mL.
    ///
    /// The smallest measurable amount (0.02 mg, see `minimumDoseMg`) in one 2 mL vial of beads;
    /// 0.025 % of DC Bead's 40.4 mg/mL capacity, deep in the linear (unsaturated) limit of the
    /// isotherm. It admits the reference implementation's linear-limit in-vitro case (0.045 mg/mL).
    public static let minimumLoadingMgPerMl = 0.01

    /// Largest sedimented bead volume of one session (mL): 20 mL.
    ///
    /// Ten 2 mL vials, five times the largest session of the IFU and PRECISION V (2 vials, 4 mL);
    /// delivering it would take some 200 mL of bead suspension through a microcatheter. Also the
    /// planner's ceiling for `maxBeadVolumeMl`. A loading of 1e-6 mg/mL with a 150 mg dose would be
    /// 150,000 L of beads: refused here, by volume, whatever the loading.
    public static let maximumSessionPackedVolumeMl = 20.0

    /// Sedimented bead volume (mL) that carries `doseMg` at `loadingMgPerMl`: dose / loading.
    public static func packedVolumeMl(doseMg: Double, loadingMgPerMl: Double) -> Double { doseMg / loadingMgPerMl }

    /// Refuses a class dose below `minimumDoseMg` (or not finite), naming `field`.
    @discardableResult
    public static func checkDose(_ doseMg: Double, field: String = "--dose-mg") throws -> Double {
        try PlausibleRange(minimumDoseMg, 1000, "mg (below \(Format.number(minimumDoseMg)) mg a dose cannot be measured out: 0.01 mL of the 2 mg/mL solution)")
            .check(doseMg, field: field)
    }

    /// The loadings the model accepts for `product`: from `minimumLoadingMgPerMl` to the highest loading
    /// it is calibrated for (`maxLoadingMgPerMl`, at most the binding capacity). The one rule for every
    /// path (command line, planner, fit specification, deposits).
    public static func loadingRange(_ product: BeadProduct) -> PlausibleRange {
        PlausibleRange(minimumLoadingMgPerMl, product.maxLoadingMgPerMl,
                       "mg/mL (the highest loading of \(product.name) the model is calibrated for; below \(Format.number(minimumLoadingMgPerMl)) mg/mL a loading cannot be prepared)")
    }

    /// Refuses a loading outside `loadingRange(product)`, naming `field`.
    @discardableResult
    public static func checkLoading(_ loadingMgPerMl: Double, product: BeadProduct, field: String = "--loading-mg-per-ml") throws -> Double {
        try loadingRange(product).check(loadingMgPerMl, field: field)
    }
}

extension DEBTreatment {
    /// Sedimented bead volume of the session (mL): Σ dose / loading over the size classes.
    public var packedVolumeMl: Double { deposits.reduce(0) { $0 + $1.packedVolumeMl } }

    /// Refuses a session whose beads exceed `BeadDeposit.maximumSessionPackedVolumeMl`, naming `field`
    /// (the loading is what makes the volume: volume = dose / loading).
    public func checkPackedVolume(field: String = "--loading-mg-per-ml") throws {
        let v = packedVolumeMl
        let limit = BeadDeposit.maximumSessionPackedVolumeMl
        guard v.isFinite, v <= limit else {
            throw InputError(field: field, "the beads would be \(Format.number(v, significant: 4)) mL (dose / loading); at most \(Format.number(limit)) mL of beads can be given in one session (ten 2 mL vials)")
        }
    }
}

extension ElutionModel {
    /// Longest in-vivo horizon (h): 3650 d = 87,600 h, the limit `simulate(days:)` has always had
    /// (the command line allows 365 d). Also the latest output time of `solve(timesH:)` and of the
    /// IV-bolus check. Measured (release build): a 3650-day solve of the largest accepted system
    /// (250 shells, any loading, dose, clearance factor and treated volume) takes at most 1.0 s;
    /// the IV-bolus check to 87,600 h takes 2 ms (1000 output times included).
    public static let maximumSimulationHours = 87_600.0

    /// Most bead states of one session, summed over its size classes: 250. A shell is one state, two
    /// where the product's ion exchange runs at a finite rate (its bound drug is a state too), so with
    /// every shipped product this allows 125 shells.
    ///
    /// msbdf factorises a dense Jacobian of dimension bead states + 7, so the cost grows with its cube.
    /// Measured before this limit (release build, 365 d): 0.22 s for 5 × 20 shells, 0.64 s for
    /// 5 × 50, 1.0 s for 1 × 300, 2.2 s for 1 × 400, 5.2 s for 5 × 100, 186 s for 5 × 400 (which the
    /// command line accepted). With it: at most 0.95 s, for 365 d and for the longest horizon
    /// (3650 d), over 1 × 250, 2 × 125 and 5 × 50 shells at the extremes of loading, dose, clearance
    /// factor and treated volume. The limit counts bead states since finite-rate exchange doubled them: 1 × 250
    /// shells with exchange took 31.5 s for `dosecalc deb` (11 solves, for its prediction intervals) before it did.
    /// The model's own grid is 2 equal shells per class (deb-model.json `shellsPerClass`:
    /// in-vivo outputs within 2e-5 relative of a 60-shell grid).
    public static let maximumShellsPerSession = 250

    /// Smallest amount (mg) the model computes with, for a class dose, an IV bolus and each
    /// tolerance scale: 1e-100 mg (a molecule of doxorubicin is 9e-19 mg). Tolerances are 1e-12 of
    /// the dose; this floor keeps them, and every amount derived from them, normal doubles.
    public static let smallestComputableAmountMg = 1e-100
}

extension InVitro {
    /// Smallest closed-vessel medium (mL): 0.1 mL.
    ///
    /// One well of a 96-well plate, the smallest vessel in which elution is measured; a smaller
    /// medium cannot hold and cover a bead sample and be sampled (a 1e-320 mL "medium" made the
    /// solver divide by zero).
    public static let minimumMediumMl = 0.1

    /// Smallest sedimented bead sample (mL): 0.001 mL (1 µL).
    ///
    /// About 150 beads of 100–300 µm, and the smallest volume a micropipette dispenses; below it
    /// beads are counted, not measured by volume.
    public static let minimumBeadVolumeMl = 0.001

    /// Smallest bead (sphere) diameter (µm): 10 µm.
    ///
    /// The size of a hepatic sinusoid or a red cell: a smaller sphere does not embolise (it passes
    /// the capillary bed), and no embolic microsphere is made that small (the smallest are 30–40 µm).
    /// The Crank comparison is validated from 20 µm.
    public static let minimumBeadDiameterUm = 10.0

    /// Latest output time in vitro (h): 1e6 h (the range the command line has always had; slow
    /// large beads need it: a 5000 µm sphere at 1e-12 cm²/s has a²/D ≈ 1.7e7 h). Measured with
    /// outputs to 1e6 h: at most 0.12 s for the non-binding sphere, 0.54 s for a closed vessel.
    public static let maximumTimeH = 1e6

    /// Most radial shells in vitro: 120.
    ///
    /// The closed-vessel and sink modes re-integrate the curve inside a root finder (t50, t90), so
    /// their cost grows with the cube of the shell count: measured (release build, 700–900 µm,
    /// 1e6 h) 0.6 s at 100 shells, 1.3 s at 150, 2.6 s at 200, 19 s at 400 (which the command line
    /// accepted). At 120: at most 0.54 s (closed vessel), 0.47 s (sink with t50 and t90), over
    /// 70–150 and 700–900 µm, loadings 0.01 and 45 mg/mL (before the highest loading became 40), the smallest and largest vessels. With
    /// finite-rate exchange (every shipped product; twice the states): 2.0 s for the sink of 700–900 µm at
    /// 120 shells, 1.6 s on the default grid, 0.7 s for the closed vessel. The default surface-refined
    /// grid has 96 shells.
    public static let maximumShells = 120

    /// Refuses a closed-vessel medium below `minimumMediumMl`, naming `field`.
    @discardableResult
    public static func checkMedium(_ mediumMl: Double, field: String = "--medium-ml") throws -> Double {
        try PlausibleRange(minimumMediumMl, 1e6, "mL (a smaller medium cannot hold and cover a bead sample)").check(mediumMl, field: field)
    }

    /// Refuses a sedimented bead sample below `minimumBeadVolumeMl`, naming `field`.
    @discardableResult
    public static func checkBeadVolume(_ volumeMl: Double, field: String = "--bead-volume-ml") throws -> Double {
        try PlausibleRange(minimumBeadVolumeMl, 1000, "mL (a smaller bead sample cannot be measured by volume)").check(volumeMl, field: field)
    }

    /// Refuses a sphere diameter below `minimumBeadDiameterUm`, naming `field`.
    @discardableResult
    public static func checkBeadDiameter(_ diameterUm: Double, field: String = "--bead-diameter-um") throws -> Double {
        try PlausibleRange(minimumBeadDiameterUm, 5000, "µm (a smaller sphere does not embolise)").check(diameterUm, field: field)
    }

    /// Refuses a grid with more than `maximumShells` shells, naming `field`.
    static func checkShellCount(_ shells: Int, field: String = "--shells") throws {
        guard shells <= maximumShells else {
            throw InputError(field: field, "\(shells) shells: at most \(maximumShells) in vitro (the cost grows with the cube of the shell count)")
        }
    }
}
