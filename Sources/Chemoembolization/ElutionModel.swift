// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation
import GSLKit

/// Positions of the model's states in the ODE state vector.
///
/// Per size class k: its shells' total drug (u, mg/mL true bead volume), centre first, then, where the
/// product's ion exchange runs at a finite rate, its shells' bound drug (q, same unit; `classStateCounts`).
/// Then seven scalars:
/// A_B burst pool, A_T treated tissue, A1 central (plasma), A2 and A3 peripheral (all mg), and
/// the accumulators ∫C_p dt (mg·h/L) and ∫A_T/V_T dt (mg·h/L).
///
/// The eliminated amount is not a state: A_elim = f_CL CL ∫C_p dt + k_met V_T ∫A_T/V_T dt, since
/// its equation is a combination of the accumulators' right-hand sides. Leaving it out changes no
/// result and keeps the mass balance exact (a linear invariant of the integrated states); it
/// shrinks the linear algebra of every solver step. The burst pool stays a state although it has
/// a closed form: integrated, its loss and the plasma's gain cancel exactly in the mass balance,
/// which a closed-form source term would leave to the solver's tolerance.
public struct StateLayout: Sendable, Equatable {
    public let shellOffsets: [Int]
    public let shellCounts: [Int]
    /// States of each class: its shells' total drug, then (finite-rate exchange) their bound drug.
    public let classStateCounts: [Int]
    public let burst: Int
    public let tissue: Int
    public let central: Int
    public let peripheral2: Int
    public let peripheral3: Int
    public let aucPlasma: Int
    public let aucTissue: Int
    public let dimension: Int

    init(shellCounts: [Int], classStateCounts: [Int]? = nil) {
        let states = classStateCounts ?? shellCounts
        var offsets: [Int] = []
        var o = 0
        for n in states { offsets.append(o); o += n }
        shellOffsets = offsets
        self.shellCounts = shellCounts
        self.classStateCounts = states
        burst = o; tissue = o + 1; central = o + 2; peripheral2 = o + 3; peripheral3 = o + 4
        aucPlasma = o + 5; aucTissue = o + 6
        dimension = o + 7
    }

    /// The bead shells occupy the state vector's first components, 0 ..< `firstCompartment`.
    public var firstCompartment: Int { burst }
}

/// Per-class quantities fixed at t = 0 (geometry, bead count, burst).
public struct BeadClassSetup: Sendable, Equatable, Codable {
    public let product: String
    public let size: String
    public let loadingMgPerMl: Double
    public let doseMg: Double
    /// Sedimented bead volume (mL) = dose / loading.
    public let packedVolumeMl: Double
    /// Diameter after loading (µm).
    public let loadedDiameterUm: Double
    public let beadCount: Double
    /// f_b: fraction of this class's dose released during delivery (burst).
    public let burstFraction: Double
    public let shells: Int
}

/// **DEB-IX-3C**: doxorubicin elution from drug-eluting beads into a treated-tissue compartment and
/// a 3-compartment plasma model (Perez-Blanco et al. 2016), integrated with GSL's msbdf and an analytic Jacobian.
///
/// Equations (units h, mg, cm, L; C_Tf = A_T/(V_T R_T) free tissue concentration in mg/L,
/// C_p = A1/V1, C2 = A2/V2, C3 = A3/V3):
///
///     beads, class k:  see `ShellKinetics` (Langmuir binding, Fickian shells, surface conductance
///                      in series with external transfer D_t), c_out = C_Tf/1000 (mg/mL)
///     J_TP   = CL_T (C_Tf − fu_p C_p)               tissue ↔ plasma exchange of free drug
///     dA_B/dt = −k_b A_B                             delivery burst into blood
///     dA_T/dt = Σ_k n_k F_N,k − J_TP − k_met A_T
///     dA1/dt  = k_b A_B + J_TP − f_CL CL C_p − Q2 (C_p − C2) − Q3 (C_p − C3)
///     dA2/dt  = Q2 (C_p − C2),  dA3/dt = Q3 (C_p − C3)
///     d∫C_p/dt = C_p,  d∫C_T/dt = A_T/V_T
///     A_elim = f_CL CL ∫C_p dt + k_met V_T ∫C_T dt   (dA_elim/dt = f_CL CL C_p + k_met A_T)
///
/// so that Σ beads + A_B + A_T + A1 + A2 + A3 + A_elim = dose at all times (the mass balance,
/// checked at every step: the accumulators are integrated by the solver, not derived from it).
/// A_elim is computed from the accumulators, not integrated (see `StateLayout`).
///
/// Geometry and initial state: loaded radius R = ½ d (1 − s_max min(L/L_ref, 1));
/// true bead volume φ_p V_packed; n = V_true/(4/3 π R³); u⁰ = L/φ_p. The burst is the Crank
/// short-time release of a sphere under a sink for t_sink with the loaded effective diffusivity
/// D₀ = D_b·dc/du(c(u⁰)): x = D₀ t_sink/R², f_b = min(max(6√(x/π) − 3x, 0), 0.5); it leaves every
/// shell uniformly (u = u⁰(1 − f_b)) and starts in A_B. The burst uses the local-equilibrium D₀ also for a
/// product with finite-rate exchange: it lasts t_sink (milliseconds), far shorter than the exchange time
/// 1/k_off (about an hour), and the bound drug starts at equilibrium with what remains.
public struct ElutionModel: Sendable {
    public let parameters: DEBModelParameters
    public let treatment: DEBTreatment
    public let layout: StateLayout
    public let classes: [BeadClassSetup]
    public let initialState: [Double]
    /// Total drug (mg): beads + bolus.
    public let doseMg: Double
    let kinetics: [ShellKinetics]
    /// 1/(1000 V_T R_T): ∂c_out/∂A_T (mg/mL per mg).
    let outsidePerTissueAmount: Double
    /// The right-hand side over flat storage (built from `kinetics` and the parameters).
    let rightHandSide: InVivoRightHandSide
    /// The natural size of each state component, against which the solver's absolute tolerance is
    /// set (`SimulationOptions.absTol` × this): the loaded content u⁰ = L/φ_p (mg/mL) for every
    /// shell of a class, the session dose (mg) for every amount (A_T, A1–A3) and for
    /// both AUC accumulators (mg·h/L, which scale with the dose). Scaling keeps the accuracy at
    /// small doses and loadings: amounts grow with the dose (in proportion for the systemic model;
    /// nearly so overall, the tissue concentration slowing release a little), and u is intensive.
    /// (A fixed 1e-10 mg is 2e-8 of the late plasma amount after 150 mg, but 1.5e-4 of it after 0.02 mg.)
    public let toleranceScale: [Double]

    /// Sets up the model. `grid` defaults to `parameters.shellsPerClass` equal shells.
    public init(treatment: DEBTreatment, parameters p: DEBModelParameters, grid: RadialGridSpec? = nil) throws {
        try p.validate()
        guard !treatment.deposits.isEmpty || treatment.ivBolusMg > 0 else {
            throw InputError(field: "treatment", "has no beads and no bolus")
        }
        try PlausibleRange(0, 1000, "mg").check(treatment.ivBolusMg, field: "ivBolusMg")
        let floor = ElutionModel.smallestComputableAmountMg
        if treatment.ivBolusMg > 0 && treatment.ivBolusMg < floor {
            throw InputError(field: "--iv-bolus-mg", "must be 0 or at least \(Format.number(floor)) mg; got \(Format.number(treatment.ivBolusMg))")
        }
        for d in treatment.deposits {
            guard d.doseMg >= floor else {
                throw InputError(field: "--dose-mg", "must be at least \(Format.number(floor)) mg per size class; got \(Format.number(d.doseMg))")
            }
            guard d.loadingMgPerMl >= floor else {
                throw InputError(field: "--loading-mg-per-ml", "must be at least \(Format.number(floor)) mg/mL; got \(Format.number(d.loadingMgPerMl))")
            }
        }
        // The beads sit inside the treated tissue: their true volume cannot exceed it.
        let trueBeadVolumeMl = p.packingFraction * treatment.packedVolumeMl
        guard trueBeadVolumeMl.isFinite, trueBeadVolumeMl < 1000 * p.treatedTissueVolumeL else {
            throw InputError(field: "--loading-mg-per-ml", "the beads (dose / loading = \(Format.number(treatment.packedVolumeMl, significant: 4)) mL sedimented) would not fit in the \(Format.number(1000 * p.treatedTissueVolumeL)) mL of treated tissue")
        }
        let spec = grid ?? .equal(shells: p.shellsPerClass)
        var grids: [RadialGrid] = []
        for d in treatment.deposits {
            grids.append(try RadialGrid(radiusCm: d.product.loadedRadiusCm(size: d.size, loadingMgPerMl: d.loadingMgPerMl), spec: spec))
        }
        let exchange = treatment.deposits.map(\.product.exchangeRatePerH)
        let classStates = zip(grids, exchange).map { $1 == nil ? $0.shellCount : 2 * $0.shellCount }
        let totalShells = grids.reduce(0) { $0 + $1.shellCount }, beadStates = classStates.reduce(0, +)
        guard beadStates <= ElutionModel.maximumShellsPerSession else {
            throw InputError(field: "--shells", "\(totalShells) shells over \(grids.count) size class(es) make \(beadStates) bead states (two per shell where the ion exchange runs at a finite rate): at most \(ElutionModel.maximumShellsPerSession) per session (the solve's cost grows with the cube of the state count)")
        }
        let layout = StateLayout(shellCounts: grids.map(\.shellCount), classStateCounts: classStates)
        var y0 = [Double](repeating: 0, count: layout.dimension)
        var kin: [ShellKinetics] = []
        var setups: [BeadClassSetup] = []
        var burstMg = 0.0
        for (k, d) in treatment.deposits.enumerated() {
            let g = grids[k]
            let iso = d.product.isotherm(p)
            let r = g.radiusCm
            let trueVolume = p.packingFraction * d.packedVolumeMl
            let beads = trueVolume / (4.0 / 3.0 * Double.pi * r * r * r)
            let u0 = d.loadingMgPerMl / p.packingFraction
            let d0 = p.beadDiffusivityCm2PerH * iso.freeConcentrationDerivative(free: iso.freeConcentration(total: u0))
            let x = d0 * p.sinkEquivalentTimeH / (r * r)
            let fb = min(max(6 * (x / Double.pi).squareRoot() - 3 * x, 0), 0.5)
            burstMg += fb * d.doseMg
            let kinetics = ShellKinetics(offset: layout.shellOffsets[k], grid: g, isotherm: iso,
                                         beadDiffusivityCm2PerH: p.beadDiffusivityCm2PerH,
                                         external: .tissue(diffusivityCm2PerH: p.tissueTransferDiffusivityCm2PerH),
                                         beadCount: beads, exchangeRatePerH: exchange[k])
            for (i, v) in kinetics.uniformState(total: u0 * (1 - fb)).enumerated() { y0[layout.shellOffsets[k] + i] = v }
            kin.append(kinetics)
            setups.append(BeadClassSetup(product: d.product.id, size: d.size.id, loadingMgPerMl: d.loadingMgPerMl,
                                         doseMg: d.doseMg, packedVolumeMl: d.packedVolumeMl,
                                         loadedDiameterUm: 2 * r * 1e4, beadCount: beads, burstFraction: fb,
                                         shells: g.shellCount))
        }
        y0[layout.burst] = burstMg
        y0[layout.central] = treatment.ivBolusMg
        var scale = [Double](repeating: treatment.totalDoseMg, count: layout.dimension)
        for (k, d) in treatment.deposits.enumerated() {
            for i in 0..<layout.classStateCounts[k] { scale[layout.shellOffsets[k] + i] = d.loadingMgPerMl / p.packingFraction }
        }
        toleranceScale = scale
        parameters = p
        self.treatment = treatment
        self.layout = layout
        classes = setups
        initialState = y0
        doseMg = treatment.totalDoseMg
        kinetics = kin
        outsidePerTissueAmount = 1 / (1000 * p.treatedTissueVolumeL * p.tissueBindingRatio)
        rightHandSide = InVivoRightHandSide(kinetics: kin, constants: RHSConstants(p, layout))
    }

    /// Burst fraction of the whole bead dose.
    public var burstFraction: Double {
        let beadDose = treatment.deposits.reduce(0) { $0 + $1.doseMg }
        return beadDose > 0 ? initialState[layout.burst] / beadDose : 0
    }

    /// The eliminated amount A_elim = f_CL CL ∫C_p dt + k_met V_T ∫C_T dt (mg).
    public func eliminatedMg(_ y: [Double]) -> Double {
        y.withUnsafeBufferPointer { eliminatedMg($0) }
    }

    /// `eliminatedMg` of a state in place.
    func eliminatedMg(_ y: UnsafeBufferPointer<Double>) -> Double {
        let p = parameters
        return p.clearanceFactor * p.pk.clearanceLPerH * y[layout.aucPlasma]
            + p.tissueMetabolismRatePerH * p.treatedTissueVolumeL * y[layout.aucTissue]
    }

    /// The right-hand side dy/dt (see the type's documentation). Allocation-free.
    public func rhs(_ t: Double, _ y: UnsafeBufferPointer<Double>, _ dydt: UnsafeMutableBufferPointer<Double>) {
        rightHandSide.evaluate(y, dydt)
    }

    /// `rhs` as a closure for the solver. It captures only the flat right-hand side, not the whole
    /// model: a call reads plain memory and retains or copies nothing.
    var solverRightHandSide: ODERightHandSide {
        let f = rightHandSide
        return { _, y, dydt in f.evaluate(y, dydt) }
    }

    /// `jacobian` as a closure for the solver.
    var solverJacobian: ODEJacobian {
        let m = self
        return { t, y, dfdy, dfdt in m.jacobian(t, y, dfdy, dfdt) }
    }

    /// The right-hand side of the in-vivo model in flat storage: each class's `ShellKernel` (plain
    /// values) and all classes' shell coefficients in one buffer, with the scalar constants.
    /// Evaluating it reads memory only: no array of a class is copied or retained per call, which
    /// `[ShellKinetics]` (three arrays per class) costs on every evaluation.
    final class InVivoRightHandSide: Sendable {
        let kernels: [ShellKernel]
        /// Where each class's coefficients start in `coefficients`.
        let starts: [Int]
        /// Every class's `ShellKinetics.rhsCoefficients`, one after another.
        let coefficients: [Double]
        /// The scalar constants (read field by field in place, not copied per evaluation).
        let c: RHSConstants

        init(kinetics: [ShellKinetics], constants: RHSConstants) {
            kernels = kinetics.map(\.kernel)
            var starts: [Int] = [], all: [Double] = []
            for k in kinetics {
                starts.append(all.count)
                all += k.rhsCoefficients
            }
            self.starts = starts
            coefficients = all
            c = constants
        }

        /// Fills dydt (see `ElutionModel`'s documentation for the equations).
        @inline(__always)
        func evaluate(_ y: UnsafeBufferPointer<Double>, _ dydt: UnsafeMutableBufferPointer<Double>) {
            let aT = y[c.tissue]
            let cTf = aT * c.freePerTissueAmount                  // mg/L
            let cOut = cTf / 1000                                   // mg/mL
            var release = 0.0
            kernels.withUnsafeBufferPointer { ks in
                starts.withUnsafeBufferPointer { st in
                    coefficients.withUnsafeBufferPointer { cs in
                        for j in ks.indices {
                            let k = ks.baseAddress! + j
                            release += k.pointee.beadCount * k.pointee.rhs(y, dydt, coefficients: cs.baseAddress! + st[j], outside: cOut)
                        }
                    }
                }
            }
            let cp = y[c.central] * c.inverseCentralVolume
            let c2 = y[c.peripheral2] * c.inversePeripheralVolume2
            let c3 = y[c.peripheral3] * c.inversePeripheralVolume3
            let jTP = c.tissuePlasmaClearance * (cTf - c.plasmaFractionUnbound * cp)
            let burstFlow = c.burstRate * y[c.burst]
            let elim = c.systemicClearance * cp
            let to2 = c.q2 * (cp - c2)
            let to3 = c.q3 * (cp - c3)
            let met = c.tissueMetabolismRate * aT
            dydt[c.burst] = -burstFlow
            dydt[c.tissue] = release - jTP - met
            dydt[c.central] = burstFlow + jTP - elim - to2 - to3
            dydt[c.peripheral2] = to2
            dydt[c.peripheral3] = to3
            dydt[c.aucPlasma] = cp
            dydt[c.aucTissue] = aT * c.inverseTissueVolume
        }
    }

    /// The scalars `rhs` reads, gathered at set-up (units as in the type's documentation).
    struct RHSConstants: Sendable {
        let burst, tissue, central, peripheral2, peripheral3, aucPlasma, aucTissue: Int
        /// 1/(V_T R_T) (1/L) and 1/V_T (1/L).
        let freePerTissueAmount, inverseTissueVolume: Double
        let inverseCentralVolume, inversePeripheralVolume2, inversePeripheralVolume3: Double
        /// CL_T (L/h), fu_p, k_b (1/h), f_CL·CL (L/h), Q2 and Q3 (L/h), k_met (1/h).
        let tissuePlasmaClearance, plasmaFractionUnbound, burstRate, systemicClearance, q2, q3,
            tissueMetabolismRate: Double

        init(_ p: DEBModelParameters, _ L: StateLayout) {
            burst = L.burst; tissue = L.tissue; central = L.central; peripheral2 = L.peripheral2; peripheral3 = L.peripheral3
            aucPlasma = L.aucPlasma; aucTissue = L.aucTissue
            freePerTissueAmount = 1 / (p.treatedTissueVolumeL * p.tissueBindingRatio)
            inverseTissueVolume = 1 / p.treatedTissueVolumeL
            inverseCentralVolume = 1 / p.pk.centralVolumeL
            inversePeripheralVolume2 = 1 / p.pk.peripheralVolume2L
            inversePeripheralVolume3 = 1 / p.pk.peripheralVolume3L
            tissuePlasmaClearance = p.tissuePlasmaClearanceLPerH
            plasmaFractionUnbound = p.plasmaFractionUnbound
            burstRate = p.burstAbsorptionRatePerH
            systemicClearance = p.clearanceFactor * p.pk.clearanceLPerH
            q2 = p.pk.q2LPerH; q3 = p.pk.q3LPerH
            tissueMetabolismRate = p.tissueMetabolismRatePerH
        }
    }

    /// Drug still in the beads (mg).
    public func beadContent(_ y: [Double]) -> Double {
        y.withUnsafeBufferPointer { beadContent($0) }
    }

    /// `beadContent` of a state in place (no copy of the state or of a class's arrays).
    func beadContent(_ y: UnsafeBufferPointer<Double>) -> Double {
        var s = 0.0
        kinetics.withUnsafeBufferPointer { ks in
            for j in ks.indices { s += (ks.baseAddress! + j).pointee.content(y) }
        }
        return s
    }

    /// Drug accounted for (mg): beads + A_B + A_T + A1 + A2 + A3 + A_elim; equals the dose.
    public func accountedDrug(_ y: [Double]) -> Double {
        y.withUnsafeBufferPointer { accountedDrug($0) }
    }

    /// `accountedDrug` of a state in place.
    func accountedDrug(_ y: UnsafeBufferPointer<Double>) -> Double {
        let L = layout
        return beadContent(y) + y[L.burst] + y[L.tissue] + y[L.central] + y[L.peripheral2] + y[L.peripheral3]
            + eliminatedMg(y)
    }

    /// Plasma concentration (ng/mL) = 1000 · A1/V1 (mg/L → ng/mL).
    @inlinable public func plasmaNgPerMl(_ y: [Double]) -> Double { 1000 * y[layout.central] / parameters.pk.centralVolumeL }
    /// Total tissue concentration, regional mean (µg/mL = mg/L) = A_T/V_T.
    @inlinable public func tissueUgPerMl(_ y: [Double]) -> Double { y[layout.tissue] / parameters.treatedTissueVolumeL }
    /// Fraction of the bead dose released (burst included): 1 − beads/bead dose.
    public func elutedFraction(_ y: [Double]) -> Double {
        let beadDose = doseMg - treatment.ivBolusMg
        return beadDose > 0 ? (beadDose - beadContent(y)) / beadDose : 0
    }
}
