// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

/// Which dosecalc computed a result: the release version and the build identifier of the running
/// program, printed in every plan's JSON and report so that a filed plan names the exact build.
public enum BuildInfo {
    /// The release version (semantic versioning). Raised with every release that can change a number.
    public static let version = "0.2.0"

    /// The linker's GNU build identifier of the running executable (the `NT_GNU_BUILD_ID` note that
    /// `readelf -n dosecalc` prints), as hexadecimal; "unknown" where the program is not an ELF file
    /// or carries no such note. Two binaries built from different code have different identifiers.
    public static let buildID: String = readGNUBuildID(path: "/proc/self/exe") ?? "unknown"

    /// `version` with the short build identifier: "0.2.0 (build a915f5f83888)".
    public static var versionWithBuild: String { "\(version) (build \(buildID.prefix(12)))" }

    /// Reads the GNU build-id note from an ELF64 little-endian file's program headers.
    static func readGNUBuildID(path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        func read(_ offset: UInt64, _ count: Int) -> [UInt8]? {
            guard (try? handle.seek(toOffset: offset)) != nil, let d = try? handle.read(upToCount: count), d.count == count else { return nil }
            return Array(d)
        }
        func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        func u32(_ b: [UInt8], _ i: Int) -> Int { u16(b, i) | u16(b, i + 2) << 16 }
        func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
        guard let header = read(0, 64), header[0...3] == [0x7f, 0x45, 0x4c, 0x46], header[4] == 2, header[5] == 1 else { return nil }
        let phoff = u64(header, 32), phentsize = u16(header, 54), phnum = u16(header, 56)
        guard phentsize >= 56, phnum > 0, phnum < 256 else { return nil }
        for i in 0..<phnum {
            guard let ph = read(phoff + UInt64(i * phentsize), 56), u32(ph, 0) == 4 /* PT_NOTE */ else { continue }
            let offset = u64(ph, 8), size = Int(u64(ph, 32))
            guard size > 0, size < 1 << 20, let notes = read(offset, size) else { continue }
            var p = 0
            while p + 12 <= notes.count {
                let namesz = u32(notes, p), descsz = u32(notes, p + 4), type = u32(notes, p + 8)
                let nameStart = p + 12, descStart = nameStart + (namesz + 3) / 4 * 4
                let next = descStart + (descsz + 3) / 4 * 4
                guard next <= notes.count else { break }
                if type == 3, namesz == 4, Array(notes[nameStart..<nameStart + 3]) == Array("GNU".utf8) {
                    return notes[descStart..<descStart + descsz].map { String(format: "%02x", $0) }.joined()
                }
                p = next
            }
        }
        return nil
    }
}
