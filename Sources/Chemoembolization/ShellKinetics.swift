// SPDX-License-Identifier: GPL-3.0-or-later

/// What lies between a bead's surface and the bulk outside it: the external transfer resistance
/// R_ext (h/mL per bead) in series with the half shell inside the bead.
public enum ExternalTransfer: Sendable, Equatable {
    /// No resistance: a perfectly stirred medium (Crank's classical problem).
    case none
    /// Steady diffusion into an infinite medium outside a sphere (Sherwood number 2):
    /// R_ext = 1/(4π R D_t). The in-vivo tissue side.
    case tissue(diffusivityCm2PerH: Double)
    /// A stagnant film of thickness δ over the bead surface (thin compared with R):
    /// R_ext = δ/(4π R² D_w). An in-vitro medium: the hydrodynamics of the vessel set δ.
    case film(thicknessCm: Double, mediumDiffusivityCm2PerH: Double)

    /// R_ext (h/mL per bead) for a bead of radius `r` (cm).
    func resistance(radiusCm r: Double) -> Double {
        switch self {
        case .none: return 0
        case .tissue(let dt): return 1 / (4 * Double.pi * r * dt)
        case .film(let delta, let dw): return delta / (4 * Double.pi * r * r * dw)
        }
    }
}

/// Drug transport inside the beads of one size class: the method-of-lines discretisation of
///
///     ∂u/∂t = (1/r²) ∂/∂r (r² D_b ∂c/∂r),   u = ε c + q
///
/// on the shells of a `RadialGrid`, with the bound drug q either in local Langmuir equilibrium with
/// the free pore concentration c (q = Q c/(c + K_d), the bound drug is not a state) or exchanging at a
/// finite rate (Langmuir kinetics of the ion exchange, a state per shell):
///
///     ∂q/∂t = k_off ( c (Q − q)/K_d − q )
///
/// whose rest point is the same isotherm; as k_off → ∞ it tends to the equilibrium model.
///
/// Shell i holds total drug u_i (mg per mL of true bead volume) and, with finite-rate exchange, bound
/// drug q_i; c_i = c(u_i) at equilibrium, c_i = (u_i − q_i)/ε otherwise. The flux through face f
/// (mg/h per bead) is F_f = D_b·(A_f/Δ_f)·(c_{f−1} − c_f), F_0 = 0 at the centre, and at the surface
/// F_N = g_s (c_{N−1} − c_out) with the conductances in series
///
///     1/g_s = (R − m_{N−1}) / (D_b 4πR²) + R_ext       (see `ExternalTransfer`)
///
/// Then du_i/dt = (F_i − F_{i+1})/V_i. The class releases J = n_beads · F_N (mg/h).
///
/// State layout of a class: u_0 … u_{N−1} from `offset`, then (finite-rate exchange only)
/// q_0 … q_{N−1}.
///
/// The right-hand side itself is `ShellKernel.rhs`, over the array-free `kernel` and the
/// coefficients 1/V_i and D_b·A_f/Δ_f in one buffer (`rhsCoefficients`), so that the in-vivo model
/// can keep every class's coefficients in flat storage (`InVivoRightHandSide`).
struct ShellKinetics: Sendable, Equatable {
    /// The scalars: offset, shell count, isotherm, exchange rate, surface conductance and bead count.
    let kernel: ShellKernel
    /// 1/V_0 … 1/V_{N−1}, then D_b·A_f/Δ_f for faces 1…N−1: the coefficients `ShellKernel.rhs` reads.
    let rhsCoefficients: [Double]
    /// 1/V_i (1/mL).
    let inverseVolumes: [Double]
    /// Shell volumes (mL), for the drug content.
    let volumes: [Double]
    /// D_b·A_f/Δ_f for faces 1…N−1 (mL/h), index f−1.
    let faceConductances: [Double]

    /// Index of the first shell in the state vector.
    var offset: Int { kernel.offset }
    /// Shells N.
    var count: Int { kernel.count }
    var isotherm: LangmuirIsotherm { kernel.isotherm }
    /// k_off (1/h) of finite-rate exchange; nil: local equilibrium.
    var exchangeRatePerH: Double? { kernel.exchangeRatePerH }
    /// g_s (mL/h per bead).
    var surfaceConductance: Double { kernel.surfaceConductance }
    /// Beads in the class.
    var beadCount: Double { kernel.beadCount }

    init(offset: Int, grid: RadialGrid, isotherm: LangmuirIsotherm, beadDiffusivityCm2PerH db: Double,
         external: ExternalTransfer, beadCount: Double, exchangeRatePerH: Double? = nil) {
        volumes = grid.volumes
        inverseVolumes = grid.volumes.map { 1 / $0 }
        faceConductances = grid.interiorFaceGeometry.map { db * $0 }
        let surfaceConductance = 1 / (grid.surfaceHalfShellResistanceGeometry / db + external.resistance(radiusCm: grid.radiusCm))
        kernel = ShellKernel(offset: offset, count: grid.shellCount, isotherm: isotherm, exchangeRatePerH: exchangeRatePerH,
                             surfaceConductance: surfaceConductance, beadCount: beadCount)
        rhsCoefficients = inverseVolumes + faceConductances
    }

    /// States of the class: N at equilibrium, 2N with finite-rate exchange.
    var stateCount: Int { exchangeRatePerH == nil ? count : 2 * count }

    /// The class's initial state for a uniform total content u (mg/mL true bead volume): u in every
    /// shell and, with finite-rate exchange, the bound drug at equilibrium with it.
    func uniformState(total u: Double) -> [Double] {
        var y = [Double](repeating: u, count: count)
        if exchangeRatePerH != nil {
            let q = u - isotherm.porosity * isotherm.freeConcentration(total: u)
            y += [Double](repeating: max(q, 0), count: count)
        }
        return y
    }

    /// Writes du_i/dt (and dq_i/dt) for this class into `dydt` and returns the surface flux per bead
    /// F_N (mg/h), given the outside free concentration `cOut` (mg/mL). See `ShellKernel.rhs`.
    @inline(__always)
    func rhs(_ y: UnsafeBufferPointer<Double>, _ dydt: UnsafeMutableBufferPointer<Double>, outside cOut: Double) -> Double {
        rhsCoefficients.withUnsafeBufferPointer { kernel.rhs(y, dydt, coefficients: $0.baseAddress!, outside: cOut) }
    }

    /// Adds this class's block of the Jacobian (row-major, `n` columns) to `dfdy`: the shell block
    /// (tridiagonal in u at equilibrium, with dc/du = 1/(ε + Q K_d/(c + K_d)²); with finite-rate
    /// exchange ∂c_i/∂u_i = 1/ε, ∂c_i/∂q_i = −1/ε and the exchange rows
    /// ∂(dq_i)/∂u_i = k (Q − q_i)/(K_d ε), ∂(dq_i)/∂q_i = −k ((Q − q_i)/(K_d ε) + c_i/K_d + 1)), the
    /// surface row's dependence on the outside state `outsideIndex` through ∂c_out/∂y = `dcOutDy`,
    /// and, in row `releaseRow`, the release n_beads·F_N's dependence on the surface shell
    /// (and on the outside state, −n_beads g_s dcOutDy).
    @inline(__always)
    func addJacobian(_ y: UnsafeBufferPointer<Double>, _ dfdy: UnsafeMutableBufferPointer<Double>, columns n: Int,
                     outsideIndex: Int?, dcOutDy: Double, releaseRow: Int?) {
        let m = count, o = offset
        let finite = exchangeRatePerH != nil
        let e = isotherm.porosity
        // ∂c_i/∂u_i (and ∂c_i/∂q_i = −1/ε with finite-rate exchange)
        func dcdu(_ i: Int) -> Double {
            finite ? 1 / e : isotherm.freeConcentrationDerivative(free: isotherm.freeConcentration(total: y[o + i]))
        }
        /// Adds a·∂c_j/∂y to row `row`.
        func addFree(_ row: Int, _ j: Int, _ a: Double) {
            dfdy[row + o + j] += a * dcdu(j)
            if finite { dfdy[row + o + m + j] -= a / e }
        }
        for i in 0..<m {
            let row = (o + i) * n
            let iv = inverseVolumes[i]
            if i > 0 {   // inflow face: F = a (c_{i−1} − c_i)
                let a = faceConductances[i - 1]
                addFree(row, i - 1, a * iv)
                addFree(row, i, -a * iv)
            }
            if i < m - 1 {   // outflow face
                let a = faceConductances[i]
                addFree(row, i, -a * iv)
                addFree(row, i + 1, a * iv)
            } else {
                addFree(row, i, -surfaceConductance * iv)
                if let k = outsideIndex { dfdy[row + k] += surfaceConductance * dcOutDy * iv }
            }
            if let k = exchangeRatePerH {
                let qRow = (o + m + i) * n
                let q = y[o + m + i]
                let c = (y[o + i] - q) / e
                let kd = isotherm.dissociationConstantMgPerMl, cap = isotherm.capacityMgPerMl
                dfdy[qRow + o + i] += k * (cap - q) / (kd * e)
                dfdy[qRow + o + m + i] -= k * ((cap - q) / (kd * e) + c / kd + 1)
            }
        }
        if let r = releaseRow {
            addFree(r * n, m - 1, beadCount * surfaceConductance)
            if let k = outsideIndex { dfdy[r * n + k] -= beadCount * surfaceConductance * dcOutDy }
        }
    }

    /// Drug in the class's beads (mg): n_beads Σ V_i u_i.
    func content(_ y: UnsafeBufferPointer<Double>) -> Double {
        var s = 0.0
        for i in 0..<count { s += volumes[i] * y[offset + i] }
        return beadCount * s
    }
}

/// The scalars of one class's right-hand side, without arrays: a plain value that flat storage can
/// hold and an evaluation can read without copying or retaining anything. The per-shell
/// coefficients come as a pointer (`ShellKinetics.rhsCoefficients`).
struct ShellKernel: Sendable, Equatable {
    /// Index of the first shell in the state vector.
    let offset: Int
    /// Shells N.
    let count: Int
    let isotherm: LangmuirIsotherm
    /// k_off (1/h) of finite-rate exchange; nil: local equilibrium.
    let exchangeRatePerH: Double?
    /// g_s (mL/h per bead).
    let surfaceConductance: Double
    /// Beads in the class.
    let beadCount: Double

    /// Free pore concentration of shell i (mg/mL).
    @inline(__always)
    func free(_ y: UnsafeBufferPointer<Double>, _ i: Int) -> Double {
        if exchangeRatePerH == nil { return isotherm.freeConcentration(total: y[offset + i]) }
        return (y[offset + i] - y[offset + count + i]) / isotherm.porosity
    }

    /// Writes du_i/dt = (F_i − F_{i+1})/V_i (and, with finite-rate exchange,
    /// dq_i/dt = k_off (c_i (Q − q_i)/K_d − q_i)) into `dydt` and returns the surface flux per bead
    /// F_N = g_s (c_{N−1} − c_out) (mg/h), given the outside free concentration `cOut` (mg/mL).
    /// `coefficients`: 1/V_0 … 1/V_{N−1}, then D_b·A_f/Δ_f for faces 1…N−1.
    @inline(__always)
    func rhs(_ y: UnsafeBufferPointer<Double>, _ dydt: UnsafeMutableBufferPointer<Double>,
             coefficients: UnsafePointer<Double>, outside cOut: Double) -> Double {
        let n = count, o = offset
        let inverseVolumes = coefficients, faceConductances = coefficients + n
        var fIn = 0.0
        var c = free(y, 0)
        for i in 0..<n {
            if let k = exchangeRatePerH {
                let q = y[o + n + i]
                let iso = isotherm
                dydt[o + n + i] = k * (c * (iso.capacityMgPerMl - q) / iso.dissociationConstantMgPerMl - q)
            }
            let fOut: Double
            if i < n - 1 {
                let cNext = free(y, i + 1)
                fOut = faceConductances[i] * (c - cNext)
                c = cNext
            } else {
                fOut = surfaceConductance * (c - cOut)
            }
            dydt[o + i] = (fIn - fOut) * inverseVolumes[i]
            fIn = fOut
        }
        return fIn
    }
}
