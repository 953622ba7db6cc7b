// SPDX-License-Identifier: GPL-3.0-or-later
import Chemoembolization
import DosecalcCore
import Foundation

/// The DEB model, at the parameters it ships with (`reference-data/deb-model.json`), against every
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
        public let timeH: Double?
        public let published: Double
        public let unit: String
        public let sd: Double?
        /// Where the SD comes from: printed in the source, assumed (with the reason), or none printed.
        public let sdBasis: String
        public let model: Double
        /// (model − published) / SD, where an SD above 0 is known.
        public let standardizedResidual: Double?
        /// model / published, where the published value is not 0.
        public let ratio: Double?
    }

    public static func rows() throws -> [Row] {
        try DEBModelFit.residualsAtShippedParameters().map { r in
            Row(point: r.id, role: r.role == .fit ? "fitted" : "held out", quantity: r.quantity.rawValue, timeH: r.timeH,
                published: r.observed, unit: r.unit.rawValue, sd: r.sd, sdBasis: r.sdBasis, model: r.predicted,
                standardizedResidual: r.standardizedResidual, ratio: r.ratio)
        }
    }

    /// The model at its shipped parameters against the published in-vitro points (closed vessel and
    /// sink), none of which is fitted: `Chemoembolization.InVitroComparison`.
    public static func inVitroRows() throws -> [InVitroComparison.Row] {
        try InVitroComparison.rows(points: try DEBCalibrationData.allPoints(), catalogue: try BeadCatalogue.load(),
                                   parameters: try DEBModelParameters.load())
    }

    /// The in-vitro rows as a plain-text table, a heading first.
    public static func inVitroTable(_ rows: [InVitroComparison.Row]) -> String {
        var out = "DEB model against the published in-vitro points (reference-data/deb-calibration/; not fitted), at the shipped parameters\n"
        out += "point".padding(toLength: 34, withPad: " ", startingAt: 0) + "published".padding(toLength: 20, withPad: " ", startingAt: 0)
            + "model".padding(toLength: 14, withPad: " ", startingAt: 0) + "residual (SD)".padding(toLength: 15, withPad: " ", startingAt: 0)
            + "model/published\n"
        for r in rows {
            let unit = displayUnit(r.unit.rawValue)
            let bound = r.valueKind == .upperBound ? "≤ " : r.valueKind == .lowerBound ? "≥ " : ""
            let sd = r.sd.map { " ± " + Format.number($0, significant: 3) } ?? ""
            let published = bound + Format.number(r.published, significant: 4) + sd + unit
            let model = Format.number(r.model, significant: 4) + unit
            let z = r.standardizedResidual.map { abs($0) < 0.005 ? "0.00" : String(format: "%+.2f", $0) }
                ?? r.boundMet.map { $0 ? "bound kept" : "bound missed" } ?? "—"
            out += r.point.padding(toLength: 34, withPad: " ", startingAt: 0) + published.padding(toLength: 20, withPad: " ", startingAt: 0)
                + model.padding(toLength: 14, withPad: " ", startingAt: 0) + z.padding(toLength: 15, withPad: " ", startingAt: 0)
                + String(format: "%.3f", r.ratio) + "\n"
        }
        out += "Closed vessel: each product at 40 mg/mL, 1 mL of sedimented beads in 20 mL (the elution volume is not in the abstract: assumed); t75 = time to 75 % of the drug released by 6 h. "
        out += "The plateaus are not compared: they depend on that volume, and three products' binding constants were derived from them. "
        out += "Sink: DC Bead 100–300 µm at 37.5 mg/mL; complete = 95 % released."
        return out
    }

    /// The unit as printed after a number: " %", " µM", " ng/mL"; nothing when dimensionless.
    static func displayUnit(_ unit: String) -> String {
        let symbol = CalibrationUnit(rawValue: unit)?.symbol ?? unit
        return symbol.isEmpty ? "" : " " + symbol
    }

    /// The rows as a plain-text table, a heading first.
    public static func table(_ rows: [Row]) -> String {
        var out = "DEB model against the published points (reference-data/deb-fit/specification.json), at the shipped parameters\n"
        out += "point".padding(toLength: 34, withPad: " ", startingAt: 0) + "role".padding(toLength: 10, withPad: " ", startingAt: 0)
            + "time".padding(toLength: 8, withPad: " ", startingAt: 0) + "published".padding(toLength: 24, withPad: " ", startingAt: 0)
            + "model".padding(toLength: 14, withPad: " ", startingAt: 0) + "residual (SD)".padding(toLength: 15, withPad: " ", startingAt: 0)
            + "model/published\n"
        for r in rows {
            let time = r.timeH.map { $0 >= 48 ? Format.number($0 / 24, significant: 3) + " d" : Format.number($0, significant: 3) + " h" } ?? "peak"
            let sd = r.sd.map { " ± " + Format.number($0, significant: 3) + (r.sdBasis.hasPrefix("assumed") ? "*" : "") } ?? ""
            let unit = displayUnit(r.unit)
            let published = Format.number(r.published, significant: 4) + sd + unit
            let model = Format.number(r.model, significant: 4) + unit
            let z = r.standardizedResidual.map { abs($0) < 0.005 ? "0.00" : String(format: "%+.2f", $0) } ?? "—"
            let ratio = r.ratio.map { String(format: "%.3f", $0) } ?? "—"
            out += r.point.padding(toLength: 34, withPad: " ", startingAt: 0) + r.role.padding(toLength: 10, withPad: " ", startingAt: 0)
                + time.padding(toLength: 8, withPad: " ", startingAt: 0) + published.padding(toLength: 24, withPad: " ", startingAt: 0)
                + model.padding(toLength: 14, withPad: " ", startingAt: 0) + z.padding(toLength: 15, withPad: " ", startingAt: 0) + ratio + "\n"
        }
        out += "* SD assumed where the source prints none (the reason is in the specification). Held-out points were not used in the fit."
        return out
    }
}
