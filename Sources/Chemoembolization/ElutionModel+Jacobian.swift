// SPDX-License-Identifier: GPL-3.0-or-later

extension ElutionModel {
    /// The analytic Jacobian ∂f/∂y, row-major (`dfdy[i·n + j]`), and ∂f/∂t = 0 (autonomous).
    ///
    /// Structure: one block per size class (`ShellKinetics.addJacobian`): tridiagonal in the shells
    /// from the fluxes, with dc/du = 1/(ε + Q K_d/(c + K_d)²) at local equilibrium, or, with finite-rate
    /// exchange, dc/du = 1/ε and dc/dq = −1/ε plus the exchange terms of the bound drug; each class's surface shell depends on A_T through
    /// c_out = A_T/(1000 V_T R_T), and A_T's row depends on each surface shell through
    /// n_k g_s dc/du; the remaining 7×7 block (burst, tissue, plasma, accumulators) is linear:
    ///
    ///     ∂(dA_T)/∂A_T = −Σ n_k g_s/(1000 V_T R_T) − CL_T/(V_T R_T) − k_met,   ∂(dA_T)/∂A1 = CL_T fu_p/V1
    ///     ∂(dA1)/∂A_B = k_b, ∂(dA1)/∂A_T = CL_T/(V_T R_T),
    ///     ∂(dA1)/∂A1 = −(CL_T fu_p + f_CL CL + Q2 + Q3)/V1, ∂(dA1)/∂A2 = Q2/V2, ∂(dA1)/∂A3 = Q3/V3, …
    ///
    /// Checked against central finite differences in the tests.
    public func jacobian(_ t: Double, _ y: UnsafeBufferPointer<Double>,
                         _ dfdy: UnsafeMutableBufferPointer<Double>, _ dfdt: UnsafeMutableBufferPointer<Double>) {
        let n = layout.dimension
        let p = parameters, L = layout, pk = p.pk
        for i in 0..<(n * n) { dfdy[i] = 0 }
        for i in 0..<n { dfdt[i] = 0 }
        let dcOut = outsidePerTissueAmount
        dfdy[L.burst * n + L.burst] = -p.burstAbsorptionRatePerH
        let tissueRow = L.tissue * n
        for k in kinetics {   // the shells, and the release n_k·g_s (c_N − c_out) into A_T
            k.addJacobian(y, dfdy, columns: n, outsideIndex: L.tissue, dcOutDy: dcOut, releaseRow: L.tissue)
        }
        let vtrt = p.treatedTissueVolumeL * p.tissueBindingRatio
        let v1 = pk.centralVolumeL
        dfdy[tissueRow + L.tissue] += -p.tissuePlasmaClearanceLPerH / vtrt - p.tissueMetabolismRatePerH
        dfdy[tissueRow + L.central] += p.tissuePlasmaClearanceLPerH * p.plasmaFractionUnbound / v1
        let c = L.central * n
        dfdy[c + L.burst] = p.burstAbsorptionRatePerH
        dfdy[c + L.tissue] = p.tissuePlasmaClearanceLPerH / vtrt
        dfdy[c + L.central] = -(p.tissuePlasmaClearanceLPerH * p.plasmaFractionUnbound
                                + p.clearanceFactor * pk.clearanceLPerH + pk.q2LPerH + pk.q3LPerH) / v1
        dfdy[c + L.peripheral2] = pk.q2LPerH / pk.peripheralVolume2L
        dfdy[c + L.peripheral3] = pk.q3LPerH / pk.peripheralVolume3L
        dfdy[L.peripheral2 * n + L.central] = pk.q2LPerH / v1
        dfdy[L.peripheral2 * n + L.peripheral2] = -pk.q2LPerH / pk.peripheralVolume2L
        dfdy[L.peripheral3 * n + L.central] = pk.q3LPerH / v1
        dfdy[L.peripheral3 * n + L.peripheral3] = -pk.q3LPerH / pk.peripheralVolume3L
        dfdy[L.aucPlasma * n + L.central] = 1 / v1
        dfdy[L.aucTissue * n + L.tissue] = 1 / p.treatedTissueVolumeL
    }
}
