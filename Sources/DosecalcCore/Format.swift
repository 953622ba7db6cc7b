// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

/// Number formatting for people (the JSON output keeps full precision).
public enum Format {
    /// Up to `significant` significant digits, no trailing zeros: 2.602082 → "2.602", 30 → "30".
    public static func number(_ x: Double, significant: Int = 6) -> String {
        guard x.isFinite else { return "\(x)" }
        if x == 0 { return "0" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        let s = String(format: "%.\(significant)g", x)
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(s.dropFirst()) }
        return s
    }

    /// Fixed decimals: fixed(2.60208, 3) → "2.602".
    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        let s = String(format: "%.\(decimals)f", x)
        // A value that rounds to zero is printed without a sign ("-0.00" would read as a real value).
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(s.dropFirst()) }
        return s
    }
}
