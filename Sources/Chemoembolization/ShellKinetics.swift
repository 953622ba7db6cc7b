// SPDX-License-Identifier: GPL-3.0-or-later

/// Drug transport inside the beads of one size class: the method-of-lines discretisation of
///
///     ∂u/∂t = (1/r²) ∂/∂r (r² D_b ∂c/∂r),   u = ε c + Q c/(c + K_d)
///
/// on the shells of a `RadialGrid`. Shell i holds total drug u_i (mg per mL of true bead volume);
/// the flux through face f (mg/h per bead) is F_f = D_b·(A_f/Δ_f)·(c_{f−1} − c_f), F_0 = 0 at the
/// centre, and at the surface F_N = g_s (c_{N−1} − c_out) with the conductances in series
///
///     1/g_s = (R − m_{N−1}) / (D_b 4πR²) + 1/(4π R D_t)
///
/// (half-shell diffusion inside the bead, then the Sherwood-2 steady diffusion into an infinite
/// medium outside a sphere; in vitro the second term is absent). Then du_i/dt = (F_i − F_{i+1})/V_i.
/// The class releases J = n_beads · F_N (mg/h).
struct ShellKinetics: Sendable, Equatable {
    /// Index of the first shell in the state vector.
    let offset: Int
    let count: Int
    let isotherm: LangmuirIsotherm
    /// 1/V_i (1/mL).
    let inverseVolumes: [Double]
    /// Shell volumes (mL), for the drug content.
    let volumes: [Double]
    /// D_b·A_f/Δ_f for faces 1…N−1 (mL/h), index f−1.
    let faceConductances: [Double]
    /// g_s (mL/h per bead).
    let surfaceConductance: Double
    /// Beads in the class.
    let beadCount: Double

    init(offset: Int, grid: RadialGrid, isotherm: LangmuirIsotherm, beadDiffusivityCm2PerH db: Double,
         externalDiffusivityCm2PerH dt: Double?, beadCount: Double) {
        self.offset = offset
        count = grid.shellCount
        self.isotherm = isotherm
        volumes = grid.volumes
        inverseVolumes = grid.volumes.map { 1 / $0 }
        faceConductances = grid.interiorFaceGeometry.map { db * $0 }
        var resistance = grid.surfaceHalfShellResistanceGeometry / db
        if let dt { resistance += 1 / (4 * Double.pi * grid.radiusCm * dt) }
        surfaceConductance = 1 / resistance
        self.beadCount = beadCount
    }

    /// Writes du_i/dt for this class into `dydt` and returns the surface flux per bead F_N (mg/h),
    /// given the outside free concentration `cOut` (mg/mL).
    @inline(__always)
    func rhs(_ y: UnsafeBufferPointer<Double>, _ dydt: UnsafeMutableBufferPointer<Double>, outside cOut: Double) -> Double {
        let n = count, o = offset
        var fIn = 0.0
        var c = isotherm.freeConcentration(total: y[o])
        for i in 0..<n {
            let fOut: Double
            if i < n - 1 {
                let cNext = isotherm.freeConcentration(total: y[o + i + 1])
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

    /// Adds this class's block of the Jacobian (row-major, `n` columns) to `dfdy`: the tridiagonal
    /// shell block, built from dc/du = 1/(ε + Q K_d/(c + K_d)²), and the surface row's dependence on
    /// the outside state `outsideIndex` through ∂c_out/∂y = `dcOutDy` (so ∂(du_{N−1}/dt)/∂y = +g_s·dcOutDy/V). Returns ∂F_N/∂u_{N−1}
    /// (per bead) so that the caller can add the release into its own compartment's row.
    @inline(__always)
    func addJacobian(_ y: UnsafeBufferPointer<Double>, _ dfdy: UnsafeMutableBufferPointer<Double>, columns n: Int,
                     outsideIndex: Int?, dcOutDy: Double) -> Double {
        let m = count, o = offset
        var dCur = isotherm.freeConcentrationDerivative(free: isotherm.freeConcentration(total: y[o]))
        var dLeft = 0.0
        var dSurface = 0.0
        for i in 0..<m {
            let row = (o + i) * n
            let iv = inverseVolumes[i]
            if i > 0 {
                // inflow face: F = a (c_{i−1} − c_i)
                let a = faceConductances[i - 1]
                dfdy[row + o + i - 1] += a * dLeft * iv
                dfdy[row + o + i] -= a * dCur * iv
            }
            if i < m - 1 {
                let dNext = isotherm.freeConcentrationDerivative(free: isotherm.freeConcentration(total: y[o + i + 1]))
                let a = faceConductances[i]
                dfdy[row + o + i] -= a * dCur * iv
                dfdy[row + o + i + 1] += a * dNext * iv
                dLeft = dCur
                dCur = dNext
            } else {
                dfdy[row + o + i] -= surfaceConductance * dCur * iv
                if let k = outsideIndex { dfdy[row + k] += surfaceConductance * dcOutDy * iv }
                dSurface = surfaceConductance * dCur
            }
        }
        return dSurface
    }

    /// Drug in the class's beads (mg): n_beads Σ V_i u_i.
    func content(_ y: UnsafeBufferPointer<Double>) -> Double {
        var s = 0.0
        for i in 0..<count { s += volumes[i] * y[offset + i] }
        return beadCount * s
    }
}
