// SPDX-License-Identifier: GPL-3.0-or-later
// The exit-code vocabulary of dosecalc, and how every error becomes one line on stderr.
//
//   0  ok or warning: the result is printed
//   2  invalid input: one line naming the flag or input field and its valid range; nothing on stdout
//   3  contraindicated or infeasible: the result is printed with its failing checks
//   4  plan --replay: the recomputed plan differs from the recorded one (every change listed)
//  64  usage error: unknown flag, flag given twice, missing value
//  70  internal or solver failure: one line naming the command and what to change
//  73  an output file (--report, --csv) cannot be written: one line naming the flag and the path
//  78  a reference-data file is broken: one line naming the file and the key; nothing was computed
import ArgumentParser
import DosecalcCore
import GSLKit
import Ledger
import Foundation

public enum DosecalcExit: Int32, CaseIterable, Sendable {
    case ok = 0
    case invalidInput = 2
    case contraindicatedOrInfeasible = 3
    case replayDiffers = 4
    case usage = 64
    case internalFailure = 70
    case cannotWriteOutput = 73
    case brokenReferenceData = 78

    public static func forStatus(_ s: Status) -> DosecalcExit { s >= .infeasible ? .contraindicatedOrInfeasible : .ok }
}

enum ErrorLine {
    /// One line, whatever the message holds: control characters are shown escaped, and a very long
    /// message is cut.
    static func oneLine(_ s: String) -> String { oneLineText(s, limit: 600) }

    /// The exit code and the line for an error thrown while a command ran.
    static func classify(_ error: any Error, command: String) -> (DosecalcExit, String) {
        switch error {
        case let e as InputError: return (.invalidInput, e.description)
        case let e as DataFileError: return (.brokenReferenceData, e.description)
        case let e as LedgerAccessError: return (.invalidInput, e.description)
        case let e as OutputFileError: return (.cannotWriteOutput, e.description)
        case let e as JSONSyntaxError: return (.invalidInput, "--input: is not strict JSON: \(e.description)")
        case let e as SolverFailure:
            return (.internalFailure, "\(command): the numerical solver failed: \(e.description); check that the inputs are inside their clinical ranges, or report this with the command line")
        case let e as GSLError:
            return (.internalFailure, "\(command): the numerical solver failed (\(e.description)); check that the inputs are inside their clinical ranges, or report this with the command line")
        case let e as GSLKitError:
            return (.internalFailure, "\(command): the numerical solver failed (\(e.description)); check that the inputs are inside their clinical ranges, or report this with the command line")
        case let e as ValidationError: return (.invalidInput, e.message)
        default:
            return (.internalFailure, "\(command): internal error (\(error)); please report this with the command line")
        }
    }

    /// The first flag written twice in `arguments`, if any. A flag's value that itself looks like a
    /// flag is not counted (dosecalc's options take their value unconditionally).
    static func repeatedFlag(_ arguments: [String], booleanFlags: Set<String> = ["--json", "--brief", "--failures-only", "--help", "--version"]) -> String? {
        var seen = Set<String>()
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" { break }
            if a.hasPrefix("--") {
                let name = String(a.split(separator: "=", maxSplits: 1).first ?? "")
                if seen.contains(name) { return name }
                seen.insert(name)
                if !booleanFlags.contains(name), !a.contains("=") { i += 1 }   // skip its value
            }
            i += 1
        }
        return nil
    }
}
