// SPDX-License-Identifier: GPL-3.0-or-later
// A plain request for a leaf command is parsed by that command directly (Dosecalc.parse); it must give
// exactly what parsing from the root gives: the same command and values, or the same error and exit code.
import ArgumentParser
import Foundation
import Testing
@testable import DosecalcCLI

@Suite("Leaf parsing")
struct LeafParsingTests {
    static let cases: [[String]] = [
        ["y90", "--device", "glass", "--method", "partition", "--tumor-mass-g", "150", "--normal-liver-mass-g", "850", "--tn-ratio", "4", "--tumor-dose-gy", "205", "--lung-shunt", "6"],
        ["y90", "--device", "glass", "--method", "mird", "--perfused-mass-g", "1000", "--target-dose-gy", "120", "--lung-shunt", "5", "--json"],
        ["y90", "--device", "glass", "--method", "mird"], ["y90"], ["y90", "extra"], ["y90", "--nope"], ["y90", "--device"], ["y90", "--brief", "--json"],
        ["y90", "--activity-gbq", "1", "--activity-mbq", "1000"], ["y90", "--lung-shunt=6", "--device=glass"], ["y90", "--", "--device"],
        ["ho166", "--method", "standard", "--liver-mass-g", "1500", "--lung-shunt", "4"], ["ho166", "--method", "bogus"],
        ["lsf", "--lung-anterior", "1", "--lung-posterior", "2", "--liver-anterior", "3", "--liver-posterior", "4"], ["lsf"],
        ["decay", "--nuclide", "y90", "--activity-gbq", "3", "--hours", "24"], ["decay", "--nuclide", "y90"],
        ["vial", "--device", "glass", "--activity-gbq", "3", "--residual-percent", "1", "--hours", "2"],
        ["tn-ratio", "--tumor-counts", "1000", "--tumor-volume-ml", "10", "--normal-counts", "1000", "--normal-volume-ml", "100"],
        ["dose-factor", "--half-life-h", "64.1", "--mean-energy-mev", "0.9367"], ["deb", "--product", "dc-bead"],
        ["voxel", "--counts", "/no/file.nii"], ["batch", "--jobs", "0"], ["plan", "--input"], ["validate", "--filter", "ZZZ"],
    ]

    func outcome(_ parse: () throws -> ParsableCommand) -> String {
        do {
            let c = try parse()
            var out = String(describing: type(of: c))
            if let e = c as? any EvaluatingCommand, let o = try? e.evaluate() { out += String(decoding: (try? o.json()) ?? Data(), as: UTF8.self) }
            return out
        } catch {
            // What the user sees: the exit code and the first line (the usage lines below it name the
            // command differently, "y90" against "dosecalc y90", and are never printed).
            return "error \(Dosecalc.exitCode(for: error).rawValue): \(Dosecalc.firstLine(Dosecalc.fullMessage(for: error)))"
        }
    }

    @Test("the leaf path and the root path agree", arguments: cases)
    func agree(_ args: [String]) {
        #expect(outcome { try Dosecalc.parse(args) } == outcome { try Dosecalc.parseAsRoot(args) })
    }

    @Test("help, version and commands with subcommands go through the root")
    func root() {
        #expect(Dosecalc.leafCommands["ledger"] == nil)
        #expect(Dosecalc.leafCommands["y90"] != nil && Dosecalc.leafCommands["voxel"] != nil)
        for args in [["y90", "--help"], ["y90", "-h"], ["help", "y90"], ["--version"], ["ledger", "list", "--db", "/no/such.sqlite"]] {
            #expect(outcome { try Dosecalc.parse(args) } == outcome { try Dosecalc.parseAsRoot(args) }, "\(args)")
        }
    }
}
