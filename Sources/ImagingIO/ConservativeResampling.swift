// SPDX-License-Identifier: GPL-3.0-or-later
// Conservative (overlap-weighted) resampling of per-voxel amounts between a box grid and a cubic grid
// with the same origin. Knows no dosimetry.
//
// The amount in a voxel (for example energy) is taken as spread evenly over the voxel. `spread` moves
// each source voxel's amount to the cubic voxels it overlaps, in proportion to the overlapped volume:
// the total is kept exactly. The cubic grid covers the box grid and may overhang it at the far faces by
// less than one cubic voxel; a cubic voxel's amount is taken to lie in its part inside the box grid.
// `gather` moves each cubic voxel's amount back to the source voxels in proportion to their share of
// that part, so it keeps the total too, and gather(spread(v)) returns a uniform density unchanged
// (tested). Both are separable: the 3-D overlap is the product of the three 1-D overlaps, so each is
// three passes of 1-D weights.

public enum ConservativeResampling {
    /// One axis: `n` source cells of width `a` against `m` = ⌈n·a/b⌉ cubic cells of width `b` from the same
    /// origin; for each source cell, the cubic cells it overlaps and the overlap length.
    struct Axis {
        let n: Int, m: Int, a: Double, b: Double
        let overlaps: [[(j: Int, length: Double)]]

        init(n: Int, a: Double, b: Double) {
            self.n = n; self.a = a; self.b = b
            let extent = Double(n) * a
            m = max(1, Int((extent / b * (1 - 1e-12)).rounded(.up)))
            var o: [[(j: Int, length: Double)]] = []
            o.reserveCapacity(n)
            for i in 0..<n {
                let lo = Double(i) * a, hi = Double(i + 1) * a
                var cells: [(j: Int, length: Double)] = []
                var j = max(0, Int((lo / b).rounded(.down)))
                while j < m, Double(j) * b < hi {
                    let l = min(hi, Double(j + 1) * b) - max(lo, Double(j) * b)
                    if l > 0 { cells.append((j, l)) }
                    j += 1
                }
                o.append(cells)
            }
            overlaps = o
        }
    }

    public struct Plan: Sendable {
        public let source: FFTConvolution.Shape
        public let cubic: FFTConvolution.Shape
        public let spacingMm: [Double]
        public let cubicSpacingMm: Double
        let axes: [Axis]
    }

    /// The cubic grid of spacing `h` (mm) over a grid of `shape` and `spacingMm` (x, y, z).
    public static func plan(shape: FFTConvolution.Shape, spacingMm: [Double], cubicSpacingMm h: Double) -> Plan {
        precondition(spacingMm.count == 3 && spacingMm.allSatisfy { $0 > 0 } && h > 0)
        let ax = [Axis(n: shape.nx, a: spacingMm[0], b: h), Axis(n: shape.ny, a: spacingMm[1], b: h), Axis(n: shape.nz, a: spacingMm[2], b: h)]
        return Plan(source: shape, cubic: .init(ax[0].m, ax[1].m, ax[2].m), spacingMm: spacingMm, cubicSpacingMm: h, axes: ax)
    }

    /// Amounts on the source grid (x fastest) → amounts on the cubic grid; the total is kept.
    /// Weight: overlap / source cell width.
    public static func spread(_ v: [Double], _ p: Plan) -> [Double] {
        precondition(v.count == p.source.count)
        return passes(v, from: [p.source.nx, p.source.ny, p.source.nz], p.axes.map { ax in
            (ax.m, ax.overlaps.map { $0.map { ($0.j, $0.length / ax.a) } })
        })
    }

    /// Amounts on the cubic grid → amounts on the source grid; the total is kept.
    /// Weight: overlap / the cubic cell's length inside the source grid.
    public static func gather(_ v: [Double], _ p: Plan) -> [Double] {
        precondition(v.count == p.cubic.count)
        return passes(v, from: [p.cubic.nx, p.cubic.ny, p.cubic.nz], p.axes.map { ax in
            // The overlap lists inverted: for each cubic cell j, the source cells i and the overlap.
            var back = [[(i: Int, length: Double)]](repeating: [], count: ax.m)
            for i in 0..<ax.n { for (j, l) in ax.overlaps[i] { back[j].append((i, l)) } }
            return (ax.n, back.map { cell in
                let inside = cell.reduce(0) { $0 + $1.length }
                return cell.map { ($0.i, $0.length / inside) }
            })
        })
    }

    /// The three axis passes, x then y then z: `axes[k]` is the output size along axis k and, for each
    /// input index along it, the output indices and weights.
    static func passes(_ v: [Double], from dims0: [Int], _ axes: [(size: Int, table: [[(Int, Double)]])]) -> [Double] {
        var cur = v, dims = dims0
        for (axis, a) in axes.enumerated() {
            var outDims = dims
            outDims[axis] = a.size
            cur = pass(cur, dims: dims, outDims: outDims, axis: axis, table: a.table)
            dims = outDims
        }
        return cur
    }

    /// One separable pass along `axis`: out[.., k, ..] += w · in[.., c, ..] for every (k, w) in `table[c]`.
    static func pass(_ v: [Double], dims: [Int], outDims: [Int], axis: Int, table: [[(Int, Double)]]) -> [Double] {
        var out = [Double](repeating: 0, count: outDims[0] * outDims[1] * outDims[2])
        let (nx, ny, nz) = (dims[0], dims[1], dims[2])
        let (ox, oy) = (outDims[0], outDims[1])
        v.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for z in 0..<nz { for y in 0..<ny { for x in 0..<nx {
                    let value = src[(z * ny + y) * nx + x]
                    if value == 0 { continue }
                    let c = axis == 0 ? x : axis == 1 ? y : z
                    for (k, w) in table[c] {
                        let (tx, ty, tz) = axis == 0 ? (k, y, z) : axis == 1 ? (x, k, z) : (x, y, k)
                        dst[(tz * oy + ty) * ox + tx] += w * value
                    }
                } } }
            }
        }
        return out
    }
}
