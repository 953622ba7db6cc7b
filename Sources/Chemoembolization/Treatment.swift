// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore

/// One size class of beads delivered in a treatment: product, size, loading and dose.
/// The sedimented bead volume is dose / loading.
public struct BeadDeposit: Sendable, Equatable {
    public let product: BeadProduct
    public let size: BeadSize
    /// L: mg doxorubicin per mL of sedimented beads.
    public let loadingMgPerMl: Double
    /// Dose of this class (mg).
    public let doseMg: Double

    /// Validates loading (0, product maximum] and dose (0, 1000] mg; throws `InputError` naming
    /// `loadingField` / `doseField`. Nothing is clipped.
    public init(product: BeadProduct, size: BeadSize, loadingMgPerMl: Double, doseMg: Double,
                loadingField: String = "loadingMgPerMl", doseField: String = "doseMg") throws {
        // The model's own bound is physical: above 0, at most the highest calibrated loading. The preparable
        // floor (`minimumLoadingMgPerMl`) is the callers' rule (`checkLoading`; see Limits.swift).
        try PlausibleRange(0, product.maxLoadingMgPerMl, "mg/mL (the highest loading of \(product.name) the model is calibrated for)", includesLower: false)
            .check(loadingMgPerMl, field: loadingField)
        try PlausibleRange(0, 1000, "mg", includesLower: false).check(doseMg, field: doseField)
        self.product = product
        self.size = size
        self.loadingMgPerMl = loadingMgPerMl
        self.doseMg = doseMg
    }

    /// Sedimented (packed) bead volume (mL) = dose / loading.
    public var packedVolumeMl: Double { doseMg / loadingMgPerMl }
}

/// What is given in one session: one or more bead size classes (a mixture), and optionally an
/// intravenous bolus placed directly in plasma at t = 0 (used to check the systemic model
/// against its closed form).
public struct DEBTreatment: Sendable, Equatable {
    public var deposits: [BeadDeposit]
    public var ivBolusMg: Double

    public init(deposits: [BeadDeposit], ivBolusMg: Double = 0) {
        self.deposits = deposits
        self.ivBolusMg = ivBolusMg
    }

    /// A single product given as several size classes with the dose split evenly between them
    /// and the same loading for all (e.g. PRECISION V: 300–500 + 500–700 µm, 2 × 75 mg).
    public static func evenSplit(product: BeadProduct, sizes: [String], loadingMgPerMl: Double, doseMg: Double) throws -> DEBTreatment {
        guard !sizes.isEmpty else { throw InputError(field: "sizes", "give at least one size class") }
        let each = doseMg / Double(sizes.count)
        return DEBTreatment(deposits: try sizes.map {
            try BeadDeposit(product: product, size: try product.size($0), loadingMgPerMl: loadingMgPerMl, doseMg: each)
        })
    }

    /// Total drug of the session (mg): beads plus any bolus.
    public var totalDoseMg: Double { deposits.reduce(ivBolusMg) { $0 + $1.doseMg } }
}
