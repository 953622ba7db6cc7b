// SPDX-License-Identifier: GPL-3.0-or-later
// Voxel dose by local deposition (LDM): every decay's beta energy is absorbed in the voxel where it
// occurs, so D_v = K · A_v / m_v with the same dose factor K (Gy·kg/GBq, complete decay in situ) as the
// compartment methods, A_v the voxel's activity (GBq) and m_v = ρ · V_v its mass (kg).
//
// Activity per voxel:
// - patient-relative (counts): A_v = A · (1 − LSF/100) · c_v / Σ c over the liver labels (normal liver
//   and tumours); voxels outside the liver get no activity; the lung's share A · LSF/100 goes to the lung:
//   spread evenly over the lung label's mass when a lung density is given, else onto the 1 kg (catalogue)
//   reporting mass as a mean lung dose only;
// - absolute (Bq/mL at the acquisition time): A_v = C_v · V_v · 1e-9 · 2^((t_acq − t_treat)/T½), the
//   activity at the treatment time; every voxel keeps its own activity.
import DosecalcCore
import Foundation
import ImagingIO

public enum MapUnit: String, ClosedSet {
    case counts
    case bqPerMl = "bq-per-ml"
}

public struct VoxelDoseInput: Sendable {
    public var counts: Volume
    public var labels: Volume
    public var labelTable: LabelTable
    public var mapUnit: MapUnit
    /// Patient-relative: the injected activity (GBq) and the lung shunt (percent).
    public var activityGBq: Double?
    public var lungShuntPercent: Double?
    /// Patient-relative: take the lung shunt from the map itself, lung counts over lung and liver counts.
    public var lungShuntFromImage = false
    /// Absolute: hours from the treatment to the acquisition (≥ 0).
    public var hoursTreatmentToAcquisition: Double?
    public var halfLifeH: Double
    public var doseFactorGyKgPerGBq: Double
    public var tissueDensityGPerMl: Double
    /// The lung's density (g/mL) when its label is to carry the lung dose; nil: the reporting lung mass.
    public var lungDensityGPerMl: Double?
    public var reportingLungMassG: Double
    public init(counts: Volume, labels: Volume, labelTable: LabelTable, mapUnit: MapUnit, activityGBq: Double?, lungShuntPercent: Double?,
                hoursTreatmentToAcquisition: Double?, halfLifeH: Double, doseFactorGyKgPerGBq: Double, tissueDensityGPerMl: Double,
                lungDensityGPerMl: Double?, reportingLungMassG: Double) {
        self.counts = counts; self.labels = labels; self.labelTable = labelTable; self.mapUnit = mapUnit
        self.activityGBq = activityGBq; self.lungShuntPercent = lungShuntPercent; self.hoursTreatmentToAcquisition = hoursTreatmentToAcquisition
        self.halfLifeH = halfLifeH; self.doseFactorGyKgPerGBq = doseFactorGyKgPerGBq; self.tissueDensityGPerMl = tissueDensityGPerMl
        self.lungDensityGPerMl = lungDensityGPerMl; self.reportingLungMassG = reportingLungMassG
    }
}

/// The fields of the input, named in errors (the boundary renames them to flags).
public enum VoxelField: String, Sendable {
    case counts, labels, activity, lungShunt, lungDensity, labelTable, acquisition
}

public struct VoxelDoseMap: Sendable {
    /// Dose per voxel (Gy), file order.
    public let doseGy: [Double]
    /// Label value per voxel.
    public let label: [Int]
    /// Mass per voxel (g); 0 outside the labels that have a density.
    public let massG: [Double]
    /// Mean lung dose (Gy) and how it was obtained.
    public let lungDoseGy: Double?
    public let lungMassG: Double?
    public let lungMethod: String
    /// Activity in the liver labels (GBq), as distributed.
    public let liverActivityGBq: Double
    /// Mean count (or concentration) per gram of each label, for T/N ratios.
    public let countsPerGram: [Int: Double]
    /// The lung shunt the calculation used (percent; count maps), given or from the image.
    public var lungShuntPercent: Double? = nil
}

public enum VoxelDose {
    /// Validates the maps against each other and the label table, then computes the LDM dose map.
    public static func localDeposition(_ input: VoxelDoseInput) throws -> VoxelDoseMap {
        if let m = input.counts.grid.mismatch(input.labels.grid) {
            throw InputError(field: VoxelField.labels.rawValue, "is not on the grid of {counts}: \(m); resample one onto the other first")
        }
        let n = input.counts.values.count
        // Counts: finite and ≥ 0 everywhere.
        for (i, c) in input.counts.values.enumerated() where !(c.isFinite && c >= 0) {
            throw InputError(field: VoxelField.counts.rawValue, "voxel \(voxelText(i, input.counts.grid)) holds \(c.isFinite ? String(format: "%g", c) : String(describing: c)); every voxel must be a finite number ≥ 0")
        }
        // Labels: whole numbers that the table knows.
        var labels = [Int](repeating: 0, count: n)
        let kindOf = input.labelTable.kindsByValue
        for (i, v) in input.labels.values.enumerated() {
            guard v.isFinite, v == v.rounded(), v >= 0, v <= 32767 else {
                throw InputError(field: VoxelField.labels.rawValue, "is not a label map: voxel \(voxelText(i, input.labels.grid)) holds \(v); labels are whole numbers 0 to 32767")
            }
            let l = Int(v)
            guard l == 0 || kindOf[l] != nil else {
                throw InputError(field: VoxelField.labels.rawValue, "holds label \(l), which the label table does not list (default: 0 background, 1 normal liver, 2–99 tumours, 100 lung)")
            }
            labels[i] = l
        }
        let isLiver: (Int) -> Bool = { kindOf[$0] == .normalLiver || kindOf[$0] == .tumor }
        guard labels.contains(where: { kindOf[$0] == .normalLiver }) else {
            throw InputError(field: VoxelField.labels.rawValue, "has no normal-liver voxel (label 1 by default)")
        }
        let vMl = input.counts.grid.voxelVolumeMl
        let rho = input.tissueDensityGPerMl
        let lungRho = input.lungDensityGPerMl
        let lungVoxels = labels.indices.filter { kindOf[labels[$0]] == .lung }
        if lungRho != nil && lungVoxels.isEmpty {
            throw InputError(field: VoxelField.lungDensity.rawValue, "is given but the label map has no lung voxel (label 100 by default)")
        }
        var mass = [Double](repeating: 0, count: n)
        for i in 0..<n {
            if isLiver(labels[i]) { mass[i] = rho * vMl } else if kindOf[labels[i]] == .lung, let lr = lungRho { mass[i] = lr * vMl }
        }
        let k = input.doseFactorGyKgPerGBq
        var dose = [Double](repeating: 0, count: n)
        var liverActivity = 0.0
        var lungDose: Double? = nil, lungMass: Double? = nil, lungMethod = ""
        var lungShuntUsed: Double? = nil
        switch input.mapUnit {
        case .counts:
            var liverCounts = 0.0
            for i in 0..<n where isLiver(labels[i]) { liverCounts += input.counts.values[i] }
            guard liverCounts > 0 else { throw InputError(field: VoxelField.counts.rawValue, "holds no counts inside the liver labels") }
            var shunt = input.lungShuntPercent
            if input.lungShuntFromImage {
                guard !lungVoxels.isEmpty else {
                    throw InputError(field: VoxelField.lungShunt.rawValue, "image: the label map has no lung voxel (label 100 by default) to take the lung shunt from")
                }
                let lungCounts = lungVoxels.reduce(0) { $0 + input.counts.values[$1] }
                shunt = 100 * lungCounts / (lungCounts + liverCounts)
                guard shunt! < 100 else { throw InputError(field: VoxelField.lungShunt.rawValue, "image: the lung holds all the counts") }
            }
            guard let a = input.activityGBq, let lsf = shunt else {
                throw InputError(field: VoxelField.activity.rawValue, "and {lungShunt} are required for a count map (patient-relative local deposition)")
            }
            lungShuntUsed = lsf
            liverActivity = a * (1 - lsf / 100)
            for i in 0..<n where isLiver(labels[i]) {
                let av = liverActivity * input.counts.values[i] / liverCounts
                dose[i] = k * av / (mass[i] / 1000)
            }
            let lungActivity = a * lsf / 100
            if lungRho != nil {
                let m = lungVoxels.reduce(0) { $0 + mass[$1] }
                lungMass = m
                lungDose = k * lungActivity / (m / 1000)
                for i in lungVoxels { dose[i] = lungDose! }
                lungMethod = "the lung's share of the activity (lung shunt) spread evenly over the lung label's mass"
            } else {
                lungMass = input.reportingLungMassG
                lungDose = k * lungActivity / (input.reportingLungMassG / 1000)
                lungMethod = "the lung's share of the activity (lung shunt) over the reporting lung mass; the lung label, if any, is not used"
            }
        case .bqPerMl:
            guard let h = input.hoursTreatmentToAcquisition else {
                throw InputError(field: VoxelField.acquisition.rawValue, "time and the treatment time are required for a map in Bq/mL")
            }
            let toTreatment = pow(2, h / input.halfLifeH)
            for i in 0..<n {
                let av = input.counts.values[i] * vMl * 1e-9 * toTreatment
                if mass[i] > 0 { dose[i] = k * av / (mass[i] / 1000) }
                if isLiver(labels[i]) { liverActivity += av }
            }
            if lungRho != nil {
                let m = lungVoxels.reduce(0) { $0 + mass[$1] }
                lungMass = m
                lungDose = lungVoxels.reduce(0) { $0 + dose[$1] * mass[$1] } / m
                lungMethod = "the activity measured in the lung label over its mass"
            } else {
                lungMethod = "not computed: give the lung density to use the lung label's mass"
            }
        }
        var perGram: [Int: Double] = [:]
        var sumC = [Double](repeating: 0, count: 32768), sumM = [Double](repeating: 0, count: 32768)
        for i in 0..<n where mass[i] > 0 { sumC[labels[i]] += input.counts.values[i]; sumM[labels[i]] += mass[i] }
        for l in 0..<32768 where sumM[l] > 0 { perGram[l] = sumC[l] / sumM[l] }
        return VoxelDoseMap(doseGy: dose, label: labels, massG: mass, lungDoseGy: lungDose, lungMassG: lungMass, lungMethod: lungMethod,
                            liverActivityGBq: liverActivity, countsPerGram: perGram, lungShuntPercent: lungShuntUsed)
    }

    static func voxelText(_ i: Int, _ g: VolumeGrid) -> String {
        let x = i % g.dims[0], y = (i / g.dims[0]) % g.dims[1], z = i / (g.dims[0] * g.dims[1])
        return "(\(x), \(y), \(z))"
    }
}
