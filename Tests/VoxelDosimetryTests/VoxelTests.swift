// SPDX-License-Identifier: GPL-3.0-or-later
// Voxel dosimetry against hand calculations and direct sums: the NIfTI reader on fixtures written
// byte by byte, local deposition, the dose–volume conventions, FFT convolution against the direct
// convolution sum, and every refused input.
import DosecalcCore
import Foundation
import ImagingIO
import TestSupport
import Testing
@testable import VoxelDosimetry

@Suite("Voxel dosimetry")
struct VoxelTests {
    let k = 50.0, rho = 1.03

    func input(_ dir: URL, counts: [Double], labels: [Double], dims: [Int] = [4, 1, 1], spacing: [Double] = [4, 4, 4],
               countType: NiftiFixture.DataType = .float32, labelType: NiftiFixture.DataType = .int16, labelSpacing: [Double]? = nil,
               lungDensity: Double? = nil) throws -> VoxelDoseInput {
        let c = dir.appendingPathComponent("c.nii"), l = dir.appendingPathComponent("l.nii")
        try NiftiFixture.write(c, dims: dims, spacing: spacing, type: countType, values: counts)
        try NiftiFixture.write(l, dims: dims, spacing: labelSpacing ?? spacing, type: labelType, values: labels)
        return VoxelDoseInput(counts: try NIfTI.read(c.path), labels: try NIfTI.read(l.path), labelTable: .standard, mapUnit: .counts,
                              activityGBq: 2, lungShuntPercent: 10, hoursTreatmentToAcquisition: nil, halfLifeH: 64.1,
                              doseFactorGyKgPerGBq: k, tissueDensityGPerMl: rho, lungDensityGPerMl: lungDensity, reportingLungMassG: 1000)
    }

    @Test("the reader returns the bytes a fixture wrote: values, grid, integer type")
    func reader() throws {
        let dir = try NiftiFixture.folder()
        let u = dir.appendingPathComponent("x.nii")
        try NiftiFixture.write(u, dims: [3, 2, 2], spacing: [2, 2.5, 3], type: .int16, values: (0..<12).map(Double.init))
        let v = try NIfTI.read(u.path)
        #expect(v.values == (0..<12).map(Double.init))
        #expect(v.grid.dims == [3, 2, 2] && v.grid.spacingMm == [2, 2.5, 3] && v.isIntegerType && v.grid.transform == "sform")
        #expect(abs(v.grid.voxelVolumeMl - 0.015) < 1e-15)
        // scl_slope and scl_inter are applied.
        try NiftiFixture.write(u, dims: [2, 1, 1], spacing: [1, 1, 1], type: .int16, values: [1, 2], slope: 0.5, inter: 10)
        #expect(try NIfTI.read(u.path).values == [10.5, 11])
    }

    @Test("local deposition by hand: 4 voxels of 4 mm, counts 1, 3, 4 (liver) and 9 (background), 2 GBq, shunt 10 %, K 50")
    func ldmHand() throws {
        let dir = try NiftiFixture.folder()
        let i = try input(dir, counts: [1, 3, 4, 9], labels: [1, 1, 2, 0])
        let m = try VoxelDose.localDeposition(i)
        let voxelKg = 1.03 * 0.064 / 1000   // 4 mm cube = 0.064 mL
        let liverGBq = 2 * 0.9               // 1.8 GBq in the liver, shared 1 : 3 : 4
        let expected = [1.0, 3, 4].map { k * liverGBq * $0 / 8 / voxelKg } + [0]
        for (a, b) in zip(m.doseGy, expected) { #expect(abs(a - b) <= 1e-12 * max(b, 1)) }
        #expect(abs(m.lungDoseGy! - k * 2 * 0.10 / 1.0) < 1e-12)   // 10 Gy to the 1 kg reporting mass
        #expect(abs(m.liverActivityGBq - 1.8) < 1e-15)
    }

    @Test("property: energy is conserved, Σ D·m = K · A_liver, for random count maps")
    func energyConserved() throws {
        var g = SeededGenerator(seed: 11)
        let dir = try NiftiFixture.folder()
        for _ in 0..<20 {
            let n = 5 * 4 * 3
            let labels = (0..<n).map { _ in Double([0, 1, 1, 1, 2, 3, 100].randomElement(using: &g)!) }
            var l = labels; l[0] = 1
            let counts = (0..<n).map { _ in Double.random(in: 0...1000, using: &g) }
            let i = try input(dir, counts: counts, labels: l, dims: [5, 4, 3], spacing: [3.3, 3.3, 4.1])
            let m = try VoxelDose.localDeposition(i)
            var energy = 0.0
            for v in 0..<n { energy += m.doseGy[v] * m.massG[v] / 1000 }
            #expect(abs(energy - k * 2 * 0.9) <= 1e-9 * k * 2)
        }
    }

    @Test("dose–volume statistics by hand: four voxels of 1, 1, 2, 4 g at 10, 20, 30, 40 Gy")
    func dvhHand() {
        let h = DoseVolumeHistogram(doses: [10, 20, 30, 40], masses: [1, 1, 2, 4])
        let s = h.statistics
        #expect(s.massG == 8 && abs(s.meanDoseGy - (10 + 20 + 60 + 160) / 8.0) < 1e-12)
        // Hottest first: 40 Gy holds 50 % of the mass, 30 Gy brings it to 75 %, 20 Gy to 87.5 %, 10 Gy to 100 %.
        #expect(s.d50Gy == 40 && h.d(50.0001) == 30 && s.d70Gy == 30 && h.d(75) == 30 && h.d(80) == 20 && s.d90Gy == 10 && s.d95Gy == 10)
        #expect(h.v(30) == 75 && h.v(30.0001) == 50 && h.v(40) == 50 && h.v(41) == 0 && h.v(0) == 100)
        #expect(s.minDoseGy == 10 && s.maxDoseGy == 40)
    }

    @Test("the padded FFT length: the least 2·3·5·7-smooth length at least n, by brute force")
    func fastLength() {
        func smooth(_ m: Int) -> Bool { var r = m; for p in [2, 3, 5, 7] { while r % p == 0 { r /= p } }; return r == 1 }
        for n in 1...600 {
            let m = FFTConvolution.fastLength(n)
            #expect(m >= n && smooth(m) && !(n..<m).contains(where: smooth), "\(n) → \(m)")
        }
        #expect(FFTConvolution.fastLength(170) == 175 && FFTConvolution.fastLength(266) == 270 && FFTConvolution.fastLength(17) == 18)
    }

    @Test("FFT convolution equals the direct convolution sum (also where the padded length exceeds n + m − 1), and a unit kernel returns the volume",
          arguments: [(FFTConvolution.Shape(6, 5, 4), FFTConvolution.Shape(3, 5, 3)), (FFTConvolution.Shape(12, 7, 9), FFTConvolution.Shape(11, 11, 11)),
                      (FFTConvolution.Shape(1, 13, 2), FFTConvolution.Shape(5, 3, 7))])
    func fftMatchesDirect(_ s: FFTConvolution.Shape, _ ks: FFTConvolution.Shape) {
        var g = SeededGenerator(seed: 12)
        let v = (0..<s.count).map { _ in Double.random(in: 0...1, using: &g) }
        let kernel = (0..<ks.count).map { _ in Double.random(in: 0...1, using: &g) }
        let got = FFTConvolution.convolve(v, shape: s, kernel: kernel, kernelShape: ks)
        for z in 0..<s.nz { for y in 0..<s.ny { for x in 0..<s.nx {
            var sum = 0.0
            for kz in 0..<ks.nz { for ky in 0..<ks.ny { for kx in 0..<ks.nx {
                let sx = x - (kx - ks.nx / 2), sy = y - (ky - ks.ny / 2), sz = z - (kz - ks.nz / 2)
                guard sx >= 0, sx < s.nx, sy >= 0, sy < s.ny, sz >= 0, sz < s.nz else { continue }
                sum += v[(sz * s.ny + sy) * s.nx + sx] * kernel[(kz * ks.ny + ky) * ks.nx + kx]
            } } }
            #expect(abs(got[(z * s.ny + y) * s.nx + x] - sum) < 1e-12 * max(1, sum))
        } } }
        var unit = [Double](repeating: 0, count: 27); unit[13] = 1
        let same = FFTConvolution.convolve(v, shape: s, kernel: unit, kernelShape: FFTConvolution.Shape(3, 3, 3))
        #expect(zip(same, v).allSatisfy { abs($0 - $1) < 1e-14 })
    }

    @Test("refused: other grid, other orientation, negative or non-finite counts, fractional or unknown labels, no normal liver")
    func refused() throws {
        let dir = try NiftiFixture.folder()
        func field(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let e as InputError { return e.field } catch { return "\(error)" }
        }
        #expect(field { _ = try VoxelDose.localDeposition(try input(dir, counts: [1, 1, 1, 1], labels: [1, 1, 1, 1], labelSpacing: [4, 4, 5])) } == "labels")
        let c = dir.appendingPathComponent("c2.nii"), l = dir.appendingPathComponent("l2.nii")
        try NiftiFixture.write(c, dims: [4, 1, 1], spacing: [4, 4, 4], type: .float32, values: [1, 1, 1, 1])
        try NiftiFixture.write(l, dims: [4, 1, 1], spacing: [4, 4, 4], type: .int16, values: [1, 1, 1, 1], sform: [-4, 0, 0, 0, 0, 4, 0, 0, 0, 0, 4, 0])
        var i = try input(dir, counts: [1, 1, 1, 1], labels: [1, 1, 1, 1])
        i.labels = try NIfTI.read(l.path)
        #expect(field { _ = try VoxelDose.localDeposition(i) } == "labels")
        #expect(field { _ = try VoxelDose.localDeposition(try input(dir, counts: [1, -1, 1, 1], labels: [1, 1, 1, 1])) } == "counts")
        #expect(field { _ = try VoxelDose.localDeposition(try input(dir, counts: [1, .nan, 1, 1], labels: [1, 1, 1, 1])) } == "counts")
        #expect(field { _ = try VoxelDose.localDeposition(try input(dir, counts: [1, .infinity, 1, 1], labels: [1, 1, 1, 1])) } == "counts")
        #expect(field { _ = try VoxelDose.localDeposition(try input(dir, counts: [1, 1, 1, 1], labels: [1, 1.5, 1, 1], labelType: .float32)) } == "labels")
        #expect(field { _ = try VoxelDose.localDeposition(try input(dir, counts: [1, 1, 1, 1], labels: [1, 101, 1, 1])) } == "labels")
        #expect(field { _ = try VoxelDose.localDeposition(try input(dir, counts: [1, 1, 1, 1], labels: [2, 2, 0, 0])) } == "labels")
        #expect(field { _ = try VoxelDose.localDeposition(try input(dir, counts: [0, 0, 5, 5], labels: [1, 1, 0, 0])) } == "counts")
        #expect(field { _ = try VoxelDose.localDeposition(try input(dir, counts: [1, 1, 1, 1], labels: [1, 1, 1, 1], lungDensity: 0.3)) } == "lungDensity")
    }

    @Test("unreadable, truncated and gzip-compressed files")
    func files() throws {
        let dir = try NiftiFixture.folder()
        let u = dir.appendingPathComponent("x.nii")
        try NiftiFixture.write(u, dims: [4, 4, 4], spacing: [2, 2, 2], type: .float32, values: (0..<64).map(Double.init))
        let bytes = try Data(contentsOf: u)
        let cut = dir.appendingPathComponent("cut.nii")
        try bytes.prefix(bytes.count - 10).write(to: cut)
        #expect(throws: NIfTIError.truncated(cut.path)) { try NIfTI.read(cut.path) }
        let text = dir.appendingPathComponent("t.nii")
        try Data("not an image".utf8).write(to: text)
        #expect(throws: NIfTIError.unreadable(text.path)) { try NIfTI.read(text.path) }
        #expect(throws: NIfTIError.unreadable("/no/such/file.nii")) { try NIfTI.read("/no/such/file.nii") }
        // .nii.gz through zlib: gzip the fixture with the system's gzip.
        let gz = dir.appendingPathComponent("x.nii.gz")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -c '\(u.path)' > '\(gz.path)'"]
        p.currentDirectoryURL = FileManager.default.temporaryDirectory   // not the test process's, which a test may change
        try p.run(); p.waitUntilExit()
        #expect(try NIfTI.read(gz.path).values == (0..<64).map(Double.init))
    }

    @Test("a dose map written as NIfTI reads back on the same grid with float32 values")
    func writeBack() throws {
        let dir = try NiftiFixture.folder()
        let u = dir.appendingPathComponent("x.nii"), out = dir.appendingPathComponent("dose.nii.gz")
        try NiftiFixture.write(u, dims: [3, 3, 2], spacing: [2, 3, 4], type: .int16, values: Array(repeating: 1, count: 18))
        let values = (0..<18).map { Float($0) * 1.5 }
        try NIfTI.writeFloat32(values, like: u.path, to: out.path, description: "test")
        let back = try NIfTI.read(out.path)
        #expect(back.values == values.map(Double.init))
        #expect(back.grid.mismatch(try NIfTI.read(u.path).grid) == nil)
        #expect(!back.isIntegerType)
    }
}

@Suite("NIfTI reader under corruption")
struct NIfTICorruptionTests {
    @Test("property: a header with random bytes changed is read whole or refused with a NIfTIError, never trapped or half-read")
    func corruptedHeaders() throws {
        let dir = try NiftiFixture.folder()
        let u = dir.appendingPathComponent("x.nii")
        try NiftiFixture.write(u, dims: [6, 5, 4], spacing: [4, 4, 4], type: .float32, values: (0..<120).map(Double.init))
        let good = try Data(contentsOf: u)
        var g = SeededGenerator(seed: 20261204)
        let target = dir.appendingPathComponent("y.nii")
        var refused = 0
        for _ in 0..<300 {
            var b = [UInt8](good)
            for _ in 0..<Int.random(in: 1...6, using: &g) { b[Int.random(in: 0..<352, using: &g)] = UInt8.random(in: 0...255, using: &g) }
            if Bool.random(using: &g) {   // dims: zero, negative, huge
                let v = [Int16(0), -1, 32767, 1].randomElement(using: &g)!
                let at = 42 + 2 * Int.random(in: 0...2, using: &g)
                withUnsafeBytes(of: v) { b.replaceSubrange(at..<at + 2, with: $0) }
            }
            try Data(b).write(to: target)
            do {
                let v = try NIfTI.read(target.path)
                #expect(v.values.count == v.grid.count)
                #expect(v.grid.dims.allSatisfy { $0 > 0 })
            } catch is NIfTIError {
                refused += 1
            }
        }
        #expect(refused > 0)
    }
}
