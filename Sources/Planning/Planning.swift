// SPDX-License-Identifier: GPL-3.0-or-later
/// Patient-specific treatment planning.
public enum Planning {}
