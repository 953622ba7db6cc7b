// SPDX-License-Identifier: GPL-3.0-or-later
/// Drug-eluting bead (DEB-TACE) doxorubicin elution and pharmacokinetics.
public enum Chemoembolization {}
