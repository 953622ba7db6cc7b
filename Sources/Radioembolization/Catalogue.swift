// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore

/// A radionuclide as used in the dose calculation.
public struct Nuclide: Sendable, Codable, Equatable {
    public let id: String
    public let name: String
    public let halfLifeH: Double
    public let halfLifeSource: String
    public let meanEnergyPerDecayMeV: Double
    public let meanEnergySource: String

    public init(id: String, name: String, halfLifeH: Double, halfLifeSource: String,
                meanEnergyPerDecayMeV: Double, meanEnergySource: String) {
        self.id = id; self.name = name; self.halfLifeH = halfLifeH; self.halfLifeSource = halfLifeSource
        self.meanEnergyPerDecayMeV = meanEnergyPerDecayMeV; self.meanEnergySource = meanEnergySource
    }
}

/// A microsphere product with its dose factor and vials.
public struct Device: Sendable, Codable, Equatable {
    public let id: String
    public let name: String
    public let nuclide: String
    /// K in Gy·kg/GBq (= J/GBq): mean absorbed dose per GBq decaying completely in 1 kg.
    public let doseFactorGyKgPerGBq: Double
    public let doseFactorSource: String
    public let vialSizesGBq: [Double]
    public let vialSizesSource: String
    public let typicalResidualPercent: Double
    public let typicalResidualSource: String
    /// The hours after the calibration time within which the product may be used.
    public let usableWindow: UsableWindow
    /// The largest activity that can be ordered or drawn for one treatment (GBq at calibration).
    public let largestOrderGBq: Double
    public let largestOrderSource: String
}

/// The time after calibration within which a product may be used (negative: before calibration).
public struct UsableWindow: Sendable, Codable, Equatable {
    public let earliestHoursAfterCalibration: Double
    public let latestHoursAfterCalibration: Double
    /// Whether the window was checked against the vendor's document; an unverified window is
    /// configurable and reported as such.
    public let verified: Bool
    public let source: String

    public init(earliestHoursAfterCalibration: Double, latestHoursAfterCalibration: Double, verified: Bool, source: String) {
        self.earliestHoursAfterCalibration = earliestHoursAfterCalibration
        self.latestHoursAfterCalibration = latestHoursAfterCalibration
        self.verified = verified
        self.source = source
    }
}

public struct TissueDefaults: Sendable, Codable, Equatable {
    public let densityGPerMl: Double
    public let densitySource: String
    public let lungMassG: Double
    public let lungMassSource: String
}

/// A half-open or closed band [from, to) / [from, to] of a percentage.
public struct PercentBand: Sendable, Codable, Equatable {
    public let fromPercent: Double
    public let toPercent: Double
    public let toInclusive: Bool
    public let reductionPercent: Double?
    public let activityGBq: Double?

    public func contains(_ p: Double) -> Bool {
        p >= fromPercent && (toInclusive ? p <= toPercent : p < toPercent)
    }
}

public struct BandTable: Sendable, Codable, Equatable {
    public let source: String
    public let bands: [PercentBand]

    public func band(for percent: Double) -> PercentBand? { bands.first { $0.contains(percent) } }
}

public struct HolmiumStandard: Sendable, Codable, Equatable {
    public let targetDoseGy: Double
    public let source: String
}

/// `reference-data/products/radioembolization.json`: nuclides, devices, tissue defaults, limits.
public struct RadioembolizationCatalogue: Sendable, Codable, Equatable {
    public let nuclides: [Nuclide]
    public let devices: [Device]
    public let tissue: TissueDefaults
    public let resinLungShuntReductions: BandTable
    public let resinEmpiric: BandTable
    public let holmiumStandard: HolmiumStandard

    public static let relativePath = "products/radioembolization.json"

    /// Loads the catalogue from the reference-data directory.
    public static func load() throws -> RadioembolizationCatalogue {
        try ReferenceData.load(RadioembolizationCatalogue.self, from: relativePath)
    }

    public func device(_ id: String) throws -> Device {
        guard let d = devices.first(where: { $0.id == id }) else {
            throw InputError(field: "device", "must be one of \(devices.map(\.id).joined(separator: ", ")); got '\(id)'")
        }
        return d
    }

    public func nuclide(_ id: String) throws -> Nuclide {
        // A closed set: exactly the listed ids, no case or spelling variants.
        guard let n = nuclides.first(where: { $0.id == id }) else {
            throw InputError(field: "nuclide", "must be one of \(nuclides.map(\.id).joined(separator: ", ")); got '\(id)'")
        }
        return n
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
