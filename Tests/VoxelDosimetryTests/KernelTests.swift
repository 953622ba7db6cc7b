// SPDX-License-Identifier: GPL-3.0-or-later
// The shipped voxel kernels against published values, and the kernel convolution against closed forms:
// energy conserved, a uniform interior unchanged, a point source spread by the kernel's own shares.
import DosecalcCore
import Foundation
import ImagingIO
import TestSupport
import Testing
@testable import VoxelDosimetry

@Suite("Voxel kernels")
struct KernelTests {
    @Test("Lanconelli 2012 Y-90 soft tissue: the 3 and 6 mm self-doses are MIRD Pamphlet 17's 1.61 and 0.346 mGy/(MBq·s) within 2 %; every kernel holds 0.9267 MeV per decay within 1.5 %")
    func published() throws {
        let f = try VoxelKernelFile.load()
        #expect(f.kernels.map(\.voxelSizeMm) == [2.21, 2.33, 2.4, 3, 3.59, 3.9, 4, 4.42, 4.8, 5, 6, 6.8, 9.28])
        let three = try f.shares(nuclide: "y90", spacingMm: [3, 3, 3], field: "m")
        #expect(abs(three.centreSValue! / 1.61 - 1) < 0.02)
        let six = try f.shares(nuclide: "y90", spacingMm: [6, 6, 6], field: "m")
        #expect(abs(six.centreSValue! / 0.346 - 1) < 0.02)
        for k in f.kernels {
            // Σ S over the 11³ kernel (mGy/(MBq·s) = 1e-9 Gy per decay) × voxel mass at 1.04 g/mL, in MeV.
            var total = 0.0
            for x in -5...5 { for y in -5...5 { for z in -5...5 {
                let s = [abs(x), abs(y), abs(z)].sorted()
                total += k.octant[36 * s[0] + 6 * s[1] + s[2]]
            } } }
            let mev = total * 1e-9 * (1.04 * pow(k.voxelSizeMm / 10, 3) / 1000) / 1.602176634e-13
            #expect(abs(mev / 0.9267 - 1) < 0.015, "\(k.voxelSizeMm) mm: \(mev) MeV")
            #expect(abs(k.energyShares.reduce(0, +) - 1) < 1e-12)
        }
        #expect(throws: InputError.self) { try f.shares(nuclide: "y90", spacingMm: [9.5, 9.5, 9.5], field: "m") }
        #expect(throws: InputError.self) { try f.shares(nuclide: "y90", spacingMm: [2.1, 2.1, 2.1], field: "m") }
        #expect(throws: InputError.self) { try f.shares(nuclide: "y90", spacingMm: [4, 4, 3], field: "m") }
        #expect(throws: InputError.self) { try f.shares(nuclide: "ho166", spacingMm: [4, 4, 4], field: "m") }
        #expect(try f.shares(nuclide: "y90", spacingMm: [4.2, 4.2, 4.2], field: "m").interpolatedFrom == [4, 4.42])
    }

    @Test("interpolation in the voxel size, each inner kernel left out in turn and rebuilt from its two neighbours: centre share within 1.5 %, every share within 0.008")
    func leaveOneOut() throws {
        let f = try VoxelKernelFile.load()
        let sizes = f.kernels.map(\.voxelSizeMm).sorted()
        for i in 1..<(sizes.count - 1) {
            let (size, lower, upper) = (sizes[i], sizes[i - 1], sizes[i + 1])
            let truth = f.kernels.first { $0.voxelSizeMm == size }!.energyShares
            let rest = VoxelKernelFile(description: f.description, kernels: f.kernels.filter { $0.voxelSizeMm != size })
            let got = try rest.shares(nuclide: "y90", spacingMm: [size, size, size], field: "m")
            #expect(got.interpolatedFrom == [lower, upper])
            #expect(abs(got.shares[665] / truth[665] - 1) < 0.015, "\(size) mm: centre share \(got.shares[665]) vs \(truth[665])")
            #expect(zip(got.shares, truth).map { abs($0 - $1) }.max()! < 0.008, "\(size) mm")
            #expect(abs(got.shares.reduce(0, +) - 1) < 1e-12)
        }
    }

    func map(counts: [Double], labels: [Double], dims: [Int]) throws -> (VoxelDoseMap, VolumeGrid) {
        try ldmMap(counts: counts, labels: labels, dims: dims, spacing: [4, 4, 4])
    }

    @Test("energy is conserved inside the image, a uniform interior keeps its dose, a point source spreads by S(u)/ΣS")
    func convolution() throws {
        let n = 23, dims = [n, n, n]
        // A uniform liver block with one hot voxel in the middle.
        var counts = [Double](repeating: 0, count: n * n * n), labels = counts
        for z in 0..<n { for y in 0..<n { for x in 0..<n {
            let i = (z * n + y) * n + x
            labels[i] = 1
            if x >= 6 && x < 17 && y >= 6 && y < 17 && z >= 6 && z < 17 { counts[i] = 1 }
        } } }
        let (ldm, grid) = try map(counts: counts, labels: labels, dims: dims)
        let k = try VoxelKernelFile.load().shares(nuclide: "y90", spacingMm: grid.spacingMm, field: "m")
        let r = VoxelDose.convolve(ldm, grid: grid, kernel: k, tissueDensityGPerMl: 1.03) { $0 == 1 }
        let voxelKg = 1.03 * 0.064 / 1000
        let energy = r.map.doseGy.reduce(0) { $0 + $1 * voxelKg }
        #expect(abs(energy - 50 * 1) < 1e-9 * 50)          // K · A, nothing leaves: the block sits 6 voxels from every edge
        #expect(r.lostPercent < 1e-9)
        let centre = (11 * n + 11) * n + 11
        #expect(abs(r.map.doseGy[centre] - ldm.doseGy[centre]) < 1e-9 * ldm.doseGy[centre])   // ≥ 5 voxels inside: unchanged
        // Point source.
        var point = [Double](repeating: 0, count: n * n * n); point[centre] = 1
        let (p, _) = try map(counts: point, labels: labels, dims: dims)
        let pr = VoxelDose.convolve(p, grid: grid, kernel: k, tissueDensityGPerMl: 1.03) { $0 == 1 }
        let shares = k.shares
        #expect(abs(pr.map.doseGy[centre] / p.doseGy[centre] - shares[665]) < 1e-12)           // centre of the 11³ kernel
        #expect(abs(pr.map.doseGy[centre + 1] / p.doseGy[centre] - shares[666]) < 1e-12)       // one voxel along x
    }
}
