// SPDX-License-Identifier: GPL-3.0-or-later
@testable import Chemoembolization
import DosecalcCore
import Foundation
import TestSupport

/// Shared fixtures: the parameter file, the catalogue and the reference cases of the research note.
enum Fixture {
    static let parameters: DEBModelParameters = try! DEBModelParameters.load()
    static let catalogue: BeadCatalogue = try! BeadCatalogue.load()
    static let dcBead: BeadProduct = try! catalogue.product("dc-bead")

    /// The expected value of `path` in case `id` of reference-data/cases/deb.json (written by the
    /// independent scipy implementation, reference-data/tools/make_deb_cases.py).
    static func caseValue(_ id: String, _ path: String) throws -> Double {
        try debCases.get().value(id, path)
    }

    /// The cases of reference-data/cases/deb.json, read once.
    static let debCases = Result { try ReferenceCases(url: try ReferenceData.url("cases/deb.json")) }

    static func treatment(_ sizes: [String], loading: Double = 37.5, doseMg: Double) throws -> DEBTreatment {
        try DEBTreatment.evenSplit(product: dcBead, sizes: sizes, loadingMgPerMl: loading, doseMg: doseMg)
    }

    static func simulate(_ sizes: [String], loading: Double = 37.5, doseMg: Double, days: Double = 30) throws -> DEBResult {
        try ElutionModel(treatment: try treatment(sizes, loading: loading, doseMg: doseMg), parameters: parameters).simulate(days: days)
    }
}

func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / max(abs(b), 1e-300) }
