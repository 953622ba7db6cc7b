// SPDX-License-Identifier: GPL-3.0-or-later

/// Ion-exchange binding of doxorubicin to the bead's sulfonate groups, as a Langmuir isotherm in
/// local equilibrium with the free drug in the pores (Langmuir ion exchange; Lewis et al., J Mater Sci Mater Med 2007;18:1691).
///
/// Mass action for R-SO₃⁻Na⁺ + Dox⁺ ⇌ R-SO₃⁻Dox⁺ + Na⁺ at fixed sodium gives
/// q = Q·c/(c + K_d) (K_d ∝ ionic strength: no release in water, a plateau in a closed PBS vessel,
/// complete release under a sink). The total drug per mL of true bead volume is
///
///     u = ε·c + Q·c/(c + K_d)
///
/// with c the free pore concentration (mg/mL), ε the porosity and Q the capacity per mL of true
/// bead volume. A non-binding sphere is the special case Q = 0, ε = 1 (then c = u exactly).
public struct LangmuirIsotherm: Sendable, Equatable {
    /// Q: capacity per mL of true bead volume (mg/mL).
    public let capacityMgPerMl: Double
    /// K_d (mg/mL free drug).
    public let dissociationConstantMgPerMl: Double
    /// ε (1).
    public let porosity: Double

    public init(capacityMgPerMl: Double, dissociationConstantMgPerMl: Double, porosity: Double) {
        self.capacityMgPerMl = capacityMgPerMl
        self.dissociationConstantMgPerMl = dissociationConstantMgPerMl
        self.porosity = porosity
    }

    /// A sphere that does not bind the drug: u = c.
    public static let nonBinding = LangmuirIsotherm(capacityMgPerMl: 0, dissociationConstantMgPerMl: 1, porosity: 1)

    /// Free concentration c(u) from the total u, the positive root of
    /// ε c² + b c − u K_d = 0 with b = ε K_d + Q − u:
    ///
    ///     c = 2 u K_d / (b + √(b² + 4 ε u K_d))   if b > 0
    ///     c = (−b + √(b² + 4 ε u K_d)) / (2 ε)     otherwise
    ///
    /// Both branches are the same root; each avoids subtracting nearly equal numbers on its side
    /// (the first form for a loaded bead, where b ≫ √(4εuK_d); the second near saturation).
    @inlinable
    public func freeConcentration(total u: Double) -> Double {
        let k = dissociationConstantMgPerMl, e = porosity
        let b = e * k + capacityMgPerMl - u
        let disc = (b * b + 4 * e * u * k).squareRoot()
        return b > 0 ? 2 * u * k / (b + disc) : (-b + disc) / (2 * e)
    }

    /// dc/du = 1 / (ε + Q K_d / (c + K_d)²), the reciprocal of du/dc (capacity factor).
    @inlinable
    public func freeConcentrationDerivative(free c: Double) -> Double {
        let k = dissociationConstantMgPerMl
        let s = c + k
        return 1 / (porosity + capacityMgPerMl * k / (s * s))
    }

    /// u(c), the forward isotherm.
    @inlinable
    public func total(free c: Double) -> Double {
        porosity * c + capacityMgPerMl * c / (c + dissociationConstantMgPerMl)
    }

    /// The free concentration at equilibrium in a closed, well-stirred vessel: drug `amountMg`
    /// shared between `beadVolumeMl` of true bead volume and `mediumMl` of medium,
    ///
    ///     amount = V_m c + V_b (ε c + Q c/(c + K_d)),
    ///
    /// i.e. the positive root of (V_m + εV_b) c² + ((V_m + εV_b) K_d + Q V_b − amount) c − amount·K_d = 0,
    /// taken in the cancellation-safe form as in `freeConcentration`.
    public func closedVesselEquilibrium(amountMg m: Double, beadVolumeMl vb: Double, mediumMl vm: Double) -> Double {
        let a = vm + porosity * vb
        let k = dissociationConstantMgPerMl
        let b = a * k + capacityMgPerMl * vb - m
        let disc = (b * b + 4 * a * m * k).squareRoot()
        return b > 0 ? 2 * m * k / (b + disc) : (-b + disc) / (2 * a)
    }
}
