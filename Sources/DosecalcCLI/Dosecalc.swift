// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser
import DosecalcCore
import GSLKit

/// `dosecalc`: radioembolization and DEB-TACE dosimetry.
public struct Dosecalc: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dosecalc",
        abstract: "Dosimetry for liver-directed therapy: Y-90 and Ho-166 radioembolization, DEB-TACE doxorubicin, and a patient planner.",
        discussion: """
        Every result prints the constants it used with their sources. Exit codes: 0 ok or warning; \
        3 contraindicated or infeasible (the result is still printed); 2 invalid input (one line on \
        stderr, nothing on stdout); 64 usage error.
        """,
        version: "\(BuildInfo.versionWithBuild), GSL \(GSL.version)",
        subcommands: [Y90Command.self, Ho166Command.self, LSFCommand.self, DecayCommand.self, VialCommand.self,
                      DoseFactorCommand.self, TNRatioCommand.self, PlanCommand.self, ValidateCommand.self, LedgerCommand.self,
                      BatchCommand.self, VoxelCommand.self] + Dosecalc.extraSubcommands
    )

    public init() {}
}
