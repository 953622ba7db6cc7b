// SPDX-License-Identifier: GPL-3.0-or-later
// Linear 3-D convolution by FFT through FFTW (fftw_plan_dft_r2c_3d / c2r), zero-padded so that
// nothing wraps around: the volume (n) and the kernel (m, odd along every axis, centred) are padded
// to at least n + m − 1 along each axis (the next length whose only prime factors are 2, 3, 5 and 7,
// which FFTW transforms fastest; more zeros change nothing, since a circular convolution of length
// ≥ n + m − 1 of zero-padded data is the linear one), transformed, multiplied and transformed back;
// the result is cut to the volume's grid, so out[v] = Σ_u volume[u] · kernel[v − u + centre].
// Knows no dosimetry.
import CFFTW
import Foundation

public enum FFTConvolution {
    private static let planLock = NSLock()

    public struct Shape: Sendable, Equatable {
        public let nx: Int, ny: Int, nz: Int
        public init(_ nx: Int, _ ny: Int, _ nz: Int) { self.nx = nx; self.ny = ny; self.nz = nz }
        public var count: Int { nx * ny * nz }
    }

    /// The least length ≥ n whose only prime factors are 2, 3, 5 and 7.
    public static func fastLength(_ n: Int) -> Int {
        precondition(n >= 1)
        var m = n
        while true {
            var r = m
            for p in [2, 3, 5, 7] { while r % p == 0 { r /= p } }
            if r == 1 { return m }
            m += 1
        }
    }

    /// `volume` on `shape` (x fastest), `kernel` on `kernelShape` (odd sizes, centred, x fastest).
    public static func convolve(_ volume: [Double], shape: Shape, kernel: [Double], kernelShape ks: Shape) -> [Double] {
        precondition(volume.count == shape.count && kernel.count == ks.count)
        precondition(ks.nx % 2 == 1 && ks.ny % 2 == 1 && ks.nz % 2 == 1, "kernel sizes must be odd")
        let px = fastLength(shape.nx + ks.nx - 1), py = fastLength(shape.ny + ks.ny - 1), pz = fastLength(shape.nz + ks.nz - 1)
        let n = px * py * pz
        let nc = pz * py * (px / 2 + 1)   // FFTW's r2c output: the last (fastest) axis halved
        let a = fftw_alloc_real(n)!, b = fftw_alloc_real(n)!
        let fa = fftw_alloc_complex(nc)!, fb = fftw_alloc_complex(nc)!
        defer { fftw_free(a); fftw_free(b); fftw_free(fa); fftw_free(fb) }
        // FFTW takes dimensions slowest first: (z, y, x). Its planner is not thread-safe (FFTW manual 5.4).
        planLock.lock()
        let pa = fftw_plan_dft_r2c_3d(Int32(pz), Int32(py), Int32(px), a, fa, UInt32(FFTW_ESTIMATE))
        let pb = fftw_plan_dft_r2c_3d(Int32(pz), Int32(py), Int32(px), b, fb, UInt32(FFTW_ESTIMATE))
        let pinv = fftw_plan_dft_c2r_3d(Int32(pz), Int32(py), Int32(px), fa, a, UInt32(FFTW_ESTIMATE))
        planLock.unlock()
        defer { planLock.lock(); fftw_destroy_plan(pa); fftw_destroy_plan(pb); fftw_destroy_plan(pinv); planLock.unlock() }
        for i in 0..<n { a[i] = 0; b[i] = 0 }
        for z in 0..<shape.nz { for y in 0..<shape.ny { for x in 0..<shape.nx {
            a[(z * py + y) * px + x] = volume[(z * shape.ny + y) * shape.nx + x]
        } } }
        for z in 0..<ks.nz { for y in 0..<ks.ny { for x in 0..<ks.nx {
            b[(z * py + y) * px + x] = kernel[(z * ks.ny + y) * ks.nx + x]
        } } }
        fftw_execute(pa)
        fftw_execute(pb)
        for i in 0..<nc {
            let (ar, ai) = (fa[i].0, fa[i].1), (br, bi) = (fb[i].0, fb[i].1)
            fa[i].0 = ar * br - ai * bi
            fa[i].1 = ar * bi + ai * br
        }
        fftw_execute(pinv)
        let scale = 1 / Double(n)
        let cx = ks.nx / 2, cy = ks.ny / 2, cz = ks.nz / 2
        var out = [Double](repeating: 0, count: shape.count)
        for z in 0..<shape.nz { for y in 0..<shape.ny { for x in 0..<shape.nx {
            out[(z * shape.ny + y) * shape.nx + x] = a[((z + cz) * py + (y + cy)) * px + (x + cx)] * scale
        } } }
        return out
    }
}
