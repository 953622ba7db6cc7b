// SPDX-License-Identifier: GPL-3.0-or-later
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DosecalcCore

/// The dose conversion factor K for complete decay in situ.
///
/// One GBq decaying completely releases N = 1e9 · T½ · 3600 / ln 2 decays. If each deposits
/// its mean energy Ē locally, 1 kg of tissue absorbs
///
///     K = Ē[MeV] · 1.602176634e-13 J/MeV · 1e9 · T½[h] · 3600 / ln 2   (Gy·kg/GBq = J/GBq)
///       ≈ 0.832088 · Ē · T½
///
/// Y-90 with the TheraSphere insert constants (0.9367 MeV, 64.1 h) gives 49.963, which the
/// insert rounds to 50; the Sirtex value 49.67 and Gulec's 49.38 come from other Ē·T½.
public enum DoseFactor {
    /// Decays per GBq over complete decay: 1e9 · T½ · 3600 / ln 2.
    public static func decaysPerGBq(halfLifeH: Double) -> Double {
        1e9 * halfLifeH * 3600 / M_LN2
    }

    /// K in Gy·kg/GBq from the mean locally absorbed energy per decay and the half-life.
    public static func gyKgPerGBq(meanEnergyPerDecayMeV: Double, halfLifeH: Double) -> Double {
        meanEnergyPerDecayMeV * UnitConversion.joulePerMeV * decaysPerGBq(halfLifeH: halfLifeH)
    }
}
