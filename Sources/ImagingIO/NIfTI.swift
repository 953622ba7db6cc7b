// SPDX-License-Identifier: GPL-3.0-or-later
// NIfTI-1 volumes through libniftiio (Debian libniftiio-dev); knows no dosimetry.
//
// Contract:
// - `NIfTI.read(path)` reads a .nii or .nii.gz file with three spatial dimensions (a fourth of size 1
//   is allowed) and returns its values as doubles (scl_slope/scl_inter applied), its grid (voxel
//   counts, voxel sizes in mm, the voxel-to-world transform from the sform, else the qform) and
//   whether the stored type holds integers. A file that cannot be opened, is not NIfTI, is truncated
//   (fewer data bytes than the header declares) or holds a type dosecalc does not read is refused
//   with a `NIfTIError`, never returned in part.
// - `NIfTI.writeFloat32(values, like:, to:)` writes float32 values on the grid of an existing file.
// - The library's own messages are silenced; errors come back as Swift errors only.
import CNIfTI
import Foundation

public struct VolumeGrid: Sendable, Equatable {
    /// Voxels along i, j, k.
    public let dims: [Int]
    /// Voxel sizes along i, j, k in mm.
    public let spacingMm: [Double]
    /// Voxel (i, j, k) to world (x, y, z) in mm, row-major 4 × 4.
    public let affine: [Double]
    /// Which header transform gave `affine`: "sform", "qform" or "none" (voxel sizes only).
    public let transform: String
    /// Whether the header states the spatial unit; when not, millimetres are taken.
    public let unitStated: Bool

    public var count: Int { dims.reduce(1, *) }
    public var voxelVolumeMl: Double { spacingMm.reduce(1, *) / 1000 }

    /// Why two grids differ (nil when they match): voxel counts exactly, voxel sizes and the transform to
    /// `toleranceMm` (a few micrometres: the precision a float header stores).
    public func mismatch(_ other: VolumeGrid, toleranceMm: Double = 1e-3) -> String? {
        if dims != other.dims { return "voxel counts \(dims.map(String.init).joined(separator: "×")) and \(other.dims.map(String.init).joined(separator: "×")) differ" }
        for a in 0..<3 where abs(spacingMm[a] - other.spacingMm[a]) > toleranceMm {
            return "voxel sizes \(spacingMm.map { String(format: "%.4g", $0) }.joined(separator: "×")) mm and \(other.spacingMm.map { String(format: "%.4g", $0) }.joined(separator: "×")) mm differ"
        }
        for i in 0..<12 where abs(affine[i] - other.affine[i]) > toleranceMm * max(1, abs(affine[i])) {
            return "orientations or positions differ (voxel-to-world transforms from the \(transform) and the \(other.transform))"
        }
        return nil
    }
}

public struct Volume: Sendable {
    public let grid: VolumeGrid
    /// Values in the file's order (i fastest, then j, then k).
    public let values: [Double]
    public let isIntegerType: Bool
}

public enum NIfTIError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    case notThreeDimensional(String, dims: [Int])
    case truncated(String)
    case unsupportedType(String, code: Int)
    case writeFailed(String)

    public var description: String {
        switch self {
        case .unreadable(let p): return "\(p) cannot be read as a NIfTI-1 image (.nii or .nii.gz)"
        case .notThreeDimensional(let p, let d): return "\(p) has dimensions \(d.map(String.init).joined(separator: "×")); a three-dimensional volume is needed"
        case .truncated(let p): return "\(p) is truncated: it holds fewer voxel values than its header declares"
        case .unsupportedType(let p, let c): return "\(p) stores its voxels as NIfTI data type \(c), which is not an integer or real type"
        case .writeFailed(let p): return "\(p) could not be written"
        }
    }
}

public enum NIfTI {
    /// Reads a whole volume; see the contract above.
    public static func read(_ path: String) throws -> Volume {
        guard FileManager.default.isReadableFile(atPath: path) else { throw NIfTIError.unreadable(path) }
        var v = cnifti_volume()
        let status = cnifti_read(path, &v)
        defer { cnifti_free(&v) }
        let dims = withUnsafeBytes(of: v.dim) { Array($0.bindMemory(to: Int32.self)).map(Int.init) }
        switch Int(status) {
        case Int(CNIFTI_OK): break
        case Int(CNIFTI_NOT_3D): throw NIfTIError.notThreeDimensional(path, dims: Array(dims[1...max(1, min(7, dims[0]))]))
        case Int(CNIFTI_TRUNCATED): throw NIfTIError.truncated(path)
        case Int(CNIFTI_UNSUPPORTED_TYPE): throw NIfTIError.unsupportedType(path, code: Int(v.datatype))
        default: throw NIfTIError.unreadable(path)
        }
        let n = Int(v.nvox)
        let values = Array(UnsafeBufferPointer(start: v.values, count: n))
        // NIfTI_UNITS_METER = 1, NIfTI_UNITS_MM = 2, NIfTI_UNITS_MICRON = 3 (nifti1.h).
        let unit = Int(v.xyz_units) & 0x07
        let toMm: Double = unit == 1 ? 1000 : unit == 3 ? 0.001 : 1
        var a = withUnsafeBytes(of: v.affine) { Array($0.bindMemory(to: Double.self)) }
        for i in 0..<12 { a[i] *= toMm }
        let pix = withUnsafeBytes(of: v.pixdim) { Array($0.bindMemory(to: Double.self)) }
        let grid = VolumeGrid(dims: Array(dims[1...3]), spacingMm: (1...3).map { abs(pix[$0]) * toMm }, affine: a,
                              transform: v.transform == 2 ? "sform" : v.transform == 1 ? "qform" : "none", unitStated: (1...3).contains(unit))
        return Volume(grid: grid, values: values, isIntegerType: v.is_integer == 1)
    }

    /// Writes `values` (one per voxel, file order) as float32 on the grid of the NIfTI file `likePath`, to
    /// `path` (.nii or .nii.gz), with `description` in the header (at most 79 characters kept).
    public static func writeFloat32(_ values: [Float], like likePath: String, to path: String, description: String) throws {
        let status = values.withUnsafeBufferPointer { cnifti_write_float_like(likePath, $0.baseAddress, values.count, path, description) }
        guard status == 0 else { throw NIfTIError.writeFailed(path) }
        // The library's writer reports nothing: read the file back to know it was written whole.
        guard let back = try? read(path), back.values.count == values.count else { throw NIfTIError.writeFailed(path) }
    }
}
