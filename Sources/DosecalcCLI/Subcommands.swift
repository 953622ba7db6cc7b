// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser

extension Dosecalc {
    /// Subcommands of later capabilities (DEB-TACE, planner), kept apart from the root's list.
    static let extraSubcommands: [ParsableCommand.Type] = [DebCommand.self, DebCalibrateCommand.self]
}
