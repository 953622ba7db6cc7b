// SPDX-License-Identifier: GPL-3.0-or-later
import Chemoembolization
import DosecalcCore
import Foundation

/// The DEB model, at the values it ships with (`reference-data/deb-model.json` and
/// `reference-data/products/deb-beads.json`), against every
/// published point of its fit specification (`reference-data/deb-fit/specification.json`): the
/// points it was fitted to and the points held out for validation, each with its residual.
///
/// This is a report, not a pass/fail check: a held-out point that the model misses is shown as
/// missed. The model values are recomputed on every run, not read from the stored fit.
public enum CalibrationReport {
    public struct Row: Sendable, Codable, Equatable {
        public let point: String
        /// "fitted" or "held out".
        public let role: String
        public let quantity: String
        /// measured, approximate, upperBound or lowerBound.
        public let valueKind: String
        public let timeH: Double?
        public let published: Double
        public let unit: String
        public let sd: Double?
        /// The SD of ln(value), for a point weighted by its relative error.
        public let relativeSd: Double?
        /// Where the SD comes from: printed in the source, assumed (with the reason), or none printed.
        public let sdBasis: String
        public let model: Double
        /// The point's standardised residual: (model − published)/SD, ln(model/published)/relative SD, or a
        /// fitted bound's one-sided term (see `DEBFitSpecification`); nil for a held-out bound.
        public let standardizedResidual: Double?
        /// model / published, where the published value is not 0.
        public let ratio: Double?
        /// For a bound: whether the model keeps it.
        public let boundKept: Bool?
    }

    public static func rows() throws -> [Row] {
        try DEBModelFit.residualsAtShippedParameters().map { r in
            Row(point: r.id, role: r.role == .fit ? "fitted" : "held out", quantity: r.quantity.rawValue, valueKind: r.valueKind.rawValue,
                timeH: r.timeH, published: r.observed, unit: r.unit.rawValue, sd: r.sd, relativeSd: r.relativeSd, sdBasis: r.sdBasis,
                model: r.predicted, standardizedResidual: r.standardizedResidual, ratio: r.ratio, boundKept: r.boundKept)
        }
    }

    /// The unit as printed after a number: " %", " µM", " ng/mL"; nothing when dimensionless.
    static func displayUnit(_ unit: String) -> String {
        let symbol = CalibrationUnit(rawValue: unit)?.symbol ?? unit
        return symbol.isEmpty ? "" : " " + symbol
    }

    /// A published value as printed in both reports (`validate`, `deb-calibrate`): a bound as "≤ 4 h"; a
    /// value with its absolute SD, "21 % ± 2"; with an SD of its logarithm, "197 min ± 20 % relative"; a
    /// star where the SD is assumed rather than printed.
    public static func publishedText(valueKind: CalibrationValueKind, value: Double, unit: CalibrationUnit, sd: Double?,
                                     relativeSd: Double?, sdBasis: String) -> String {
        let symbol = unit.symbol.isEmpty ? "" : " " + unit.symbol
        let bound = valueKind == .upperBound ? "≤ " : valueKind == .lowerBound ? "≥ " : ""
        let assumed = sdBasis.contains("assumed") ? "*" : ""
        let spread = !bound.isEmpty ? ""
            : sd.map { " ± " + Format.number($0, significant: 3) + assumed }
            ?? relativeSd.map { " ± " + Format.number(100 * $0, significant: 3) + " % relative" + assumed } ?? ""
        return bound + Format.number(value, significant: 4) + symbol + spread
    }

    /// The rows as a plain-text table, a heading first.
    public static func table(_ rows: [Row]) -> String {
        var out = "DEB model against the published points (reference-data/deb-fit/specification.json), at the shipped parameters\n"
        out += "point".padding(toLength: 34, withPad: " ", startingAt: 0) + "role".padding(toLength: 10, withPad: " ", startingAt: 0)
            + "time".padding(toLength: 8, withPad: " ", startingAt: 0) + "published".padding(toLength: 24, withPad: " ", startingAt: 0)
            + "model".padding(toLength: 14, withPad: " ", startingAt: 0) + "residual (SD)".padding(toLength: 15, withPad: " ", startingAt: 0)
            + "model/published\n"
        for r in rows {
            let time = r.timeH.map { $0 >= 48 ? Format.number($0 / 24, significant: 3) + " d" : Format.number($0, significant: 3) + " h" }
                ?? (r.quantity == CalibrationQuantity.plasmaCmaxNgPerMl.rawValue ? "peak" : "—")
            let unit = displayUnit(r.unit)
            let published = publishedText(valueKind: CalibrationValueKind(rawValue: r.valueKind) ?? .measured, value: r.published,
                                          unit: CalibrationUnit(rawValue: r.unit) ?? .one, sd: r.sd, relativeSd: r.relativeSd,
                                          sdBasis: r.sdBasis)
            let model = Format.number(r.model, significant: 4) + unit
            let z = r.boundKept.map { $0 ? "bound kept" : "bound missed" }
                ?? r.standardizedResidual.map { abs($0) < 0.005 ? "0.00" : String(format: "%+.2f", $0) } ?? "—"
            let ratio = r.ratio.map { String(format: "%.3f", $0) } ?? "—"
            out += r.point.padding(toLength: 34, withPad: " ", startingAt: 0) + r.role.padding(toLength: 10, withPad: " ", startingAt: 0)
                + time.padding(toLength: 8, withPad: " ", startingAt: 0) + published.padding(toLength: 24, withPad: " ", startingAt: 0)
                + model.padding(toLength: 14, withPad: " ", startingAt: 0) + z.padding(toLength: 15, withPad: " ", startingAt: 0) + ratio + "\n"
        }
        out += "* SD assumed where the source prints none or 0 (the reason is in the specification); ± x % relative is an SD of the logarithm. A fitted bound costs nothing inside it. Held-out points were not used in the fit.\n"
        out += "Closed vessel (de Baere 2016): each product at 40 mg/mL, 1 mL of sedimented beads in 20 mL (the elution volume is not in the abstract: assumed); t75 = time to 75 % of the drug released by 6 h. "
        out += "Sink (Gonzalez 2008): DC Bead 100–300 µm at 37.5 mg/mL; complete = 95 % released; R² of a first-order fit over 0–4 h."
        return out
    }
}
