// SPDX-License-Identifier: GPL-3.0-or-later
// The planner's anatomy from images: masses from the label map, T/N ratios from mean counts per gram.
//
// Without a territory map the whole normal liver is one territory ("liver"). With one (a second label
// map on the same grid: 0 outside every territory, k > 0 territory k), each territory's normal liver
// is the normal-liver voxels inside it, each tumour belongs to the territory that holds most of its mass
// (the lower number on a tie), and its T/N is its counts per gram over its territory's normal-liver
// counts per gram. The whole normal liver is every normal-liver voxel, inside a territory or not.
import DosecalcCore

public struct ImageAnatomy: Sendable, Equatable {
    public struct Tumor: Sendable, Equatable { public let name: String; public let massG: Double; public let tnRatio: Double }
    public struct Territory: Sendable, Equatable { public let name: String; public let normalLiverMassG: Double; public let tumors: [Tumor] }
    public let wholeNormalLiverMassG: Double
    public let territories: [Territory]

    /// - Parameters: `counts` per voxel (file order); `territoryOf` the territory number per voxel, or nil.
    public static func derive(map: VoxelDoseMap, counts: [Double], table: LabelTable, territoryOf: [Int]?, field: String) throws -> ImageAnatomy {
        let n = map.label.count
        let kind = Dictionary(table.entries.map { ($0.value, $0.kind) }, uniquingKeysWith: { a, _ in a })
        let name = Dictionary(table.entries.map { ($0.value, $0.name) }, uniquingKeysWith: { a, _ in a })
        let terr = territoryOf ?? Array(repeating: 1, count: n)
        var nlMass: [Int: Double] = [:], nlCounts: [Int: Double] = [:], wholeNL = 0.0
        var tumorMass: [Int: Double] = [:], tumorCounts: [Int: Double] = [:], tumorByTerritory: [Int: [Int: Double]] = [:]
        for i in 0..<n where map.massG[i] > 0 {
            switch kind[map.label[i]] {
            case .normalLiver?:
                wholeNL += map.massG[i]
                if terr[i] > 0 { nlMass[terr[i], default: 0] += map.massG[i]; nlCounts[terr[i], default: 0] += counts[i] }
            case .tumor?:
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
            tumorsOf[home, default: []].append(Tumor(name: name[t] ?? "tumour \(t)", massG: tumorMass[t]!, tnRatio: tn))
        }
        guard !tumorsOf.isEmpty else { throw InputError(field: field, "needs at least one tumour label: the planner prescribes to the tumour") }
        var territories: [Territory] = []
        for k in nlMass.keys.sorted() {
            guard let tumors = tumorsOf[k] else {
                throw InputError(field: field, "territory \(k) holds no tumour; the planner prescribes each territory to its tumours (leave it out of the territory map)")
            }
            territories.append(Territory(name: territoryOf == nil ? "liver" : "territory \(k)", normalLiverMassG: nlMass[k]!, tumors: tumors))
        }
        return ImageAnatomy(wholeNormalLiverMassG: wholeNL, territories: territories)
    }
}
