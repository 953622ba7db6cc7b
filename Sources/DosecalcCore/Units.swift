// SPDX-License-Identifier: GPL-3.0-or-later

/// Unit conversions, each factor with its definition. Internally activities are GBq, masses g or kg
/// as named, times h. Other units are accepted only at the boundary.
public enum UnitConversion {
    /// 1 mCi = 3.7e7 Bq = 0.037 GBq (definition of the curie: 3.7e10 Bq).
    public static let gbqPerMCi = 0.037
    /// 1 GBq = 27.027 mCi.
    public static let mCiPerGBq = 1 / 0.037
    /// 1 MBq = 0.001 GBq.
    public static let gbqPerMBq = 0.001
    /// 1 GBq = 1000 MBq (exact).
    public static let mbqPerGBq = 1000.0
    /// 1 mCi = 37 MBq (exact: 1 Ci = 3.7e10 Bq). Convert mCi to GBq as mCi × 37 / 1000: each factor is
    /// exact in binary, so 100 mCi gives 3.7 GBq, whereas × 0.037 gives 3.6999999999999997.
    public static let mbqPerMCi = 37.0
    /// 1 kg = 1000 g.
    public static let gPerKg = 1000.0
    /// 1 MeV = 1.602176634e-13 J (SI 2019 exact elementary charge).
    public static let joulePerMeV = 1.602176634e-13
}

/// A unit an activity may be typed in. Internally every activity is GBq; the other units exist only
/// where a person types an activity (command line, ledger), and every result is echoed in GBq.
public enum ActivityUnit: String, CaseIterable, Sendable {
    case gbq = "GBq", mbq = "MBq", mci = "mCi"

    /// The value in GBq. Exact by definition: 1 GBq = 1000 MBq, 1 mCi = 37 MBq.
    public func toGBq(_ value: Double) -> Double {
        switch self {
        case .gbq: return value
        case .mbq: return value / UnitConversion.mbqPerGBq
        case .mci: return value * UnitConversion.mbqPerMCi / UnitConversion.mbqPerGBq
        }
    }

    /// A value in GBq expressed in this unit.
    public func fromGBq(_ gbq: Double) -> Double {
        switch self {
        case .gbq: return gbq
        case .mbq: return gbq * UnitConversion.mbqPerGBq
        case .mci: return gbq * UnitConversion.mbqPerGBq / UnitConversion.mbqPerMCi
        }
    }
}
