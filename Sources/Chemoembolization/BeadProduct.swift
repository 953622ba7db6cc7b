// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation

/// One size class of a bead product.
public struct BeadSize: Sendable, Codable, Equatable {
    /// What the user types: "100-300", "200".
    public let id: String
    /// Labelled range (µm), as printed on the product.
    public let lowerUm: Double
    public let upperUm: Double
    /// Diameter the model uses before loading (µm): the midpoint of the labelled range for DC Bead,
    /// the hydrated diameter for HepaSphere.
    public let modelDiameterUm: Double
    public let source: String
}

/// How far the model parameters of a product rest on data.
public enum ParameterConfidence: String, Sendable, Codable {
    /// The model was calibrated on this product (DC Bead).
    case calibrated
    /// Parameters derived by arithmetic from in-vitro comparisons and assumptions: low confidence.
    case derived
}

/// A drug-eluting bead product: loading capacity, sizes, shrink on loading, ion-exchange
/// constant and in-vitro plateau, each with its source (`reference-data/products/deb-beads.json`).
public struct BeadProduct: Sendable, Codable, Equatable {
    public let id: String
    public let name: String
    public let manufacturer: String
    public let material: String
    public let confidence: ParameterConfidence
    public let confidenceNote: String
    /// Highest loading accepted (mg doxorubicin per mL of sedimented beads).
    public let maxLoadingMgPerMl: Double
    public let maxLoadingSource: String
    /// Highest loading recommended by the IFU (a soft check), if one is known.
    public let recommendedMaxLoadingMgPerMl: Double?
    public let recommendedLoadingSource: String?
    /// Q_packed used by the model (mg/mL sedimented).
    public let modelCapacityMgPerMl: Double
    public let modelCapacitySource: String
    /// K_d used by the model (mg/mL).
    public let dissociationConstantMgPerMl: Double
    public let dissociationConstantSource: String
    /// Diameter decrease on loading: shrinkMax · min(L / shrinkReferenceLoading, 1).
    public let shrinkMax: Double
    public let shrinkReferenceLoadingMgPerMl: Double
    public let shrinkSource: String
    /// Beads per vial (mL sedimented), for the vial-count check; nil if unknown.
    public let vialBeadVolumeMl: Double?
    public let vialsPerSession: Double?
    public let vialSource: String
    /// Published closed-vessel plateau (percent of load) and its SD, if any.
    public let inVitroPlateauPercent: Double?
    public let inVitroPlateauSdPercent: Double?
    public let inVitroPlateauSource: String?
    public let sizes: [BeadSize]

    /// The size class with this id (e.g. "100-300"); a one-line error listing the valid ones otherwise.
    public func size(_ id: String, field: String = "--size") throws -> BeadSize {
        // A closed set: exactly a listed size, no spelling variants.
        if let s = sizes.first(where: { $0.id == id }) { return s }
        throw InputError(field: field, "'\(id)' is not a size of \(name); valid: \(sizes.map(\.id).joined(separator: ", ")) (µm)")
    }

    /// Loaded bead radius (cm): R = ½ d (1 − s_max · min(L/L_ref, 1)) · 1e-4 (the model's bead shrinkage with loading).
    public func loadedRadiusCm(size: BeadSize, loadingMgPerMl: Double) -> Double {
        0.5 * size.modelDiameterUm * (1 - shrinkMax * min(loadingMgPerMl / shrinkReferenceLoadingMgPerMl, 1)) * 1e-4
    }

    /// The Langmuir isotherm of this product with the model's porosity and packing fraction:
    /// Q = Q_packed / φ_p per mL of true bead volume.
    public func isotherm(_ p: DEBModelParameters) -> LangmuirIsotherm {
        LangmuirIsotherm(capacityMgPerMl: modelCapacityMgPerMl / p.packingFraction,
                         dissociationConstantMgPerMl: dissociationConstantMgPerMl, porosity: p.porosity)
    }
}

/// `reference-data/products/deb-beads.json`: the bead products and the per-session dose limit.
public struct BeadCatalogue: Sendable, Codable, Equatable {
    public let description: String
    public let products: [BeadProduct]

    public static let resourcePath = "products/deb-beads.json"

    /// Reads the catalogue from the reference-data directory.
    public static func load() throws -> BeadCatalogue {
        try ReferenceData.load(BeadCatalogue.self, from: resourcePath)
    }

    /// The product with this id (case-insensitive); a one-line error listing the valid ones otherwise.
    public func product(_ id: String, field: String = "--product") throws -> BeadProduct {
        // A closed set: exactly a listed product id, no case or spelling variants.
        if let p = products.first(where: { $0.id == id }) { return p }
        throw InputError(field: field, "'\(id)' is not a known bead product; valid: \(products.map(\.id).joined(separator: ", "))")
    }
}
