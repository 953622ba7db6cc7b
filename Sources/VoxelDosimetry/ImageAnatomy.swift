// SPDX-License-Identifier: GPL-3.0-or-later
// The planner's anatomy from images: masses from the label map, T/N ratios from mean counts per gram.
//
// Without a territory map the whole normal liver is one territory ("liver"). With one (a second label
// map on the same grid: 0 outside every territory, k > 0 territory k), each territory's normal liver
// is the normal-liver voxels inside it, each tumour belongs to the territory that holds most of its mass
// (the lower number on a tie), and its T/N is its counts per gram over its territory's normal-liver
// counts per gram. The whole normal liver is every normal-liver voxel, inside a territory or not.
//
// Each compartment also carries the shape of its dose–volume histogram, so that a plan made from this
// anatomy can show the image's DVHs at the planned doses: r_k = D_k / D̄_ldm for k = 0, 1, …, 100, where
// D_k is the least dose of the hottest k % of the compartment's mass in the dose map given (local
// deposition or kernel) and D̄_ldm the compartment's mean dose by local deposition. Local-deposition
// dose is proportional to counts per gram, and the partition model's compartment dose is the
// local-deposition mean of that compartment, so at any activity the image's D_k is r_k times the planned
// compartment dose (exactly for local deposition; for a kernel map, up to the small exchange of dose
// between territories). r_0 is the maximum and r_100 the minimum; the sequence never increases.
import DosecalcCore

public struct ImageAnatomy: Sendable, Equatable {
    public struct Tumor: Sendable, Equatable {
        public let name: String; public let massG: Double; public let tnRatio: Double
        /// r_k = D_k / D̄_ldm, k = 0…100 (see above).
        public let doseRatioAtMassPercent: [Double]
    }
    public struct Territory: Sendable, Equatable {
        public let name: String; public let normalLiverMassG: Double; public let tumors: [Tumor]
        /// r_k of the territory's normal liver.
        public let normalLiverDoseRatioAtMassPercent: [Double]
    }
    public let wholeNormalLiverMassG: Double
    public let territories: [Territory]

    /// The DVH shape r_k (k = 0…100) of the voxels `members`: D_k of `dose` over the mass-weighted mean of `ldmDose`.
    static func doseRatios(_ members: [Int], dose: [Double], ldmDose: [Double], massG: [Double]) -> [Double] {
        var m = 0.0, weighted = 0.0
        for i in members { m += massG[i]; weighted += ldmDose[i] * massG[i] }
        let mean = m > 0 ? weighted / m : 0
        guard mean > 0 else { return Array(repeating: 0, count: 101) }
        let h = DoseVolumeHistogram(doses: members.map { dose[$0] }, masses: members.map { massG[$0] })
        return h.d(percents: (0...100).map(Double.init)).map { $0 / mean }
    }

    /// - Parameters: `counts` per voxel (file order); `territoryOf` the territory number per voxel, or nil;
    ///   `ldmDoseGy` the local-deposition dose per voxel (`map` may hold a kernel dose).
    public static func derive(map: VoxelDoseMap, ldmDoseGy: [Double], counts: [Double], table: LabelTable, territoryOf: [Int]?, field: String) throws -> ImageAnatomy {
        let n = map.label.count
        let kind = table.kindsByValue
        let name = Dictionary(table.entries.map { ($0.value, $0.name) }, uniquingKeysWith: { a, _ in a })
        let terr = territoryOf ?? Array(repeating: 1, count: n)
        var nlMass: [Int: Double] = [:], nlCounts: [Int: Double] = [:], wholeNL = 0.0
        var tumorMass: [Int: Double] = [:], tumorCounts: [Int: Double] = [:], tumorByTerritory: [Int: [Int: Double]] = [:]
        var nlVoxels: [Int: [Int]] = [:], tumorVoxels: [Int: [Int]] = [:]
        for i in 0..<n where map.massG[i] > 0 {
            switch kind[map.label[i]] {
            case .normalLiver?:
                wholeNL += map.massG[i]
                if terr[i] > 0 { nlMass[terr[i], default: 0] += map.massG[i]; nlCounts[terr[i], default: 0] += counts[i]; nlVoxels[terr[i], default: []].append(i) }
            case .tumor?:
                tumorVoxels[map.label[i], default: []].append(i)
                tumorMass[map.label[i], default: 0] += map.massG[i]
                tumorCounts[map.label[i], default: 0] += counts[i]
                if terr[i] > 0 { tumorByTerritory[map.label[i], default: [:]][terr[i], default: 0] += map.massG[i] }
            default: break
            }
        }
        guard wholeNL > 0 else { throw InputError(field: field, "needs normal-liver voxels") }
        var tumorsOf: [Int: [Tumor]] = [:]
        for t in tumorMass.keys.sorted() {
            guard let shares = tumorByTerritory[t], let home = shares.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key else {
                throw InputError(field: field, "tumour '\(name[t] ?? String(t))' lies outside every territory of the territory map")
            }
            guard let m = nlMass[home], m > 0, let c = nlCounts[home], c > 0 else {
                throw InputError(field: field, "territory \(home) has no normal liver with counts, so tumour '\(name[t] ?? String(t))' has no T/N ratio")
            }
            let tn = (tumorCounts[t]! / tumorMass[t]!) / (c / m)
            guard tn > 0 else { throw InputError(field: field, "tumour '\(name[t] ?? String(t))' has no counts, so it has no T/N ratio for the planner") }
            tumorsOf[home, default: []].append(Tumor(name: name[t] ?? "tumour \(t)", massG: tumorMass[t]!, tnRatio: tn,
                                                     doseRatioAtMassPercent: doseRatios(tumorVoxels[t]!, dose: map.doseGy, ldmDose: ldmDoseGy, massG: map.massG)))
        }
        guard !tumorsOf.isEmpty else { throw InputError(field: field, "needs at least one tumour label: the planner prescribes to the tumour") }
        var territories: [Territory] = []
        for k in nlMass.keys.sorted() {
            guard let tumors = tumorsOf[k] else {
                throw InputError(field: field, "territory \(k) holds no tumour; the planner prescribes each territory to its tumours (leave it out of the territory map)")
            }
            territories.append(Territory(name: territoryOf == nil ? "liver" : "territory \(k)", normalLiverMassG: nlMass[k]!, tumors: tumors,
                                         normalLiverDoseRatioAtMassPercent: doseRatios(nlVoxels[k]!, dose: map.doseGy, ldmDose: ldmDoseGy, massG: map.massG)))
        }
        return ImageAnatomy(wholeNormalLiverMassG: wholeNL, territories: territories)
    }
}
