// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore

/// How a bead's radius is divided into shells.
public enum RadialGridSpec: Sendable, Equatable, Codable {
    /// N shells of equal thickness R/N: the reference implementation's grid (Benchmarks/scipy_peer.py).
    case equal(shells: Int)
    /// Shells that grow geometrically from the surface inward: the outermost shell is
    /// `surfaceThickness`·R thick, each next one inward `ratio` times thicker, capped at
    /// `maxThickness`·R. This resolves the thin depletion layer of early sink release
    /// (thickness ~√(D t)), which equal shells cannot.
    case surfaceRefined(surfaceThickness: Double, ratio: Double, maxThickness: Double)

    /// The grid used for in-vitro sink release: 1e-4 R at the surface, ratio 1.1, cap 0.02 R
    /// (96 shells). Its largest deviation from Crank's series over 1e-8 ≤ Dt/a² ≤ 3 is 0.02
    /// percentage points (see `CrankSeries` and the tests).
    public static let sinkDefault = RadialGridSpec.surfaceRefined(surfaceThickness: 1e-4, ratio: 1.1, maxThickness: 0.02)

    /// A short name for output: "equal-20" or "surface-refined-96".
    public func label(shells: Int) -> String {
        switch self {
        case .equal: return "equal-\(shells)"
        case .surfaceRefined: return "surface-refined-\(shells)"
        }
    }
}

/// A finite-volume division of a sphere of radius R into concentric shells.
///
/// Shell i (0-based, centre outward) spans [r_i, r_{i+1}], volume V_i = 4/3 π (r_{i+1}³ − r_i³).
/// The drug in a shell is represented at the shell's mid-radius, so the diffusive conductance of
/// the face at r_{i+1} between shells i and i+1 is D·4π r_{i+1}² / (m_{i+1} − m_i) with m the
/// mid-radii, and the surface face has the half-shell distance R − m_{N−1}. For equal shells this
/// is exactly the reference scheme F_j = D A_j (c_j − c_{j+1})/Δr, F_N = (c_N − c_out)/((Δr/2)/(D A_N) + …).
public struct RadialGrid: Sendable, Equatable {
    /// Radius R (cm).
    public let radiusCm: Double
    /// Shell edges r_0 = 0 < … < r_N = R (cm).
    public let edges: [Double]
    /// Shell volumes (cm³ = mL).
    public let volumes: [Double]
    /// For faces 1…N−1 (between shell f−1 and f): area / centre distance (cm), index f−1.
    public let interiorFaceGeometry: [Double]
    /// Surface half-shell resistance geometry: (R − m_{N−1}) / (4π R²) (1/cm).
    public let surfaceHalfShellResistanceGeometry: Double

    public var shellCount: Int { volumes.count }

    public init(radiusCm R: Double, spec: RadialGridSpec) throws {
        guard R > 0, R.isFinite else { throw InputError(field: "bead radius", "must be finite and > 0 cm; got \(R)") }
        var rel: [Double]  // relative edges in [0, 1]
        switch spec {
        case .equal(let n):
            guard n >= 2, n <= 2000 else { throw InputError(field: "shells", "must be in [2, 2000]; got \(n)") }
            rel = (0...n).map { Double($0) / Double(n) }
        case .surfaceRefined(let delta, let q, let hmax):
            guard delta > 0, delta < 0.5, q >= 1, q <= 2, hmax >= delta, hmax <= 0.5 else {
                throw InputError(field: "grid", "surface-refined grid needs 0 < surfaceThickness < 0.5, 1 ≤ ratio ≤ 2, surfaceThickness ≤ maxThickness ≤ 0.5")
            }
            var thick: [Double] = []   // surface inward
            var sum = 0.0, t = delta
            while sum + t < 1 {
                thick.append(t)
                sum += t
                t = min(t * q, hmax)
            }
            let rest = 1 - sum
            if let last = thick.last, rest < 0.5 * last { thick[thick.count - 1] += rest } else { thick.append(rest) }
            rel = [0]
            var r = 0.0
            for h in thick.reversed() { r += h; rel.append(r) }
            rel[rel.count - 1] = 1
        }
        let e = rel.map { $0 * R }
        let n = e.count - 1
        var v = [Double](repeating: 0, count: n)
        var mids = [Double](repeating: 0, count: n)
        for i in 0..<n {
            v[i] = 4.0 / 3.0 * Double.pi * (e[i + 1] * e[i + 1] * e[i + 1] - e[i] * e[i] * e[i])
            mids[i] = 0.5 * (e[i] + e[i + 1])
        }
        var faces = [Double](repeating: 0, count: max(0, n - 1))
        for f in 1..<n {
            faces[f - 1] = 4 * Double.pi * e[f] * e[f] / (mids[f] - mids[f - 1])
        }
        radiusCm = R
        edges = e
        volumes = v
        interiorFaceGeometry = faces
        surfaceHalfShellResistanceGeometry = (R - mids[n - 1]) / (4 * Double.pi * R * R)
    }
}
