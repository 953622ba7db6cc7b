// SPDX-License-Identifier: GPL-3.0-or-later
// Conservative resampling onto a cubic working grid, and the kernel on box voxels: by hand in one
// dimension, totals kept on random maps, a uniform density returned unchanged, and the kernel on a
// box-voxel uniform phantom equal to local deposition inside it.
import DosecalcCore
import Foundation
import ImagingIO
import TestSupport
import Testing
@testable import VoxelDosimetry

@Suite("Conservative resampling and box voxels")
struct ResamplingTests {
    @Test("by hand: two 3 mm cells onto 2 mm cells give 2, 3, 4 from 3 and 6; gathered back they give 3 and 6 for a uniform density")
    func byHand() {
        let p = ConservativeResampling.plan(shape: .init(2, 1, 1), spacingMm: [3, 2, 2], cubicSpacingMm: 2)
        #expect(p.cubic == FFTConvolution.Shape(3, 1, 1))
        let s = ConservativeResampling.spread([3, 6], p)
        let expected: [Double] = [2, 3, 4]
        #expect(zip(s, expected).allSatisfy { abs($0 - $1) < 1e-14 })
        // A uniform density (amount ∝ width): 3 and 3 → 2, 2, 2 → 3 and 3.
        let u = ConservativeResampling.gather(ConservativeResampling.spread([3, 3], p), p)
        #expect(u.allSatisfy { abs($0 - 3) < 1e-14 })
        // An overhang: two 3 mm cells onto 4 mm cells (8 mm > 6 mm): the second cubic cell lies 2 mm inside.
        let q = ConservativeResampling.plan(shape: .init(2, 1, 1), spacingMm: [3, 4, 4], cubicSpacingMm: 4)
        #expect(q.cubic == FFTConvolution.Shape(2, 1, 1))
        let expectedSpread: [Double] = [5, 4]   // cell 0 all to cubic 0; cell 1: 1 mm of 3 to cubic 0 (2), 2 mm to cubic 1 (4)
        #expect(zip(ConservativeResampling.spread([3, 6], q), expectedSpread).allSatisfy { abs($0 - $1) < 1e-14 })
        // Gathered by the share of each cubic cell inside the grid: cell 0 (0–4 mm) gives 3/4 to cell 0 and
        // 1/4 to cell 1; cell 1 (4–6 mm inside) gives all to cell 1.
        let expectedGather: [Double] = [3, 5]
        #expect(zip(ConservativeResampling.gather([4, 4], q), expectedGather).allSatisfy { abs($0 - $1) < 1e-14 })
    }

    @Test("property: on random maps and box voxels, spread and gather keep the total, and a uniform density comes back unchanged")
    func totals() {
        var g = SeededGenerator(seed: 404)
        for _ in 0..<40 {
            let shape = FFTConvolution.Shape(Int.random(in: 1...9, using: &g), Int.random(in: 1...9, using: &g), Int.random(in: 1...9, using: &g))
            let spacing = (0..<3).map { _ in Double.random(in: 1.5...6, using: &g) }
            let h = Double.random(in: 1.2...7, using: &g)
            let p = ConservativeResampling.plan(shape: shape, spacingMm: spacing, cubicSpacingMm: h)
            let v = (0..<shape.count).map { _ in Double.random(in: 0...1, using: &g) }
            let total = v.reduce(0, +)
            let s = ConservativeResampling.spread(v, p)
            #expect(abs(s.reduce(0, +) - total) <= 1e-12 * total)
            let fine = (0..<p.cubic.count).map { _ in Double.random(in: 0...1, using: &g) }
            let fineTotal: Double = fine.reduce(0, +)
            let gathered: Double = ConservativeResampling.gather(fine, p).reduce(0, +)
            #expect(abs(gathered - fineTotal) <= 1e-12 * fineTotal)
            let uniform = [Double](repeating: 2.5, count: shape.count)
            #expect(ConservativeResampling.gather(ConservativeResampling.spread(uniform, p), p).allSatisfy { abs($0 - 2.5) < 1e-12 })
        }
    }

    @Test("the working grid: own kernel for cubic voxels in range; otherwise the smallest edge brought into 2.21–9.28 mm; no Ho-166 kernel")
    func workingGrid() throws {
        let f = try VoxelKernelFile.load()
        #expect(try f.kernel(forGrid: [4, 4, 4], nuclide: "y90", field: "m").workingSpacingMm == nil)
        #expect(try f.kernel(forGrid: [4.2, 4.2, 4.2], nuclide: "y90", field: "m").workingSpacingMm == nil)
        #expect(try f.kernel(forGrid: [4.07, 4.07, 3.0], nuclide: "y90", field: "m").workingSpacingMm == 3.0)
        #expect(try f.kernel(forGrid: [4.07, 4.07, 2.03], nuclide: "y90", field: "m").workingSpacingMm == 2.21)
        #expect(try f.kernel(forGrid: [2, 2, 2], nuclide: "y90", field: "m").workingSpacingMm == 2.21)
        #expect(try f.kernel(forGrid: [10, 10, 10], nuclide: "y90", field: "m").workingSpacingMm == 9.28)
        #expect(throws: InputError.self) { try f.kernel(forGrid: [4, 4, 4], nuclide: "ho166", field: "m") }
    }

    @Test("kernel on box voxels (4 × 4 × 3 mm): a uniform region's inside gets the local-deposition dose; a source far from the faces loses nothing")
    func boxVoxels() throws {
        let dims = [18, 18, 24]
        let n = dims[0] * dims[1] * dims[2]
        func map(_ counts: [Double], _ labels: [Double]) throws -> (VoxelDoseMap, VolumeGrid) {
            try ldmMap(counts: counts, labels: labels, dims: dims, spacing: [4, 4, 3])
        }
        let f = try VoxelKernelFile.load()
        let (k, working) = try f.kernel(forGrid: [4, 4, 3], nuclide: "y90", field: "m")
        #expect(working == 3)
        // Uniform everywhere; voxels 6 or more from every face (working grid: 8 or more 3 mm cells) are inside the kernel's reach.
        let (u, grid) = try map(Array(repeating: 1, count: n), Array(repeating: 1, count: n))
        let ru = VoxelDose.convolve(u, grid: grid, kernel: k, workingSpacingMm: working, tissueDensityGPerMl: 1.03) { $0 == 1 }
        let ldm = 50 * 1 / (Double(n) * 1.03 * 0.048 / 1000)
        for z in 8..<16 { for y in 6..<12 { for x in 6..<12 {
            let i = (z * dims[1] + y) * dims[0] + x
            #expect(abs(ru.map.doseGy[i] / ldm - 1) < 1e-9, "(\(x), \(y), \(z))")
        } } }
        // A hot block in the middle: the energy stays in the image (K · A), nothing is lost.
        var hot = [Double](repeating: 0, count: n)
        for z in 10..<14 { for y in 7..<11 { for x in 7..<11 { hot[(z * dims[1] + y) * dims[0] + x] = 1 } } }
        let (h, _) = try map(hot, Array(repeating: 1, count: n))
        let rh = VoxelDose.convolve(h, grid: grid, kernel: k, workingSpacingMm: working, tissueDensityGPerMl: 1.03) { $0 == 1 }
        var energyJ = 0.0
        for i in 0..<n { energyJ += rh.map.doseGy[i] * rh.map.massG[i] / 1000 }
        #expect(abs(energyJ - 50 * 1) < 1e-9 * 50 && rh.lostPercent < 1e-9)
        // The hot block's own voxels lose some of their dose to the neighbours, as with cubic voxels.
        let centre = (12 * dims[1] + 9) * dims[0] + 9
        #expect(rh.map.doseGy[centre] < h.doseGy[centre] && rh.map.doseGy[centre] > 0.5 * h.doseGy[centre])
    }
}

/// A local-deposition map of `counts` and `labels` written as NIfTI and read back (1 GBq, no lung shunt,
/// K = 50 Gy·kg/GBq, 1.03 g/mL), and its grid.
func ldmMap(counts: [Double], labels: [Double], dims: [Int], spacing: [Double]) throws -> (VoxelDoseMap, VolumeGrid) {
    let dir = try NiftiFixture.folder()
    let c = dir.appendingPathComponent("c.nii"), l = dir.appendingPathComponent("l.nii")
    try NiftiFixture.write(c, dims: dims, spacing: spacing, type: .float32, values: counts)
    try NiftiFixture.write(l, dims: dims, spacing: spacing, type: .int16, values: labels)
    let cv = try NIfTI.read(c.path)
    let input = VoxelDoseInput(counts: cv, labels: try NIfTI.read(l.path), labelTable: .standard, mapUnit: .counts, activityGBq: 1,
                               lungShuntPercent: 0, hoursTreatmentToAcquisition: nil, halfLifeH: 64.1, doseFactorGyKgPerGBq: 50,
                               tissueDensityGPerMl: 1.03, lungDensityGPerMl: nil, reportingLungMassG: 1000)
    return (try VoxelDose.localDeposition(input), cv.grid)
}
