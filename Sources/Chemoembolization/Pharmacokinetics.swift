// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

/// Systemic doxorubicin pharmacokinetics: a 3-compartment mammillary model (central plasma V1,
/// peripheral V2 and V3) with linear elimination from the central compartment.
///
///     dA1/dt = input − CL·C1 − Q2·(C1 − C2) − Q3·(C1 − C3),   Ci = Ai / Vi
///     dA2/dt = Q2·(C1 − C2)
///     dA3/dt = Q3·(C1 − C3)
///
/// Parameters: Perez-Blanco et al. 2016, Br J Clin Pharmacol 82:1517 (adult NHL patients on
/// R-CHOP, 1.8 m²; V1–V3 fixed to Kontny 2013), as coded in nlmixr2lib
/// `PerezBlanco_2016_doxorubicin.R` [V]: half-lives 5.1 min, 2.17 h, 45.8 h, all inside the label
/// ranges. The population is non-cirrhotic; hepatic impairment is a clearance factor.
public struct ThreeCompartmentPK: Sendable, Equatable, Codable {
    public var clearanceLPerH: Double
    public var centralVolumeL: Double
    public var q2LPerH: Double
    public var peripheralVolume2L: Double
    public var q3LPerH: Double
    public var peripheralVolume3L: Double

    public init(clearanceLPerH: Double, centralVolumeL: Double, q2LPerH: Double, peripheralVolume2L: Double,
                q3LPerH: Double, peripheralVolume3L: Double) {
        self.clearanceLPerH = clearanceLPerH
        self.centralVolumeL = centralVolumeL
        self.q2LPerH = q2LPerH
        self.peripheralVolume2L = peripheralVolume2L
        self.q3LPerH = q3LPerH
        self.peripheralVolume3L = peripheralVolume3L
    }

    /// Micro-constants k10, k12, k21, k13, k31 (1/h) with the clearance multiplied by `clearanceFactor`.
    public func microConstants(clearanceFactor f: Double = 1) -> (k10: Double, k12: Double, k21: Double, k13: Double, k31: Double) {
        (f * clearanceLPerH / centralVolumeL, q2LPerH / centralVolumeL, q2LPerH / peripheralVolume2L,
         q3LPerH / centralVolumeL, q3LPerH / peripheralVolume3L)
    }

    /// The three disposition rate constants λ1 > λ2 > λ3 > 0 (1/h): the roots of the
    /// characteristic polynomial of the 3×3 rate matrix,
    ///
    ///     λ³ − a2 λ² + a1 λ − a0 = 0,
    ///     a2 = k10 + k12 + k13 + k21 + k31,
    ///     a1 = k10·k21 + k10·k31 + k12·k31 + k13·k21 + k21·k31,
    ///     a0 = k10·k21·k31,
    ///
    /// solved in closed form by the trigonometric (Viète) formula, which is exact for three real
    /// roots (the mammillary rate matrix is similar to a symmetric one, so its roots are real).
    public func dispositionRates(clearanceFactor f: Double = 1) -> [Double] {
        let k = microConstants(clearanceFactor: f)
        let a2 = k.k10 + k.k12 + k.k13 + k.k21 + k.k31
        let a1 = k.k10 * k.k21 + k.k10 * k.k31 + k.k12 * k.k31 + k.k13 * k.k21 + k.k21 * k.k31
        let a0 = k.k10 * k.k21 * k.k31
        // λ = x + a2/3 turns λ³ − a2λ² + a1λ − a0 into x³ + p x + q.
        let p = a1 - a2 * a2 / 3
        let q = -2 * a2 * a2 * a2 / 27 + a2 * a1 / 3 - a0
        let m = 2 * (-p / 3).squareRoot()
        let arg = max(-1, min(1, 3 * q / (p * m)))
        let theta = acos(arg) / 3
        var roots = (0..<3).map { j in a2 / 3 + m * cos(theta - 2 * Double.pi * Double(j) / 3) }
        roots.sort(by: >)
        return roots
    }

    /// Plasma concentration (mg/L = µg/mL) after an intravenous bolus `doseMg` at t = 0:
    ///
    ///     C1(t) = (D/V1) Σᵢ (k21 − λᵢ)(k31 − λᵢ) / Π_{j≠i}(λⱼ − λᵢ) · e^(−λᵢ t)
    ///
    /// the classical tri-exponential (Gibaldi & Perrier, Pharmacokinetics, 2nd ed., ch. 2).
    public func bolusConcentration(doseMg: Double, at t: Double, clearanceFactor f: Double = 1) -> Double {
        let k = microConstants(clearanceFactor: f)
        let l = dispositionRates(clearanceFactor: f)
        var c = 0.0
        for i in 0..<3 {
            var den = 1.0
            for j in 0..<3 where j != i { den *= l[j] - l[i] }
            c += (k.k21 - l[i]) * (k.k31 - l[i]) / den * exp(-l[i] * t)
        }
        return doseMg / centralVolumeL * c
    }

    /// AUC₀^∞ of plasma after a bolus (mg·h/L): D / (f·CL).
    public func bolusAucInfinity(doseMg: Double, clearanceFactor f: Double = 1) -> Double {
        doseMg / (f * clearanceLPerH)
    }
}
