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
    /// Diameter the model uses before loading (µm): for a labelled range, its De Brouckere mean D[4,3]
    /// (the mean weighted by bead volume, so by drug); the hydrated diameter for HepaSphere.
    public let modelDiameterUm: Double
    public let source: String
}

/// How far the model parameters of a product rest on data.
public enum ParameterConfidence: String, Sendable, Codable {
    /// The model was calibrated on this product (DC Bead).
    case calibrated
    /// Constants fitted to two closed-vessel numbers under assumptions, the in-vivo behaviour borrowed from
    /// DC Bead: low confidence.
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
    public internal(set) var dissociationConstantMgPerMl: Double
    public let dissociationConstantSource: String
    /// k_off (1/h) of finite-rate ion exchange (see `ShellKinetics`); absent: local equilibrium.
    public internal(set) var exchangeRatePerH: Double?
    public let exchangeRateSource: String?
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

extension BeadProduct {
    /// The product's own constants that the model uses, with their sources (named "… (product id)").
    public func assumptions() -> [Assumption] {
        var out = [
            Assumption(name: "modelCapacityMgPerMl (\(id))", value: modelCapacityMgPerMl, unit: "mg/mL sedimented", source: modelCapacitySource),
            Assumption(name: "dissociationConstantMgPerMl (\(id))", value: dissociationConstantMgPerMl, unit: "mg/mL", source: dissociationConstantSource),
        ]
        if let k = exchangeRatePerH, let source = exchangeRateSource {
            out.append(Assumption(name: "exchangeRatePerH (\(id))", value: k, unit: "1/h", source: source))
        }
        out.append(Assumption(name: "shrinkMax (\(id))", value: shrinkMax, unit: "1", source: shrinkSource))
        out.append(Assumption(name: "shrinkReferenceLoadingMgPerMl (\(id))", value: shrinkReferenceLoadingMgPerMl, unit: "mg/mL", source: shrinkSource))
        return out
    }
}

/// `reference-data/products/deb-beads.json`: the bead products and the per-session dose limit.
public struct BeadCatalogue: Sendable, Codable, Equatable {
    public let description: String
    public internal(set) var products: [BeadProduct]

    public static let resourcePath = "products/deb-beads.json"

    /// Reads the catalogue from the reference-data directory.
    public static func load() throws -> BeadCatalogue {
        let c = try ReferenceData.load(BeadCatalogue.self, from: resourcePath)
        try c.validate(file: resourcePath)
        return c
    }

    /// Refuses the whole catalogue when a product's numbers cannot be used: every capacity, constant,
    /// diameter and rate finite, > 0 and below a physical ceiling (a shrink in [0, 1)), product and size
    /// ids unique, each size's labelled range ordered.
    ///
    /// Ceilings: 1000 mg/mL for a capacity, loading or dissociation constant (pure doxorubicin is about
    /// 1.4 g/mL); 1e4 per hour for an exchange rate (a 0.4-second exchange time, far into the
    /// local-equilibrium limit the model approaches as the rate grows); bead diameters in the range the
    /// command line accepts (`InVitro.checkBeadDiameter`).
    public func validate(file: String) throws {
        let fail = DataFileError.in(file)
        func positive(_ x: Double, _ key: String, _ unit: String, atMost top: Double = 1000) throws {
            guard x.isFinite, x > 0, x <= top else { throw fail(key, "must be a finite number in (0, \(Format.number(top))] \(unit); got \(x)") }
        }
        guard !products.isEmpty else { throw fail("products", "must list at least one product") }
        var ids = Set<String>()
        for (i, p) in products.enumerated() {
            let k = "products[\(i)]"
            guard ids.insert(p.id).inserted else { throw fail("\(k).id", "'\(p.id)' is listed twice") }
            try positive(p.maxLoadingMgPerMl, "\(k).maxLoadingMgPerMl", "mg/mL")
            try positive(p.modelCapacityMgPerMl, "\(k).modelCapacityMgPerMl", "mg/mL")
            try positive(p.dissociationConstantMgPerMl, "\(k).dissociationConstantMgPerMl", "mg/mL")
            try positive(p.shrinkReferenceLoadingMgPerMl, "\(k).shrinkReferenceLoadingMgPerMl", "mg/mL")
            // A loading above the binding capacity would leave drug that no bead holds: outside the model.
            guard p.maxLoadingMgPerMl <= p.modelCapacityMgPerMl else {
                throw fail("\(k).maxLoadingMgPerMl", "must not exceed the product's binding capacity modelCapacityMgPerMl (\(p.modelCapacityMgPerMl) mg/mL); got \(p.maxLoadingMgPerMl)")
            }
            guard p.shrinkMax.isFinite, p.shrinkMax >= 0, p.shrinkMax < 1 else {
                throw fail("\(k).shrinkMax", "must be in [0, 1); got \(p.shrinkMax)")
            }
            if let r = p.recommendedMaxLoadingMgPerMl { try positive(r, "\(k).recommendedMaxLoadingMgPerMl", "mg/mL") }
            if let v = p.vialBeadVolumeMl { try positive(v, "\(k).vialBeadVolumeMl", "mL") }
            if let v = p.vialsPerSession { try positive(v, "\(k).vialsPerSession", "vials") }
            for (name, v) in [("inVitroPlateauPercent", p.inVitroPlateauPercent), ("inVitroPlateauSdPercent", p.inVitroPlateauSdPercent)] {
                if let v, !(v.isFinite && v >= 0 && v <= 100) { throw fail("\(k).\(name)", "must be a percentage in [0, 100]; got \(v)") }
            }
            if let rate = p.exchangeRatePerH {
                try positive(rate, "\(k).exchangeRatePerH", "1/h", atMost: 1e4)
                guard let src = p.exchangeRateSource, !src.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw fail("\(k).exchangeRateSource", "must give the source of the exchange rate")
                }
            } else if p.exchangeRateSource != nil {
                throw fail("\(k).exchangeRateSource", "must be absent when no exchange rate is given")
            }
            guard !p.sizes.isEmpty else { throw fail("\(k).sizes", "must list at least one size") }
            var sizeIds = Set<String>()
            for (j, z) in p.sizes.enumerated() {
                let sk = "\(k).sizes[\(j)]"
                guard sizeIds.insert(z.id).inserted else { throw fail("\(sk).id", "'\(z.id)' is listed twice") }
                try positive(z.modelDiameterUm, "\(sk).modelDiameterUm", "µm", atMost: 5000)
                guard z.modelDiameterUm >= InVitro.minimumBeadDiameterUm else {
                    throw fail("\(sk).modelDiameterUm", "must be at least \(Format.number(InVitro.minimumBeadDiameterUm)) µm; got \(z.modelDiameterUm)")
                }
                try positive(z.lowerUm, "\(sk).lowerUm", "µm", atMost: 5000)
                guard z.upperUm.isFinite, z.upperUm >= z.lowerUm else {
                    throw fail("\(sk).upperUm", "must be finite and at least lowerUm (\(z.lowerUm) µm); got \(z.upperUm)")
                }
            }
        }
    }

    /// The product with this id (exactly); a one-line error listing the valid ones otherwise.
    public func product(_ id: String, field: String = "--product") throws -> BeadProduct {
        // A closed set: exactly a listed product id, no case or spelling variants.
        if let p = products.first(where: { $0.id == id }) { return p }
        throw InputError(field: field, "'\(id)' is not a known bead product; valid: \(products.map(\.id).joined(separator: ", "))")
    }
}
