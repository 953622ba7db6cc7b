// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore

/// A number with its unit and where it comes from, as stored in `reference-data/deb-model.json`.
public struct SourcedValue: Sendable, Codable, Equatable {
    public let value: Double
    public let unit: String
    public let source: String

    public init(value: Double, unit: String, source: String) {
        self.value = value
        self.unit = unit
        self.source = source
    }
}

/// The parameters of DEB-IX-3C, loaded from `reference-data/deb-model.json`,
/// where each value carries its unit and its source or calibration target.
///
/// Units inside the engine: time h, drug mass mg, length cm, bead concentrations mg/mL
/// (= mg/cm³), plasma and tissue amounts mg, volumes L, clearances L/h. Diffusivities are stored
/// in cm²/s as published and converted to cm²/h (× 3600) where they are used.
///
/// A note on the drug's molar mass: doses are labelled as doxorubicin hydrochloride
/// (579.98 g/mol), measured concentrations as free base (543.52 g/mol). The reference
/// implementation (Benchmarks/scipy_peer.py) carries the mg dose unconverted and converts tissue µg/mL to
/// µM with the free-base molar mass; this engine does the same so that it reproduces the
/// reference cases, and the calibrated parameters (t_sink, R_T) absorb the 6.3 % difference.
public struct DEBModelParameters: Sendable, Equatable {
    /// Q_packed: binding capacity per mL of sedimented bead (mg/mL). [R] Lewis 2006/2007.
    public var bindingCapacityPackedMgPerMl: Double
    /// K_d: Langmuir dissociation constant in free-drug concentration (mg/mL). [D] from >99 % uptake.
    public var dissociationConstantMgPerMl: Double
    /// ε: pore (water) volume fraction of the hydrogel. [A]
    public var porosity: Double
    /// φ_p: true bead volume per packed volume. [A] random close packing.
    public var packingFraction: Double
    /// s_max: fractional diameter decrease on loading at or above `shrinkReferenceLoadingMgPerMl`. [V] IFU.
    public var shrinkMax: Double
    /// L_ref: loading at which `shrinkMax` is reached (mg/mL). [V] IFU.
    public var shrinkReferenceLoadingMgPerMl: Double
    /// D_b: diffusivity of free drug inside the bead (cm²/s). [C] Gonzalez 2008 sink elution.
    public var beadDiffusivityCm2PerS: Double
    /// D_t: effective external transfer diffusivity bead → tissue (cm²/s). [C] Namur 2010, 43 % at 28 d.
    public var tissueTransferDiffusivityCm2PerS: Double
    /// t_sink: equivalent sink exposure during delivery that sets the burst (s). [C] Poon/Varela Cmax.
    public var sinkEquivalentTimeS: Double
    /// k_b: first-order rate of the burst pool into plasma (1/h). [A]
    public var burstAbsorptionRatePerH: Double
    /// V_T: treated tissue volume (L). [A] planner input.
    public var treatedTissueVolumeL: Double
    /// R_T: tissue total/free concentration ratio. [C] Namur 2011.
    public var tissueBindingRatio: Double
    /// CL_T: free-drug exchange clearance tissue ↔ plasma (L/h). [C]/[A]
    public var tissuePlasmaClearanceLPerH: Double
    /// k_met,T: local elimination rate in the treated tissue (1/h). [A] 0.
    public var tissueMetabolismRatePerH: Double
    /// fu_p: plasma fraction unbound. [V] label.
    public var plasmaFractionUnbound: Double
    /// Systemic 3-compartment model (Perez-Blanco 2016). [V]
    public var pk: ThreeCompartmentPK
    /// f_CL: multiplier on systemic clearance (hepatic impairment). [A] 1.
    public var clearanceFactor: Double
    /// N_R: equal-thickness radial shells per size class in vivo.
    public var shellsPerClass: Int
    /// Molar mass for µM (free base, g/mol).
    public var doxorubicinMolarMassGPerMol: Double
    /// In vitro only: D_w, diffusivity of free drug in the elution medium (cm²/s), and the thickness of
    /// the stagnant film over the beads in a stirred sink apparatus (USP II) and in a closed vessel (cm).
    /// Absent: the medium is perfectly stirred (no film).
    public var mediumDiffusivityCm2PerS: Double?
    public var sinkFilmThicknessCm: Double?
    public var closedVesselFilmThicknessCm: Double?
    /// Every parameter as loaded, by name, for the `assumptions` of a result.
    public var sources: [String: SourcedValue]

    public static let resourcePath = "deb-model.json"

    /// Reads `reference-data/deb-model.json`. Every parameter must be present and finite.
    public static func load() throws -> DEBModelParameters {
        struct File: Codable { let model: String; let parameters: [String: SourcedValue] }   // Codable: ReferenceData.load decodes strictly
        let f = try ReferenceData.load(File.self, from: resourcePath)
        return try DEBModelParameters(sources: f.parameters)
    }

    /// Builds the parameter set from named values (the JSON file's `parameters` object).
    public init(sources s: [String: SourcedValue]) throws {
        let fail = DEBModelParameters.brokenFile
        func v(_ name: String) throws -> Double {
            guard let x = s[name] else { throw fail(name, "is missing") }
            guard x.value.isFinite, x.value >= 0 else { throw fail(name, "must be finite and ≥ 0; got \(x.value)") }
            return x.value
        }
        bindingCapacityPackedMgPerMl = try v("bindingCapacityPackedMgPerMl")
        dissociationConstantMgPerMl = try v("dissociationConstantMgPerMl")
        porosity = try v("porosity")
        packingFraction = try v("packingFraction")
        shrinkMax = try v("shrinkMax")
        shrinkReferenceLoadingMgPerMl = try v("shrinkReferenceLoadingMgPerMl")
        beadDiffusivityCm2PerS = try v("beadDiffusivityCm2PerS")
        tissueTransferDiffusivityCm2PerS = try v("tissueTransferDiffusivityCm2PerS")
        sinkEquivalentTimeS = try v("sinkEquivalentTimeS")
        burstAbsorptionRatePerH = try v("burstAbsorptionRatePerH")
        treatedTissueVolumeL = try v("treatedTissueVolumeL")
        tissueBindingRatio = try v("tissueBindingRatio")
        tissuePlasmaClearanceLPerH = try v("tissuePlasmaClearanceLPerH")
        tissueMetabolismRatePerH = try v("tissueMetabolismRatePerH")
        plasmaFractionUnbound = try v("plasmaFractionUnbound")
        pk = ThreeCompartmentPK(
            clearanceLPerH: try v("clearanceLPerH"), centralVolumeL: try v("centralVolumeL"),
            q2LPerH: try v("intercompartmentalClearance2LPerH"), peripheralVolume2L: try v("peripheralVolume2L"),
            q3LPerH: try v("intercompartmentalClearance3LPerH"), peripheralVolume3L: try v("peripheralVolume3L"))
        clearanceFactor = try v("clearanceFactor")
        // A whole number of shells, at most a tenth of the session's state limit so that a mixture of all
        // five DC Bead size classes, two states per shell with finite-rate exchange, still fits (checked
        // before the conversion, which would trap on 1e30).
        let shells = try v("shellsPerClass"), mostShells = ElutionModel.maximumShellsPerSession / 10   // 5 size classes, 2 states per shell
        guard shells == shells.rounded(), shells >= 2, shells <= Double(mostShells) else {
            throw fail("shellsPerClass", "must be a whole number in [2, \(mostShells)]; got \(shells)")
        }
        shellsPerClass = Int(shells)
        doxorubicinMolarMassGPerMol = try v("doxorubicinMolarMassGPerMol")
        func optional(_ name: String) throws -> Double? {
            guard s[name] != nil else { return nil }
            let x = try v(name)
            guard x > 0 else { throw fail(name, "must be > 0 when given (leave it out for none); got \(x)") }
            return x
        }
        mediumDiffusivityCm2PerS = try optional("mediumDiffusivityCm2PerS")
        sinkFilmThicknessCm = try optional("sinkFilmThicknessCm")
        closedVesselFilmThicknessCm = try optional("closedVesselFilmThicknessCm")
        if (sinkFilmThicknessCm != nil || closedVesselFilmThicknessCm != nil) && mediumDiffusivityCm2PerS == nil {
            throw fail("mediumDiffusivityCm2PerS", "is missing: a film thickness needs the diffusivity in the medium")
        }
        // A closed set of names: a misspelt parameter is refused, not ignored.
        let known = Set(DEBModelParameters.assumptionNames + ["mediumDiffusivityCm2PerS", "sinkFilmThicknessCm", "closedVesselFilmThicknessCm"])
        if let unknown = s.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail(String(unknown.prefix(60)), "is not a parameter of the model")
        }
        sources = s
        try validate()
    }

    /// A broken `deb-model.json`: the parameter's key and what is wrong (exit 78, nothing computed).
    static func brokenFile(_ name: String, _ message: String) -> DataFileError {
        DataFileError.in(resourcePath)("parameters.\(name)", message)
    }

    /// Refuses a parameter set the equations cannot use (zero volumes, porosity outside (0, 1]). Every
    /// value comes from `deb-model.json` (command-line overrides are range-checked where they are read),
    /// so a failure is a broken reference-data file.
    public func validate() throws {
        let fail = DEBModelParameters.brokenFile
        func positive(_ x: Double, _ name: String) throws {
            guard x > 0, x.isFinite else { throw fail(name, "must be > 0; got \(x)") }
        }
        try positive(porosity, "porosity")
        guard porosity <= 1 else { throw fail("porosity", "must be ≤ 1; got \(porosity)") }
        try positive(packingFraction, "packingFraction")
        guard packingFraction <= 1 else { throw fail("packingFraction", "must be ≤ 1; got \(packingFraction)") }
        guard shrinkMax < 1 else { throw fail("shrinkMax", "must be < 1; got \(shrinkMax)") }
        try positive(shrinkReferenceLoadingMgPerMl, "shrinkReferenceLoadingMgPerMl")
        try positive(beadDiffusivityCm2PerS, "beadDiffusivityCm2PerS")
        try positive(tissueTransferDiffusivityCm2PerS, "tissueTransferDiffusivityCm2PerS")
        try positive(treatedTissueVolumeL, "treatedTissueVolumeL")
        try positive(tissueBindingRatio, "tissueBindingRatio")
        try positive(pk.centralVolumeL, "centralVolumeL")
        try positive(pk.peripheralVolume2L, "peripheralVolume2L")
        try positive(pk.peripheralVolume3L, "peripheralVolume3L")
        guard plasmaFractionUnbound > 0, plasmaFractionUnbound <= 1 else {
            throw fail("plasmaFractionUnbound", "must be in (0, 1]; got \(plasmaFractionUnbound)")
        }
        guard shellsPerClass >= 2 else { throw fail("shellsPerClass", "must be ≥ 2; got \(shellsPerClass)") }
        try positive(doxorubicinMolarMassGPerMol, "doxorubicinMolarMassGPerMol")
    }

    /// D_b in cm²/h.
    @inlinable public var beadDiffusivityCm2PerH: Double { beadDiffusivityCm2PerS * 3600 }
    /// D_t in cm²/h.
    @inlinable public var tissueTransferDiffusivityCm2PerH: Double { tissueTransferDiffusivityCm2PerS * 3600 }
    /// The external transfer of an in-vitro medium: a film of the given thickness (cm) in a medium of
    /// diffusivity D_w, or none when either is not given.
    public func inVitroTransfer(filmThicknessCm: Double?) -> ExternalTransfer {
        guard let delta = filmThicknessCm, let dw = mediumDiffusivityCm2PerS, delta > 0 else { return .none }
        return .film(thicknessCm: delta, mediumDiffusivityCm2PerH: dw * 3600)
    }

    /// t_sink in h.
    @inlinable public var sinkEquivalentTimeH: Double { sinkEquivalentTimeS / 3600 }

    /// µM from a total concentration in µg/mL (= mg/L): c / M · 1000.
    @inlinable public func micromolar(fromUgPerMl c: Double) -> Double { c / doxorubicinMolarMassGPerMol * 1000 }

    /// The names of the parameters every model file must give (the order of `assumptions()`).
    static let assumptionNames = [
        "bindingCapacityPackedMgPerMl", "dissociationConstantMgPerMl", "porosity", "packingFraction", "shrinkMax",
        "shrinkReferenceLoadingMgPerMl", "beadDiffusivityCm2PerS", "tissueTransferDiffusivityCm2PerS", "sinkEquivalentTimeS",
        "burstAbsorptionRatePerH", "treatedTissueVolumeL", "tissueBindingRatio", "tissuePlasmaClearanceLPerH",
        "tissueMetabolismRatePerH", "plasmaFractionUnbound", "clearanceLPerH", "centralVolumeL",
        "intercompartmentalClearance2LPerH", "peripheralVolume2L", "intercompartmentalClearance3LPerH", "peripheralVolume3L",
        "clearanceFactor", "shellsPerClass", "doxorubicinMolarMassGPerMol",
    ]

    /// Parameters that act only in vitro (the boundary layers of the media).
    public static let inVitroOnlyNames: Set<String> = ["mediumDiffusivityCm2PerS", "sinkFilmThicknessCm", "closedVesselFilmThicknessCm"]
    /// Parameters that every product replaces with its own (`BeadProduct.assumptions`).
    public static let productReplacedNames: Set<String> = ["bindingCapacityPackedMgPerMl", "dissociationConstantMgPerMl", "shrinkMax",
                                                           "shrinkReferenceLoadingMgPerMl"]

    /// The assumptions of an in-vitro solve with beads of `product`: the media's boundary layers, the bead's
    /// porosity, packing and pore diffusivity, then the product's own constants.
    public func inVitroAssumptions(product: BeadProduct) -> [Assumption] {
        let keep = Self.inVitroOnlyNames.union(["porosity", "packingFraction", "beadDiffusivityCm2PerS"])
        return assumptions().filter { keep.contains($0.name) } + product.assumptions()
    }

    /// The assumptions of an in-vivo solve with beads of `products`: the model's parameters that act in vivo
    /// and are not replaced by a product's, then each product's own constants.
    public func inVivoAssumptions(products: [BeadProduct]) -> [Assumption] {
        let skip = Self.inVitroOnlyNames.union(Self.productReplacedNames)
        var seen = Set<String>()
        return assumptions().filter { !skip.contains($0.name) }
            + products.filter { seen.insert($0.id).inserted }.flatMap { $0.assumptions() }
    }

    /// The parameters as `Assumption`s (name, value, unit, source), in a fixed order, with the
    /// values actually used (a command-line override replaces the file's value and says so).
    public func assumptions() -> [Assumption] {
        var used: [(String, Double)] = [
            ("bindingCapacityPackedMgPerMl", bindingCapacityPackedMgPerMl),
            ("dissociationConstantMgPerMl", dissociationConstantMgPerMl),
            ("porosity", porosity), ("packingFraction", packingFraction),
            ("shrinkMax", shrinkMax), ("shrinkReferenceLoadingMgPerMl", shrinkReferenceLoadingMgPerMl),
            ("beadDiffusivityCm2PerS", beadDiffusivityCm2PerS),
            ("tissueTransferDiffusivityCm2PerS", tissueTransferDiffusivityCm2PerS),
            ("sinkEquivalentTimeS", sinkEquivalentTimeS), ("burstAbsorptionRatePerH", burstAbsorptionRatePerH),
            ("treatedTissueVolumeL", treatedTissueVolumeL), ("tissueBindingRatio", tissueBindingRatio),
            ("tissuePlasmaClearanceLPerH", tissuePlasmaClearanceLPerH),
            ("tissueMetabolismRatePerH", tissueMetabolismRatePerH),
            ("plasmaFractionUnbound", plasmaFractionUnbound),
            ("clearanceLPerH", pk.clearanceLPerH), ("centralVolumeL", pk.centralVolumeL),
            ("intercompartmentalClearance2LPerH", pk.q2LPerH), ("peripheralVolume2L", pk.peripheralVolume2L),
            ("intercompartmentalClearance3LPerH", pk.q3LPerH), ("peripheralVolume3L", pk.peripheralVolume3L),
            ("clearanceFactor", clearanceFactor), ("shellsPerClass", Double(shellsPerClass)),
            ("doxorubicinMolarMassGPerMol", doxorubicinMolarMassGPerMol),
        ]
        for (name, value) in [("mediumDiffusivityCm2PerS", mediumDiffusivityCm2PerS), ("sinkFilmThicknessCm", sinkFilmThicknessCm),
                              ("closedVesselFilmThicknessCm", closedVesselFilmThicknessCm)] {
            if let value { used.append((name, value)) }
        }
        return used.map { name, value in
            let s = sources[name]
            var source = s?.source ?? "set in code"
            if let s, s.value != value { source = "overridden (file value \(Format.number(s.value))); " + source }
            return Assumption(name: name, value: value, unit: s?.unit ?? "", source: source)
        }
    }
}
