// SPDX-License-Identifier: GPL-3.0-or-later
// Dose-kernel convolution. The local-deposition energy of every voxel (D_LDM · m) is spread over its
// neighbours with the share of a decay's energy that a published voxel S-value kernel deposits at each
// offset, f(u) = S(u) / Σ S (uniform voxel mass, so energy ∝ S), and the dose is that energy over each
// voxel's mass in a homogeneous soft-tissue medium of the liver density. So the kernel changes where
// the energy goes, never how much: the total is K · A as in every other method, and only what leaves
// the image is lost (reported). Kernels: reference-data/voxel-kernels/ (Lanconelli et al. 2012).
import DosecalcCore
import Foundation
import ImagingIO

public struct VoxelKernelFile: Sendable, Codable {
    public struct Kernel: Sendable, Codable {
        public let nuclide: String
        public let voxelSizeMm: Double
        public let medium: String
        public let mediumDensityGPerMl: Double
        public let unit: String
        public let octant: [Double]
        public let energyPerDecayMeV: Double
        public let source: String
    }
    public let description: String
    public let kernels: [Kernel]

    public static let relativePath = "voxel-kernels/y90-soft-tissue.json"

    public static func load() throws -> VoxelKernelFile {
        let f = try ReferenceData.load(VoxelKernelFile.self, from: relativePath)
        for (i, k) in f.kernels.enumerated() {
            guard k.octant.count == 216, k.octant.allSatisfy({ $0.isFinite && $0 >= 0 }), k.octant[0] > 0, k.voxelSizeMm > 0 else {
                throw DataFileError(file: relativePath, key: "kernels[\(i)].octant", message: "must hold 216 finite values ≥ 0 with a positive centre")
            }
        }
        return f
    }

    /// The energy shares for `nuclide` on a cubic grid of `spacingMm` (the three sizes within 1 % of each
    /// other). A shipped size (within 1 %) is used as it is; a size between two shipped ones gets each
    /// offset's share interpolated linearly in the voxel size between them, then renormalised to 1. Each
    /// inner shipped kernel, left out and rebuilt from its neighbours, comes back within 1.4 % in the
    /// centre share and 0.0074 in any share (worst: 6.8 mm from 6 and 9.28 mm; test). Sizes outside the
    /// shipped range (2.21–9.28 mm), and other shapes, are refused here; `kernel(forGrid:)` takes them
    /// through a cubic working grid.
    public func shares(nuclide: String, spacingMm: [Double], field: String) throws -> KernelChoice {
        let mine = kernels.filter { $0.nuclide == nuclide }.sorted { $0.voxelSizeMm < $1.voxelSizeMm }
        let sizes = mine.map { Format.number($0.voxelSizeMm) + " mm" }.joined(separator: ", ")
        guard let first = mine.first, let last = mine.last else { throw InputError(field: field, "kernel: no voxel kernel for \(nuclide) is shipped; use ldm") }
        let h = spacingMm.reduce(0, +) / Double(spacingMm.count)
        let shown = spacingMm.map { Format.number($0, significant: 4) }.joined(separator: " × ")
        guard spacingMm.allSatisfy({ abs($0 / h - 1) <= 0.01 }) else {
            throw InputError(field: field, "kernel: the voxels are \(shown) mm; the kernels are for cubic voxels (resample the images or use ldm)")
        }
        if let k = mine.first(where: { abs(h / $0.voxelSizeMm - 1) <= 0.01 }) {
            return KernelChoice(shares: k.energyShares, voxelSizeMm: h, centreSValue: k.octant[0], source: k.source, interpolatedFrom: nil)
        }
        guard h > first.voxelSizeMm, h < last.voxelSizeMm, let hi = mine.firstIndex(where: { $0.voxelSizeMm > h }) else {
            throw InputError(field: field, "kernel: the voxels are \(shown) mm; kernels cover cubic voxels from \(Format.number(first.voxelSizeMm)) to \(Format.number(last.voxelSizeMm)) mm (shipped: \(sizes)); resample the images or use ldm")
        }
        let a = mine[hi - 1], b = mine[hi]
        let w = (h - a.voxelSizeMm) / (b.voxelSizeMm - a.voxelSizeMm)
        let sa = a.energyShares, sb = b.energyShares
        var mixed = zip(sa, sb).map { (1 - w) * $0 + w * $1 }
        let total = mixed.reduce(0, +)
        mixed = mixed.map { $0 / total }
        return KernelChoice(shares: mixed, voxelSizeMm: h, centreSValue: nil,
                            source: "interpolated linearly in the voxel size between \(Format.number(a.voxelSizeMm)) mm and \(Format.number(b.voxelSizeMm)) mm: " + a.source,
                            interpolatedFrom: [a.voxelSizeMm, b.voxelSizeMm])
    }
}

extension VoxelKernelFile {
    /// The kernel for an image grid. A cubic grid inside the shipped range uses its own kernel (above).
    /// Any other grid (box voxels, or cubic voxels outside the range) is given a cubic working grid whose
    /// edge is the smallest voxel edge brought into the shipped range: the local-deposition energy is
    /// resampled onto it by overlap (ConservativeResampling, energy kept exactly, each voxel's activity
    /// taken as uniform within it), convolved with that edge's kernel, and gathered back the same way.
    public func kernel(forGrid spacingMm: [Double], nuclide: String, field: String) throws -> (choice: KernelChoice, workingSpacingMm: Double?) {
        let mine = kernels.filter { $0.nuclide == nuclide }.map(\.voxelSizeMm).sorted()
        guard let lo = mine.first, let hi = mine.last else { throw InputError(field: field, "kernel: no voxel kernel for \(nuclide) is shipped; use ldm") }
        let h = spacingMm.reduce(0, +) / Double(spacingMm.count)
        let cubic = spacingMm.allSatisfy { abs($0 / h - 1) <= 0.01 }
        if cubic, h >= lo * 0.99, h <= hi * 1.01 {
            return (try shares(nuclide: nuclide, spacingMm: spacingMm, field: field), nil)
        }
        let w = min(max(spacingMm.min()!, lo), hi)
        return (try shares(nuclide: nuclide, spacingMm: [w, w, w], field: field), w)
    }
}

/// The energy shares used for one grid, and where they come from.
public struct KernelChoice: Sendable {
    /// 11 × 11 × 11 shares of a decay's energy (x fastest), summing to 1.
    public let shares: [Double]
    public let voxelSizeMm: Double
    /// The published centre S value (mGy/(MBq·s)) when a shipped kernel is used as it is.
    public let centreSValue: Double?
    public let source: String
    /// The two shipped sizes interpolated between, if any.
    public let interpolatedFrom: [Double]?
}

extension VoxelKernelFile.Kernel {
    /// The 11 × 11 × 11 share of a decay's energy deposited at each offset (x fastest), summing to 1.
    public var energyShares: [Double] {
        var k = [Double](repeating: 0, count: 1331)
        for z in -5...5 { for y in -5...5 { for x in -5...5 {
            let s = [abs(x), abs(y), abs(z)].sorted()
            k[((z + 5) * 11 + (y + 5)) * 11 + (x + 5)] = octant[36 * s[0] + 6 * s[1] + s[2]]
        } } }
        let total = k.reduce(0, +)
        return k.map { $0 / total }
    }
}

extension VoxelDose {
    /// Spreads a local-deposition map's liver energy with `kernel`; see the contract at the top.
    /// Returns the new map and the share of the liver's energy deposited outside the image.
    /// With `workingSpacingMm`, the energy is resampled onto that cubic grid, convolved there and
    /// gathered back (VoxelKernelFile.kernel(forGrid:)).
    public static func convolve(_ m: VoxelDoseMap, grid: VolumeGrid, kernel: KernelChoice, workingSpacingMm: Double? = nil,
                                tissueDensityGPerMl rho: Double, isLiver: (Int) -> Bool) -> (map: VoxelDoseMap, lostPercent: Double) {
        let n = m.doseGy.count
        var energy = [Double](repeating: 0, count: n)   // J
        for i in 0..<n where isLiver(m.label[i]) { energy[i] = m.doseGy[i] * m.massG[i] / 1000 }
        let shape = FFTConvolution.Shape(grid.dims[0], grid.dims[1], grid.dims[2])
        let spread: [Double]
        if let h = workingSpacingMm {
            let plan = ConservativeResampling.plan(shape: shape, spacingMm: grid.spacingMm, cubicSpacingMm: h)
            let fine = FFTConvolution.convolve(ConservativeResampling.spread(energy, plan), shape: plan.cubic, kernel: kernel.shares,
                                               kernelShape: .init(11, 11, 11))
            spread = ConservativeResampling.gather(fine.map { max($0, 0) }, plan)
        } else {
            spread = FFTConvolution.convolve(energy, shape: shape, kernel: kernel.shares, kernelShape: .init(11, 11, 11))
        }
        let voxelKg = rho * grid.voxelVolumeMl / 1000
        var dose = m.doseGy, mass = m.massG
        var kept = 0.0, total = 0.0
        for i in 0..<n { total += energy[i]; kept += max(spread[i], 0) }
        for i in 0..<n where !(m.lungDoseGy != nil && m.massG[i] > 0 && !isLiver(m.label[i])) {
            // Liver, tumour and background voxels: the spread energy over soft tissue; lung voxels keep theirs.
            dose[i] = max(spread[i], 0) / voxelKg
            if isLiver(m.label[i]) { mass[i] = rho * grid.voxelVolumeMl }
        }
        let lost = total > 0 ? 100 * max(0, 1 - kept / total) : 0
        return (VoxelDoseMap(doseGy: dose, label: m.label, massG: mass, lungDoseGy: m.lungDoseGy, lungMassG: m.lungMassG, lungMethod: m.lungMethod,
                             liverActivityGBq: m.liverActivityGBq, countsPerGram: m.countsPerGram, lungShuntPercent: m.lungShuntPercent), lost)
    }
}
