// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser
import Chemoembolization
import DosecalcCore
import Foundation
import Validation

/// `dosecalc deb-calibrate`: refits the DEB model's bead and in-vivo parameters to the published points and
/// prints (or writes) the fitted values, their covariance, every point's residual and the fit statistics.
struct DebCalibrateCommand: EvaluatingCommand {
    static let configuration = CommandConfiguration(
        commandName: "deb-calibrate",
        abstract: "Refit the DEB elution model's bead and in-vivo parameters to the published in-vitro and in-vivo points.",
        discussion: """
        Reads reference-data/deb-fit/specification.json (what is fitted, to which points, with which \
        simulated treatment or in-vitro experiment, weighted how) and the points of reference-data/deb-calibration/, fits by \
        nonlinear least squares (GSL trust-region Levenberg-Marquardt), and reports each parameter with \
        its 95 % confidence interval, every point's residual (fitted and held-out), and the fit statistics. \
        --output writes the result file that dosecalc deb reads for its prediction intervals \
        (reference-data/deb-fit/result.json).
        """)

    @Option(name: .customLong("output"), parsing: .unconditional, help: "Write the fit result (JSON) to this file.")
    var output: String?
    @Flag(name: .customLong("json")) var json = false

    init() {}

    func evaluate() throws -> CommandOutput {
        let fit = try DEBModelFit.fitFromReferenceData()
        // The shipped fit is compared with this one; a shipped file that cannot be read is said, not hidden.
        let committed: Result<DEBFitResult, Error> = Result { try DEBFitResult.load() }
        var text = Self.text(fit, committed: committed)
        if let path = output { text += "\nThe fit is written to \(path)." }
        var out = try CommandOutput(result: fit, text: text, status: .ok)
        if let path = output {
            let data = try CommandOutput.encoder.encode(fit)
            out.files.append((path: path, contents: String(decoding: data, as: UTF8.self) + "\n", flag: "--output"))
        }
        return out
    }

    static func text(_ f: DEBFitResult, committed: Result<DEBFitResult, Error>) -> String {
        var lines = ["DEB model fit (\(f.model)): \(f.statistics.fittedPoints) fitted points, \(f.statistics.parameters) parameters",
                     "", "Fitted parameters (95 % confidence interval)"]
        for p in f.parameters {
            let unit = p.unit == "1" ? "" : " " + p.unit
            lines.append("  \(p.label): \(Format.number(p.value, significant: 5))\(unit)"
                         + " (\(Format.number(p.lower95, significant: 3))–\(Format.number(p.upper95, significant: 3))\(unit))")
        }
        lines += ["", "Points (model against published)"]
        for r in f.residuals {
            let at = r.timeH.map { " at \(Format.number($0)) h" } ?? ""
            let z = r.boundKept.map { $0 ? ", bound kept" : ", bound missed" } ?? r.standardizedResidual.map { ", \(Format.fixed($0, 2)) SD" } ?? ""
            let role = r.role == .fit ? "fitted" : "held out"
            let ratio = r.ratio.map { "ratio \(Format.fixed($0, 3))" } ?? "published value 0"
            let published = CalibrationReport.publishedText(valueKind: r.valueKind, value: r.observed, unit: r.unit, sd: r.sd,
                                                            relativeSd: r.relativeSd, sdBasis: r.sdBasis)
            lines.append("  \(r.id)\(at) [\(role)]: model \(Format.number(r.predicted, significant: 4))\(r.unit.symbol.isEmpty ? "" : " " + r.unit.symbol), published \(published) (\(ratio)\(z))")
        }
        if !f.penalties.isEmpty {
            lines += ["", "Priors and rankings (terms of the fit)"]
            for q in f.penalties { lines.append("  \(q.id): \(Format.fixed(q.standardizedResidual, 2)) SD") }
        }
        let s = f.statistics
        lines += ["", "Chi-squared \(Format.number(s.chiSquared, significant: 4)) on \(s.degreesOfFreedom) degrees of freedom "
                  + "(\(s.fittedPoints) points and \(s.penaltyTerms) prior and ranking terms, less \(s.parameters) parameters); "
                  + "\(s.iterations) iterations, \(s.residualEvaluations) model evaluations."]
        switch committed {
        case .failure(let e):
            lines.append("The shipped fit (reference-data/\(DEBFitResult.resourcePath)) cannot be read: \(e)")
        case .success(let c):
            let worst = f.parameters.map { p in
                c.parameters.first { $0.name == p.name && $0.product == p.product }.map { abs($0.value / p.value - 1) } ?? .infinity
            }.max() ?? .infinity
            lines.append(worst <= 1e-6
                         ? "The shipped fit (reference-data/\(DEBFitResult.resourcePath)) agrees with this one."
                         : "The shipped fit (reference-data/\(DEBFitResult.resourcePath)) differs from this one; write it with --output.")
        }
        return lines.joined(separator: "\n")
    }
}
