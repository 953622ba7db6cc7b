// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore

/// One compartment of the liver that takes up microspheres.
public struct Compartment: Sendable, Equatable, Codable {
    public let name: String
    public let massKg: Double
    /// Activity concentration relative to the normal liver (T/N for a tumour, 1 for normal liver).
    /// A concentration (per unit mass) ratio, not an activity ratio (Kao's R′).
    public let relativeConcentration: Double

    public init(name: String, massKg: Double, relativeConcentration: Double) {
        self.name = name
        self.massKg = massKg
        self.relativeConcentration = relativeConcentration
    }
}

/// The absorbed-dose formulas for microspheres that stay where they lodge (complete decay in situ).
///
/// Notation: A injected activity (GBq), LSF lung shunt as a fraction (0 ≤ LSF < 1), K dose
/// factor (Gy·kg/GBq), M mass (kg), R_i concentration of compartment i relative to normal liver.
public enum Dosimetry {
    /// MIRD single compartment (TheraSphere standard model; MIRDy90, JNM 2024;65:794):
    /// D = K · A · (1 − LSF) / M.
    public static func singleCompartmentDoseGy(activityGBq a: Double, lungShuntFraction lsf: Double,
                                               massKg m: Double, doseFactor k: Double) -> Double {
        k * a * (1 - lsf) / m
    }

    /// Inverse of the single-compartment model: A = D · M / (K · (1 − LSF)).
    /// (Public calculators have been found multiplying by (1 − LSF) here; it divides.)
    public static func singleCompartmentActivityGBq(doseGy d: Double, lungShuntFraction lsf: Double,
                                                    massKg m: Double, doseFactor k: Double) -> Double {
        d * m / (k * (1 - lsf))
    }

    /// Multi-compartment partition model (Ho et al., EJNM 1996;23:947; MIRDy90 "multicompartment"):
    /// D_i = K · A · (1 − LSF) · R_i / Σ_j R_j · M_j.  Returns the dose of each compartment in order.
    public static func partitionDosesGy(activityGBq a: Double, lungShuntFraction lsf: Double,
                                        compartments: [Compartment], doseFactor k: Double) -> [Double] {
        let weighted = compartments.reduce(0) { $0 + $1.relativeConcentration * $1.massKg }
        return compartments.map { k * a * (1 - lsf) * $0.relativeConcentration / weighted }
    }

    /// Activity that gives compartment `index` the dose `doseGy`:
    /// A = D_i · Σ_j R_j · M_j / (K · (1 − LSF) · R_i).
    /// For two compartments this is the Sirtex form A = D_NL · (T/N · M_T + M_NL) / (K · (1 − LSF)).
    public static func partitionActivityGBq(doseGy d: Double, compartment index: Int, lungShuntFraction lsf: Double,
                                            compartments: [Compartment], doseFactor k: Double) -> Double {
        let weighted = compartments.reduce(0) { $0 + $1.relativeConcentration * $1.massKg }
        return d * weighted / (k * (1 - lsf) * compartments[index].relativeConcentration)
    }

    /// Lung dose: D_lung = K · A · LSF / m_lung.
    public static func lungDoseGy(activityGBq a: Double, lungShuntFraction lsf: Double,
                                  lungMassKg m: Double, doseFactor k: Double) -> Double {
        k * a * lsf / m
    }

    /// Largest activity that keeps the lung dose at `limitGy`: A = D_lim · m_lung / (K · LSF)
    /// (infinite when LSF = 0).
    public static func lungLimitedActivityGBq(limitGy: Double, lungShuntFraction lsf: Double,
                                              lungMassKg m: Double, doseFactor k: Double) -> Double {
        lsf > 0 ? limitGy * m / (k * lsf) : .infinity
    }

    /// Mean dose over the whole non-tumoural liver when only part of it is perfused
    /// (the EANM/Chiesa toxicity thresholds refer to the whole non-tumoural liver):
    /// D_NL,whole = D_NL,perfused · M_NL,perfused / M_NL,whole.
    public static func wholeNormalLiverDoseGy(perfusedNormalLiverDoseGy d: Double, perfusedNormalLiverMassKg mp: Double,
                                              wholeNormalLiverMassKg mw: Double) -> Double {
        d * mp / mw
    }

    /// Planar lung shunt fraction from the geometric means of anterior and posterior counts:
    /// LSF = GM_lung / (GM_lung + GM_liver), GM = √(ant · post) (van Roekel thesis ch. 2; EANM).
    public static func lungShuntFraction(lungAnterior: Double, lungPosterior: Double,
                                         liverAnterior: Double, liverPosterior: Double) -> (fraction: Double, gmLung: Double, gmLiver: Double) {
        let gmLung = (lungAnterior * lungPosterior).squareRoot()
        let gmLiver = (liverAnterior * liverPosterior).squareRoot()
        return (gmLung / (gmLung + gmLiver), gmLung, gmLiver)
    }

    /// T/N concentration ratio from SPECT counts and volumes (equal densities):
    /// R = (C_T / V_T) / (C_N / V_N).
    public static func tumorToNormalRatio(tumorCounts: Double, tumorVolumeMl: Double,
                                          normalCounts: Double, normalVolumeMl: Double) -> Double {
        (tumorCounts / tumorVolumeMl) / (normalCounts / normalVolumeMl)
    }

    /// SIR-Spheres BSA method: A = (BSA − 0.2) + V_T / V_liver, where V_liver includes the tumour
    /// and the second term is a fraction (0.20 for 20 % involvement), not a percentage.
    public static func resinBSAActivityGBq(bsaM2: Double, tumorVolumeMl: Double, liverVolumeMl: Double) -> Double {
        (bsaM2 - 0.2) + tumorVolumeMl / liverVolumeMl
    }
}
