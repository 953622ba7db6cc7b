// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

/// Data text made fit for a person: identifiers in words, evidence codes translated, references to
/// source files dropped, everything escaped.
public enum PlainWords {
    /// The evidence codes of the reference data, in words, and what they mean.
    public static let evidence: [Character: String] = [
        "V": "verified", "R": "recalled, not verified", "C": "computed", "D": "derived", "A": "assumption",
    ]
    public static let evidenceLegend: [(String, String)] = [
        ("verified", "the value was checked against the cited source"),
        ("recalled, not verified", "the value is recalled from the literature and has not been checked against the primary source"),
        ("computed", "computed by dosecalc from other sourced values, or fitted (calibrated) to the cited data"),
        ("derived", "derived by arithmetic from other sourced values"),
        ("assumption", "a modelling assumption of dosecalc, without a published source"),
    ]

    /// Identifiers with words of their own (assumption names, input fields).
    public static let identifierWords: [String: String] = [
        "bsaFormula": "body-surface-area formula", "doseFactor": "dose factor", "halfLife": "half-life",
        "lungMass": "lung mass", "residual": "residual in vial and lines", "vialSizes": "vial sizes",
        "exposureMetric": "exposure measure", "tnRatio": "tumour-to-normal ratio", "inr": "INR", "mrn": "MRN",
        "dateOfBirth": "date of birth", "id": "ID", "shrinkMax": "largest bead shrinkage",
    ]

    /// Unit suffixes of identifiers ("plasmaPeakLimitNgPerMl"), longest first.
    public static let unitSuffixes: [(String, String)] = [
        ("GyKgPerGBq", "Gy·kg/GBq"), ("Cm2PerS", "cm²/s"), ("UmolPerL", "µmol/L"), ("MgPerDl", "mg/dL"), ("MgPerM2", "mg/m²"),
        ("NgPerMl", "ng/mL"), ("MgPerMl", "mg/mL"), ("GPerMol", "g/mol"), ("GPerDl", "g/dL"), ("GPerL", "g/L"), ("LPerH", "L/h"),
        ("PerH", "1/h"), ("Percent", "%"), ("GBq", "GBq"), ("MCi", "mCi"), ("Gy", "Gy"), ("Kg", "kg"), ("Cm", "cm"),
        ("Mg", "mg"), ("Ml", "mL"), ("UM", "µM"), ("G", "g"), ("L", "L"), ("S", "s"), ("H", "h"),
    ]

    /// An identifier (optionally followed by a parenthesised detail, "bsaFormula (dubois)") in words.
    public static func phrase(_ s: String, titles: [String: String]) -> String {
        plain(s, titles: titles)
    }

    /// Data text with identifiers in words and source-file references dropped (not escaped, evidence codes kept).
    public static func plain(_ text: String, titles: [String: String]) -> String {
        // References to dosecalc's own source files are not for the record.
        var s = text.components(separatedBy: "; ").filter { !$0.contains(".swift") }.joined(separator: "; ")
        s = s.replacingOccurrences(of: "(dubois)", with: "(DuBois)").replacingOccurrences(of: "(mosteller)", with: "(Mosteller)")
        // Input fields: treatment.tumorTargetGy → “treatment › tumour target in Gy”.
        s = replaceInputPaths(s) { "“" + fieldWords($0) + "”" }
        // camelCase identifiers.
        s = replaceCamelCase(s) { words($0, titles: titles) }
        return s
    }

    /// The regular expressions the hand scans below implement (kept as their specification; the tests
    /// compare the scans with them on random text).
    public static let inputPathPattern = #"(?<![A-Za-z0-9_])(patient|anatomy|treatment)((?:\.[A-Za-z][A-Za-z0-9]*|\[[0-9]+\])+)"#
    public static let camelCasePattern = #"(?<![A-Za-z0-9_./\-])[a-z]{2,}[a-z0-9]*[A-Z][A-Za-z0-9]*(?![A-Za-z0-9_/\-])"#
    public static let fieldTokenPattern = #"([A-Za-z][A-Za-z0-9]*)|\[([0-9]+)\]"#

    static func isAlnum(_ c: Unicode.Scalar) -> Bool { c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)) }
    static func isLetter(_ c: Unicode.Scalar) -> Bool { c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c)) }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
    static func isLower(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) }
    static func isUpper(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) }

    /// Replaces every match of `inputPathPattern` ("treatment.tumorTargetGy", "anatomy.territories[0].name").
    public static func replaceInputPaths(_ s: String, _ transform: (String) -> String) -> String {
        let u = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0, copied = 0
        let heads = ["patient", "anatomy", "treatment"].map { Array($0.unicodeScalars) }
        outer: while i < u.count {
            if i > 0, isAlnum(u[i - 1]) || u[i - 1] == "_" { i += 1; continue }
            for h in heads where i + h.count <= u.count && Array(u[i..<i + h.count]) == h {
                var j = i + h.count, segments = 0
                while j < u.count {
                    if u[j] == ".", j + 1 < u.count, isLetter(u[j + 1]) {
                        j += 2
                        while j < u.count, isAlnum(u[j]) { j += 1 }
                        segments += 1
                    } else if u[j] == "[", j + 1 < u.count, isDigit(u[j + 1]) {
                        var k = j + 1
                        while k < u.count, isDigit(u[k]) { k += 1 }
                        guard k < u.count, u[k] == "]" else { break }
                        j = k + 1
                        segments += 1
                    } else { break }
                }
                if segments > 0 {
                    out.append(contentsOf: u[copied..<i])
                    out.append(contentsOf: transform(String(String.UnicodeScalarView(u[i..<j]))).unicodeScalars)
                    i = j; copied = j
                    continue outer
                }
            }
            i += 1
        }
        out.append(contentsOf: u[copied...])
        return String(out)
    }

    /// Replaces every match of `camelCasePattern`: a whole run of ASCII letters and digits that starts with
    /// two lowercase letters and holds an uppercase one, not preceded by _ . / - and not followed by _ / -.
    public static func replaceCamelCase(_ s: String, _ transform: (String) -> String) -> String {
        let u = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0, copied = 0
        while i < u.count {
            guard isAlnum(u[i]) else { i += 1; continue }
            var e = i
            while e < u.count, isAlnum(u[e]) { e += 1 }
            let before = i > 0 ? u[i - 1] : nil, after = e < u.count ? u[e] : nil
            let okBefore = before.map { !"_./-".unicodeScalars.contains($0) } ?? true
            let okAfter = after.map { !"_/-".unicodeScalars.contains($0) } ?? true
            if okBefore, okAfter, e - i >= 3, isLower(u[i]), isLower(u[i + 1]), u[i..<e].contains(where: isUpper) {
                out.append(contentsOf: u[copied..<i])
                out.append(contentsOf: transform(String(String.UnicodeScalarView(u[i..<e]))).unicodeScalars)
                copied = e
            }
            i = e
        }
        out.append(contentsOf: u[copied...])
        return String(out)
    }

    /// "[V]" → "(verified)"; "[V vial, R practice]" → "(verified: vial; recalled, not verified: practice)";
    /// "[R for the last]" → "(recalled, not verified: for the last)".
    public static func evidenceWords(_ marker: String) -> (text: String, firstCode: Character?) {
        let inner = String(marker.dropFirst().dropLast())
        var parts: [String] = []
        var firstCode: Character? = nil
        // Split at "," and ";" keeping which separator came before each part.
        var current = "", separators: [String] = [""], pieces: [String] = []
        for ch in inner {
            if ch == "," || ch == ";" { pieces.append(current); separators.append(String(ch)); current = "" } else { current.append(ch) }
        }
        pieces.append(current)
        for (i, raw) in pieces.enumerated() {
            let p = raw.trimmingCharacters(in: .whitespaces)
            if p.isEmpty { continue }
            var text: String
            var coded = false
            if let c = p.first, let w = evidence[c], p.count == 1 || p.dropFirst().first == " " || p.dropFirst().first == ":" {
                var rest = String(p.dropFirst()).trimmingCharacters(in: .whitespaces)
                if rest.hasPrefix(":") { rest = String(rest.dropFirst()).trimmingCharacters(in: .whitespaces) }
                text = rest.isEmpty ? w : "\(w): \(rest)"
                coded = true
                if firstCode == nil { firstCode = c }
            } else {
                text = p
                // "[R, unverified]" says it twice.
                if firstCode == "R" && (p == "unverified" || p == "not verified") { continue }
            }
            if parts.isEmpty { parts.append(text) } else {
                parts.append((coded || separators[i] == ";" ? "; " : ", ") + text)
            }
        }
        return (parts.joined(), firstCode)
    }

    /// Only the evidence codes in words ("[R]" → "(recalled, not verified)"): for text that names input
    /// fields a person must find (the command line's reasons and sources).
    public static func evidenceText(_ text: String) -> String {
        replaceEvidenceMarkers(text) { "(" + evidenceWords($0).text + ")" }
    }

    /// The regular expression of an evidence marker: "[", one code letter, optionally a separator
    /// (space, colon, semicolon or comma) and any text without brackets, then "]".
    public static let evidenceMarkerPattern = #"\[([VRCDA])((?:[ :;,][^\[\]]*)?)\]"#

    /// Replaces every evidence marker (`evidenceMarkerPattern`, leftmost first, never overlapping) with
    /// `transform(marker)`. A scan by hand rather than the regular expression: compiling that costs
    /// more than the rest of a single calculation.
    public static func replaceEvidenceMarkers(_ s: String, _ transform: (String) -> String) -> String {
        // Over UTF-8 bytes: "[", "]", the code letters and the separators are ASCII, and no byte of a
        // multi-byte character is ASCII, so every position compared here is a character boundary.
        let u = Array(s.utf8)
        guard u.contains(UInt8(ascii: "[")) else { return s }
        let open = UInt8(ascii: "["), close = UInt8(ascii: "]")
        func isCode(_ b: UInt8) -> Bool { b == UInt8(ascii: "V") || b == UInt8(ascii: "R") || b == UInt8(ascii: "C") || b == UInt8(ascii: "D") || b == UInt8(ascii: "A") }
        func isSeparator(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: ":") || b == UInt8(ascii: ";") || b == UInt8(ascii: ",") }
        var out: [UInt8] = []
        out.reserveCapacity(u.count + 32)
        var i = 0, copied = 0
        while i < u.count {
            guard u[i] == open, i + 2 < u.count, isCode(u[i + 1]) else { i += 1; continue }
            var j = i + 2
            if u[j] != close {
                guard isSeparator(u[j]) else { i += 1; continue }
                j += 1
                while j < u.count, u[j] != open, u[j] != close { j += 1 }
                guard j < u.count, u[j] == close else { i += 1; continue }
            }
            out.append(contentsOf: u[copied..<i])
            out.append(contentsOf: transform(String(decoding: u[i...j], as: UTF8.self)).utf8)
            i = j + 1
            copied = i
        }
        if copied == 0 { return s }
        out.append(contentsOf: u[copied...])
        return String(decoding: out, as: UTF8.self)
    }

    /// Data text for a person in plain text: identifiers in words, source-file references dropped,
    /// evidence codes in words ("[R]" → "(recalled, not verified)").
    public static func text(_ text: String, titles: [String: String] = [:]) -> String {
        replaceEvidenceMarkers(plain(text, titles: titles)) { "(" + evidenceWords($0).text + ")" }
    }

    /// An input field path in words: "anatomy.territories[0].excluded" → "anatomy › territory 1 › excluded".
    public static func fieldWords(_ path: String) -> String {
        var out: [String] = []
        for token in fieldTokens(path) {
            switch token {
            case .identifier(let id):
                out.append(words(id, titles: [:]))
            case .index(let digits):
                if let i = Int(digits), let last = out.popLast() {
                    let singular = ["territories": "territory", "tumors": "tumour", "tumours": "tumour", "prior treatments": "prior treatment"][last] ?? last
                    out.append("\(singular) \(i + 1)")
                }
            }
        }
        return out.joined(separator: " › ")
    }

    enum FieldToken: Equatable { case identifier(String), index(String) }

    /// The matches of `fieldTokenPattern`, left to right: identifiers (a letter, then letters and digits)
    /// and bracketed indices.
    static func fieldTokens(_ s: String) -> [FieldToken] {
        let u = Array(s.unicodeScalars)
        var out: [FieldToken] = []
        var i = 0
        while i < u.count {
            if isLetter(u[i]) {
                var e = i + 1
                while e < u.count, isAlnum(u[e]) { e += 1 }
                out.append(.identifier(String(String.UnicodeScalarView(u[i..<e]))))
                i = e
            } else if u[i] == "[", i + 1 < u.count, isDigit(u[i + 1]) {
                var k = i + 1
                while k < u.count, isDigit(u[k]) { k += 1 }
                if k < u.count, u[k] == "]" {
                    out.append(.index(String(String.UnicodeScalarView(u[(i + 1)..<k]))))
                    i = k + 1
                } else { i += 1 }
            } else { i += 1 }
        }
        return out
    }

    /// A camelCase identifier in words: a check's title, a known phrase, or its humps split with a unit
    /// suffix spelled as a unit ("plasmaPeakLimitNgPerMl" → "plasma peak limit in ng/mL").
    public static func words(_ id: String, titles: [String: String]) -> String {
        if let t = titles[id] { return t }
        if let k = CheckWording.known[id] { return k }
        if let k = identifierWords[id] { return k }
        var head = id
        var unit: String? = nil
        for (suffix, u) in unitSuffixes where id.count > suffix.count && id.hasSuffix(suffix) {
            let before = id[id.index(id.endIndex, offsetBy: -suffix.count - 1)]
            if before.isLowercase || before.isNumber { head = String(id.dropLast(suffix.count)); unit = u; break }
        }
        let w = splitHumps(head)
        guard let unit else { return w }
        return unit == "%" ? "\(w) (%)" : "\(w) in \(unit)"
    }

    public static func splitHumps(_ s: String) -> String {
        var words: [String] = []
        var cur = ""
        let chars = Array(s)
        for (i, ch) in chars.enumerated() {
            var boundary = false
            if i > 0 {
                let p = chars[i - 1]
                let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
                if ch.isUppercase && (p.isLowercase || p.isNumber) { boundary = true }
                else if ch.isUppercase && p.isUppercase && (next?.isLowercase ?? false) { boundary = true }
                else if ch.isNumber && p.isLetter { boundary = true }
            }
            if boundary, !cur.isEmpty { words.append(cur); cur = "" }
            cur.append(ch)
        }
        if !cur.isEmpty { words.append(cur) }
        return words.map { w in
            if w.count >= 2 && w.allSatisfy({ $0.isUppercase || $0.isNumber }) { return w }
            let l = w.lowercased()
            return l == "tumor" ? "tumour" : l == "tumors" ? "tumours" : l
        }.joined(separator: " ")
    }

    /// The compiled expression for `pattern`, compiled once per process (an `NSRegularExpression` is
    /// immutable and safe to use from several threads).
    static func compiled(_ pattern: String) -> NSRegularExpression {
        regexLock.lock(); defer { regexLock.unlock() }
        if let re = regexes[pattern] { return re }
        let re = try! NSRegularExpression(pattern: pattern)
        regexes[pattern] = re
        return re
    }
    nonisolated(unsafe) private static var regexes: [String: NSRegularExpression] = [:]
    private static let regexLock = NSLock()

    /// Replaces every match of `pattern` in `s` with `transform(match)`.
    public static func replace(_ s: String, pattern: String, _ transform: (String) -> String) -> String {
        let re = compiled(pattern)
        let ns = s as NSString
        var out = ""
        var last = 0
        for m in re.matches(in: s, range: NSRange(location: 0, length: ns.length)) {
            out += ns.substring(with: NSRange(location: last, length: m.range.location - last))
            out += transform(ns.substring(with: m.range))
            last = m.range.location + m.range.length
        }
        out += ns.substring(from: last)
        return out
    }
}
