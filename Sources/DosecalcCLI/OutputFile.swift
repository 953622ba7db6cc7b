// SPDX-License-Identifier: GPL-3.0-or-later
import DosecalcCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file given on the command line (`--report`, `--csv`) that cannot be written. Its description is
/// one line in plain words naming the flag and the path, e.g.
/// `--report: cannot write 'x.html': it is a symbolic link; give a regular file path`.
struct OutputFileError: Error, CustomStringConvertible {
    let flag: String
    let path: String
    let message: String

    var description: String {
        "\(flag): cannot write \(OutputFile.quoted(path)): \(OutputFile.oneLine(message))"
    }
}

/// Writes the files a command produces (HTML report, CSV time series) so that nothing is damaged:
///
/// - atomically: the data goes to a new temporary file in the target's folder, is flushed to disk
///   (`fsync`) and is then renamed over the target (`rename(2)`), so a reader sees the old file or the
///   new one, never half a file, and a failure leaves any old file as it was (the temporary file is
///   removed);
/// - only to a regular file or a new name: an existing directory, symbolic link, device, FIFO or
///   socket is refused, as is a missing parent folder;
/// - never over an input: a path that is the same file as one of `protectedInputs` (same device and
///   inode when both exist, else the same resolved absolute path) is refused;
/// - never over a read-only file: an existing file whose mode gives us no write bit is refused, by
///   the mode bits themselves (root passes `access(2)` for every file);
/// - keeping the old file's permission bits (and, where allowed, its owner and group); a new file
///   gets 0644 less the umask.
///
/// Every operating-system failure becomes an `OutputFileError` with the `strerror` text.
enum OutputFile {
    static func write(_ data: Data, to path: String, flag: String, protectedInputs: [String]) throws {
        func fail(_ message: String) -> OutputFileError { OutputFileError(flag: flag, path: path, message: message) }
        func osFail(_ what: String, _ code: Int32) -> OutputFileError { fail("\(what): \(errorText(code))") }

        guard !path.isEmpty else { throw fail("the path is empty; give a file path") }
        guard !path.hasSuffix("/") else { throw fail("the path ends with '/', so it names a folder; give a file path") }

        // What is there now. lstat: a symbolic link is reported as the link, not its target.
        var existing = stat()
        var exists = true
        if lstat(path, &existing) != 0 {
            let e = errno
            guard e == ENOENT else {
                if e == ENOTDIR { throw fail("a part of the path before the file name is not a folder") }
                throw osFail("cannot look at the path", e)
            }
            exists = false
        }
        if exists {
            if let kind = refusedKind(existing.st_mode) { throw fail(kind) }
        }

        // The folder it goes in must exist (checked before the inputs, so that a missing folder is
        // reported as such).
        let folder = parentFolder(of: path)
        var folderStat = stat()
        if stat(folder, &folderStat) != 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw fail("the folder \(quoted(folder)) does not exist; create it first or give another path") }
            throw osFail("cannot look at the folder \(quoted(folder))", e)
        }
        guard isType(folderStat.st_mode, S_IFDIR) else {
            throw fail("\(quoted(folder)) is not a folder")
        }

        // Never over an input file.
        for input in protectedInputs where !input.isEmpty {
            var inputStat = stat()
            let inputExists = stat(input, &inputStat) == 0   // follows links: an input that is a link is its target
            if exists && inputExists {
                if inputStat.st_dev == existing.st_dev && inputStat.st_ino == existing.st_ino {
                    throw fail("it is the same file as the input \(quoted(input)); give another path so that the input is not overwritten")
                }
            } else if let a = resolvedPath(path), let b = resolvedPath(input), a == b {
                throw fail("it is the same file as the input \(quoted(input)); give another path so that the input is not overwritten")
            }
        }

        // Never over a read-only file. The mode bits are checked directly because root passes
        // access(2) for every file.
        if exists && !modeAllowsWriting(existing) {
            throw fail("the file is read-only (mode \(octal(existing.st_mode & 0o777))); make it writable or give another path")
        }

        // Write a temporary file beside the target, flush it, rename it over the target.
        let (fd, temporary) = try createTemporary(in: folder, for: path, fail: osFail)
        var renamed = false
        var isOpen = true
        defer {
            if isOpen { _ = close(fd) }
            if !renamed { _ = unlink(temporary) }
        }
        if exists {
            // Keep owner and group where we may (root may; otherwise best effort, the old owner is us
            // or the change is refused and the file stays ours), then the permission bits.
            if existing.st_uid != geteuid() || existing.st_gid != getegid() {
                _ = fchown(fd, existing.st_uid, existing.st_gid)
            }
            if fchmod(fd, existing.st_mode & 0o777) != 0 {
                throw osFail("cannot set the permissions of the temporary file", errno)
            }
        }
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc_write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    let e = errno
                    if e == EINTR { continue }
                    throw osFail("cannot write the temporary file in \(quoted(folder))", e)
                }
                offset += n
            }
        }
        if fsync(fd) != 0 { throw osFail("cannot flush the file to disk", errno) }
        isOpen = false
        if close(fd) != 0 { throw osFail("cannot close the temporary file", errno) }
        if rename(temporary, path) != 0 { throw osFail("cannot replace the file", errno) }
        renamed = true
        // Make the rename itself durable; a failure here does not undo a completed write.
        let dirFD = Glibc_open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            _ = close(dirFD)
        }
    }

    // MARK: - Helpers

    /// Why an existing path of this type is refused, or nil for a regular file.
    static func refusedKind(_ mode: mode_t) -> String? {
        if isType(mode, S_IFREG) { return nil }
        if isType(mode, S_IFLNK) { return "it is a symbolic link; give a regular file path" }
        if isType(mode, S_IFDIR) { return "it is a folder; give a file path" }
        if isType(mode, S_IFCHR) { return "it is a character device, not a regular file; give a regular file path" }
        if isType(mode, S_IFBLK) { return "it is a block device, not a regular file; give a regular file path" }
        if isType(mode, S_IFIFO) { return "it is a FIFO (named pipe), not a regular file; give a regular file path" }
        if isType(mode, S_IFSOCK) { return "it is a socket, not a regular file; give a regular file path" }
        return "it is not a regular file; give a regular file path"
    }

    static func isType(_ mode: mode_t, _ type: mode_t) -> Bool { mode & S_IFMT == type }

    /// Whether the mode bits let this process write the file: the owner's bit when we own it or are
    /// root, the group's bit when we are in its group, the others' bit otherwise.
    static func modeAllowsWriting(_ s: stat) -> Bool {
        let uid = geteuid()
        if uid == 0 || uid == s.st_uid { return s.st_mode & S_IWUSR != 0 }
        if isInGroup(s.st_gid) { return s.st_mode & S_IWGRP != 0 }
        return s.st_mode & S_IWOTH != 0
    }

    static func isInGroup(_ gid: gid_t) -> Bool {
        if getegid() == gid { return true }
        let n = getgroups(0, nil)
        guard n > 0 else { return false }
        var groups = [gid_t](repeating: 0, count: Int(n))
        let m = getgroups(n, &groups)
        return m > 0 && groups.prefix(Int(m)).contains(gid)
    }

    /// Creates `.<name>.tmp-<random>` in `folder` with O_EXCL (never an existing file or link),
    /// mode 0644 less the umask (the kernel applies the umask).
    static func createTemporary(in folder: String, for path: String,
                                fail: (String, Int32) -> OutputFileError) throws -> (Int32, String) {
        let name = (path as NSString).lastPathComponent
        // Keep the temporary name within NAME_MAX (255 bytes).
        let stem = String(decoding: Array(name.utf8.prefix(200)), as: UTF8.self)
        let prefix = folder == "/" ? "/" : folder + "/"
        var lastError: Int32 = EEXIST
        for _ in 0..<100 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let candidate = prefix + "." + stem + ".tmp-" + suffix
            let fd = Glibc_open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            if fd >= 0 { return (fd, candidate) }
            lastError = errno
            if lastError != EEXIST && lastError != EINTR { break }
        }
        throw fail("cannot create a temporary file in the folder \(quoted(folder))", lastError)
    }

    /// The folder of `path` as given ("." for a bare file name).
    static func parentFolder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let head = path[..<slash]
        if head.isEmpty { return "/" }
        return String(head)
    }

    /// An absolute path with symbolic links, "." and ".." resolved as far as the path exists: the
    /// real path of the file when it exists, else the real path of its folder plus the name.
    static func resolvedPath(_ path: String) -> String? {
        if let r = realPath(path) { return r }
        let folder = parentFolder(of: path)
        let name = (path as NSString).lastPathComponent
        if let r = realPath(folder) { return (r == "/" ? "" : r) + "/" + name }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (absolute as NSString).standardizingPath
    }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    static func errorText(_ code: Int32) -> String {
        guard let s = strerror(code) else { return "error \(code)" }
        return String(cString: s)
    }

    static func octal(_ mode: mode_t) -> String {
        let s = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    /// `'path'` on one line: control characters (a newline in a file name) are escaped.
    static func quoted(_ text: String) -> String { "'" + oneLine(text) + "'" }

    static func oneLine(_ text: String) -> String { oneLineText(text) }
}

// The C `write` and `open`, named apart from Swift's own `write`/`open` members.
@inline(__always)
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Darwin.write(fd, buffer, count)
    #endif
}

@inline(__always)
private func Glibc_open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    #if canImport(Glibc)
    return Glibc.open(path, flags, mode)
    #elseif canImport(Musl)
    return Musl.open(path, flags, mode)
    #else
    return Darwin.open(path, flags, mode)
    #endif
}
