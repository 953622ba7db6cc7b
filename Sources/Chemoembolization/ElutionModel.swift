// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation

/// Positions of the model's states in the ODE state vector.
///
/// Per size class k: its shells (u, mg/mL true bead volume), centre first. Then eight scalars:
/// A_B burst pool, A_T treated tissue, A1 central (plasma), A2 and A3 peripheral (all mg),
/// the accumulators ∫C_p dt (mg·h/L) and ∫A_T/V_T dt (mg·h/L), and A_elim (mg).
public struct StateLayout: Sendable, Equatable {
    public let shellOffsets: [Int]
    public let shellCounts: [Int]
    public let burst: Int
    public let tissue: Int
    public let central: Int
    public let peripheral2: Int
    public let peripheral3: Int
    public let aucPlasma: Int
    public let aucTissue: Int
    public let eliminated: Int
    public let dimension: Int

    init(shellCounts: [Int]) {
        var offsets: [Int] = []
        var o = 0
        for n in shellCounts { offsets.append(o); o += n }
        shellOffsets = offsets
        self.shellCounts = shellCounts
        burst = o; tissue = o + 1; central = o + 2; peripheral2 = o + 3; peripheral3 = o + 4
        aucPlasma = o + 5; aucTissue = o + 6; eliminated = o + 7
        dimension = o + 8
    }
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
///     d∫C_p/dt = C_p,  d∫C_T/dt = A_T/V_T,  dA_elim/dt = f_CL CL C_p + k_met A_T
///
/// so that Σ beads + A_B + A_T + A1 + A2 + A3 + A_elim = dose at all times (the mass balance).
///
/// Geometry and initial state: loaded radius R = ½ d (1 − s_max min(L/L_ref, 1));
/// true bead volume φ_p V_packed; n = V_true/(4/3 π R³); u⁰ = L/φ_p. The burst is the Crank
/// short-time release of a sphere under a sink for t_sink with the loaded effective diffusivity
/// D₀ = D_b·dc/du(c(u⁰)): x = D₀ t_sink/R², f_b = min(max(6√(x/π) − 3x, 0), 0.5); it leaves every
/// shell uniformly (u = u⁰(1 − f_b)) and starts in A_B.
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
    /// The natural size of each state component, against which the solver's absolute tolerance is
    /// set (`SimulationOptions.absTol` × this): the loaded content u⁰ = L/φ_p (mg/mL) for every
    /// shell of a class, the session dose (mg) for every amount (A_B, A_T, A1–A3, A_elim) and for
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
        let totalShells = grids.reduce(0) { $0 + $1.shellCount }
        guard totalShells <= ElutionModel.maximumShellsPerSession else {
            throw InputError(field: "--shells", "\(totalShells) shells over \(grids.count) size class(es): at most \(ElutionModel.maximumShellsPerSession) per session (the solve's cost grows with the cube of the shell count)")
        }
        let layout = StateLayout(shellCounts: grids.map(\.shellCount))
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
            for i in 0..<g.shellCount { y0[layout.shellOffsets[k] + i] = u0 * (1 - fb) }
            burstMg += fb * d.doseMg
            kin.append(ShellKinetics(offset: layout.shellOffsets[k], grid: g, isotherm: iso,
                                     beadDiffusivityCm2PerH: p.beadDiffusivityCm2PerH,
                                     externalDiffusivityCm2PerH: p.tissueTransferDiffusivityCm2PerH, beadCount: beads))
            setups.append(BeadClassSetup(product: d.product.id, size: d.size.id, loadingMgPerMl: d.loadingMgPerMl,
                                         doseMg: d.doseMg, packedVolumeMl: d.packedVolumeMl,
                                         loadedDiameterUm: 2 * r * 1e4, beadCount: beads, burstFraction: fb,
                                         shells: g.shellCount))
        }
        y0[layout.burst] = burstMg
        y0[layout.central] = treatment.ivBolusMg
        var scale = [Double](repeating: treatment.totalDoseMg, count: layout.dimension)
        for (k, d) in treatment.deposits.enumerated() {
            for i in 0..<layout.shellCounts[k] { scale[layout.shellOffsets[k] + i] = d.loadingMgPerMl / p.packingFraction }
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
    }

    /// Burst fraction of the whole bead dose.
    public var burstFraction: Double {
        let beadDose = treatment.deposits.reduce(0) { $0 + $1.doseMg }
        return beadDose > 0 ? initialState[layout.burst] / beadDose : 0
    }

    /// The right-hand side dy/dt (see the type's documentation). Allocation-free.
    public func rhs(_ t: Double, _ y: UnsafeBufferPointer<Double>, _ dydt: UnsafeMutableBufferPointer<Double>) {
        let p = parameters, L = layout
        let aT = y[L.tissue]
        let cTf = aT / (p.treatedTissueVolumeL * p.tissueBindingRatio)   // mg/L
        let cOut = cTf / 1000                                             // mg/mL
        var release = 0.0
        for j in kinetics.indices {   // by index: no copy of the class's arrays per call
            release += kinetics[j].beadCount * kinetics[j].rhs(y, dydt, outside: cOut)
        }
        let pk = p.pk
        let cp = y[L.central] / pk.centralVolumeL
        let c2 = y[L.peripheral2] / pk.peripheralVolume2L
        let c3 = y[L.peripheral3] / pk.peripheralVolume3L
        let jTP = p.tissuePlasmaClearanceLPerH * (cTf - p.plasmaFractionUnbound * cp)
        let burstFlow = p.burstAbsorptionRatePerH * y[L.burst]
        let elim = p.clearanceFactor * pk.clearanceLPerH * cp
        let to2 = pk.q2LPerH * (cp - c2)
        let to3 = pk.q3LPerH * (cp - c3)
        let met = p.tissueMetabolismRatePerH * aT
        dydt[L.burst] = -burstFlow
        dydt[L.tissue] = release - jTP - met
        dydt[L.central] = burstFlow + jTP - elim - to2 - to3
        dydt[L.peripheral2] = to2
        dydt[L.peripheral3] = to3
        dydt[L.aucPlasma] = cp
        dydt[L.aucTissue] = aT / p.treatedTissueVolumeL
        dydt[L.eliminated] = elim + met
    }

    /// Drug still in the beads (mg).
    public func beadContent(_ y: [Double]) -> Double {
        y.withUnsafeBufferPointer { b in kinetics.reduce(0) { $0 + $1.content(b) } }
    }

    /// Drug accounted for (mg): beads + A_B + A_T + A1 + A2 + A3 + A_elim; equals the dose.
    public func accountedDrug(_ y: [Double]) -> Double {
        let L = layout
        return beadContent(y) + y[L.burst] + y[L.tissue] + y[L.central] + y[L.peripheral2] + y[L.peripheral3] + y[L.eliminated]
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
