// SPDX-License-Identifier: GPL-3.0-or-later
// A NIfTI-1 writer for test fixtures, written from the format's header layout (nifti1.h, NIfTI-1 Data
// Format Working Group 2004) and independent of libniftiio, which dosecalc reads with.
import Foundation

public enum NiftiFixture {
    public enum DataType: Int16, Sendable { case uint8 = 2, int16 = 4, int32 = 8, float32 = 16, float64 = 64
        public var bits: Int16 { switch self { case .uint8: 8; case .int16: 16; case .int32: 32; case .float32: 32; case .float64: 64 } }
    }

    /// Writes a single-file .nii: dims (x, y, z), voxel sizes in mm, an sform (row-major 3 × 4; default the
    /// voxel sizes on the diagonal), values in file order. `units`: 2 = mm (NIfTI_UNITS_MM), 0 = unknown.
    public static func write(_ url: URL, dims: [Int], spacing: [Double], type: DataType, values: [Double],
                      sform: [Double]? = nil, qformCode: Int16 = 0, sformCode: Int16 = 1, units: UInt8 = 2, slope: Float = 0, inter: Float = 0) throws {
        var h = Data(count: 348)
        func put<T>(_ v: T, _ at: Int) { withUnsafeBytes(of: v) { h.replaceSubrange(at..<at + $0.count, with: $0) } }
        put(Int32(348), 0)
        put(Int16(3), 40); put(Int16(dims[0]), 42); put(Int16(dims[1]), 44); put(Int16(dims[2]), 46)
        for i in 4..<8 { put(Int16(1), 40 + 2 * i) }
        put(type.rawValue, 70); put(type.bits, 72)
        put(Float(1), 76); put(Float(spacing[0]), 80); put(Float(spacing[1]), 84); put(Float(spacing[2]), 88)
        put(Float(352), 108)
        put(slope, 112); put(inter, 116)
        h[123] = units
        put(qformCode, 252); put(sformCode, 254)
        let s = sform ?? [spacing[0], 0, 0, 0, 0, spacing[1], 0, 0, 0, 0, spacing[2], 0]
        for (i, v) in s.enumerated() { put(Float(v), 280 + 4 * i) }
        h.replaceSubrange(344..<348, with: [0x6E, 0x2B, 0x31, 0x00])   // "n+1\0"
        var d = h
        d.append(contentsOf: [0, 0, 0, 0])
        for v in values {
            switch type {
            case .uint8: d.append(UInt8(v))
            case .int16: withUnsafeBytes(of: Int16(v)) { d.append(contentsOf: $0) }
            case .int32: withUnsafeBytes(of: Int32(v)) { d.append(contentsOf: $0) }
            case .float32: withUnsafeBytes(of: Float(v)) { d.append(contentsOf: $0) }
            case .float64: withUnsafeBytes(of: v) { d.append(contentsOf: $0) }
            }
        }
        try d.write(to: url)
    }

    public static func folder() throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("dosecalc-voxel-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}

/// Reads the float32 values of a single-file NIfTI-1 written by dosecalc (gzip through /bin/gzip),
/// independently of libniftiio: header 348 bytes, vox_offset at byte 108.
public func readFloat32Nii(gzipped path: String) throws -> [Float] {
    let p = Process()
    let pipe = Pipe()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "gzip -dc '\(path)'"]
    p.currentDirectoryURL = FileManager.default.temporaryDirectory   // not the test process's, which a test may change
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let offset = Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 108, as: Float.self) })
    let datatype = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 70, as: Int16.self) }
    precondition(datatype == 16, "not float32")
    return stride(from: offset, to: data.count, by: 4).map { o in data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: o, as: Float.self) } }
}
