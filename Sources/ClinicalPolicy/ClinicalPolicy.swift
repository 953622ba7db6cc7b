// SPDX-License-Identifier: GPL-3.0-or-later
// The one clinical policy of dosecalc (placeholder while it is built).
import DosecalcCore
