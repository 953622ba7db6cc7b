// SPDX-License-Identifier: GPL-3.0-or-later
// The names of the sampled inputs and results in words, for the text output and the plan report.
// Keys are the result's own paths ("lungDoseGy", "territories[0].tumorDosesGy.T1") and the input's
// ("anatomy.territories[0].tumors[0].massG", "lungShuntPercent").

public enum UncertaintyWording {
    /// A result key in words, with its unit; `territories` names the plan's territories by input index.
    public static func result(_ key: String, territories: [String] = []) -> (words: String, unit: String) {
        switch key {
        case "activityGBq": return ("delivered activity", "GBq")
        case "tumorDoseGy": return ("tumour dose", "Gy")
        case "normalLiverDoseGy": return ("normal-liver dose", "Gy")
        case "wholeNormalLiverDoseGy": return ("whole normal-liver dose", "Gy")
        case "perfusedLiverDoseGy": return ("perfused-liver mean dose", "Gy")
        case "lungDoseGy": return ("lung dose", "Gy")
        case "cumulativeLungDoseGy": return ("cumulative lung dose", "Gy")
        default: break
        }
        if let (i, rest) = territoryPath(key) {
            let t = i < territories.count ? territories[i] : "\(i + 1)"
            if rest == "normalLiverDoseGy" { return ("normal-liver dose, territory \(t)", "Gy") }
            if rest == "perfusedDoseGy" { return ("perfused-volume dose, territory \(t)", "Gy") }
            if rest.hasPrefix("tumorDosesGy.") { return ("tumour \(rest.dropFirst("tumorDosesGy.".count)) dose, territory \(t)", "Gy") }
        }
        return (key, "")
    }

    /// An uncertain input in words.
    public static func input(_ key: String, territories: [String] = [], tumors: [[String]] = []) -> String {
        switch key {
        case "lungShuntPercent", "anatomy.lungShuntPercent": return "lung shunt"
        case "perfusedMassG": return "perfused-liver mass"
        case "tumorMassG": return "tumour mass"
        case "normalLiverMassG": return "normal-liver mass"
        case "normalLiverOutsideTreatedMassG": return "normal liver outside the treated territory"
        case "lungMassG", "anatomy.lungMassG": return "lung mass"
        case "tnRatio": return "T/N ratio"
        case "activityGBq": return "delivered activity"
        default: break
        }
        let k = key.hasPrefix("anatomy.") ? String(key.dropFirst("anatomy.".count)) : key
        if let (i, rest) = territoryPath(k) {
            let t = i < territories.count ? territories[i] : "\(i + 1)"
            if rest == "normalLiverMassG" { return "normal-liver mass, territory \(t)" }
            if rest.hasPrefix("tumors["), let close = rest.firstIndex(of: "]"), let j = Int(rest[rest.index(rest.startIndex, offsetBy: 7)..<close]) {
                let name = i < tumors.count && j < tumors[i].count ? tumors[i][j] : "\(j + 1)"
                let field = rest[rest.index(after: close)...]
                return (field == ".tnRatio" ? "T/N ratio of tumour \(name)" : "mass of tumour \(name)") + ", territory \(t)"
            }
        }
        return key
    }

    /// "territories[3].rest" → (3, "rest").
    static func territoryPath(_ key: String) -> (Int, String)? {
        guard key.hasPrefix("territories["), let close = key.firstIndex(of: "]"),
              let i = Int(key[key.index(key.startIndex, offsetBy: 12)..<close]) else { return nil }
        let after = key.index(after: close)
        guard after < key.endIndex, key[after] == "." else { return nil }
        return (i, String(key[key.index(after: after)...]))
    }
}
