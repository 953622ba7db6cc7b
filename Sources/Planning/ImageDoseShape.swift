// SPDX-License-Identifier: GPL-3.0-or-later
// The image's dose–volume histogram shape of one compartment, carried in the planner's anatomy.
//
// r_k = D_k / D̄ for k = 0, 1, …, 100: D_k is the least dose of the hottest k % of the compartment's
// mass in the image's dose map and D̄ the compartment's local-deposition mean dose (written by
// `dosecalc voxel --anatomy-out`). Local-deposition dose is proportional to counts per gram, and the
// partition model's compartment dose is that mean, so at the planned compartment dose D_plan the
// image's DVH is D_k = r_k · D_plan. A valid shape has 101 finite values from 0 to 10,000 that never
// increase with k (r_0 the maximum, r_100 the minimum), with r_0 > 0. For a local-deposition map
// r_100 ≤ 1 ≤ r_0; a kernel map can move a small compartment's whole dose below its local-deposition
// mean (dose leaves it), so that is not required.

import DosecalcCore

public enum ImageDoseShape {
    public static let count = 101

    /// Checks a shape from the input; throws naming `field`.
    public static func check(_ r: [Double], field: String) throws -> [Double] {
        guard r.count == count else {
            throw InputError(field: field, "must list \(count) values (the dose over the mean at 0, 1, …, 100 % of the mass); got \(r.count)")
        }
        for (k, v) in r.enumerated() {
            guard v.isFinite, v >= 0, v <= 1e4 else { throw InputError(field: "\(field)[\(k)]", "must be a ratio from 0 to 10000; got \(v)") }
            if k > 0, v > r[k - 1] {
                throw InputError(field: "\(field)[\(k)]", "must not exceed the value before it (the dose of the hottest k % can only fall as k grows); got \(v) after \(r[k - 1])")
            }
        }
        guard r[0] > 0 else { throw InputError(field: "\(field)[0]", "must be above 0: the compartment has no dose in the image") }
        return r
    }

    /// D_k (Gy) at a planned compartment dose.
    public static func doses(_ r: [Double], plannedDoseGy: Double) -> [Double] { r.map { $0 * plannedDoseGy } }
}
