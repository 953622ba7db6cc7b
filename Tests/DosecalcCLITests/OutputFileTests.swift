// SPDX-License-Identifier: GPL-3.0-or-later
import Testing
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import DosecalcCLI

/// `OutputFile.write`: atomic replacement of a regular file, and refusal of everything else.
@Suite("Output files")
struct OutputFileTests {
    // MARK: - Helpers

    /// Runs `body` with a new empty temporary folder, removed afterwards.
    func withScratch(_ body: (URL) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dosecalc-outputfile-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        try body(dir.resolvingSymlinksInPath())
    }

    func contents(_ path: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) }
    }

    func mode(_ path: String) -> mode_t? {
        var s = stat()
        return lstat(path, &s) == 0 ? s.st_mode & 0o7777 : nil
    }

    func isSymlink(_ path: String) -> Bool {
        var s = stat()
        return lstat(path, &s) == 0 && s.st_mode & S_IFMT == S_IFLNK
    }

    /// Every name in `dir`, to check that no temporary file is left behind.
    func names(_ dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    /// The process umask, read without changing it (umask(2) would change it for every thread).
    func currentUmask() -> mode_t? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("Umask:") {
            return mode_t(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8)
        }
        return nil
    }

    /// Expects `write` to throw an `OutputFileError` and returns it.
    @discardableResult
    func refused(_ path: String, flag: String = "--report", protectedInputs: [String] = [],
                 sourceLocation: SourceLocation = #_sourceLocation) -> OutputFileError? {
        do {
            try OutputFile.write(Data("new contents\n".utf8), to: path, flag: flag, protectedInputs: protectedInputs)
            Issue.record("writing '\(path)' was not refused", sourceLocation: sourceLocation)
            return nil
        } catch let e as OutputFileError {
            #expect(!e.description.contains("\n"), "description must be one line: \(e.description)", sourceLocation: sourceLocation)
            #expect(e.description.hasPrefix(flag + ": "), "\(e.description)", sourceLocation: sourceLocation)
            return e
        } catch {
            Issue.record("expected OutputFileError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    // MARK: - Writing

    @Test("writes a new file with 0644 less the umask, leaving no temporary file")
    func writesNewFile() throws {
        try withScratch { dir in
            let path = dir.appendingPathComponent("report.html").path
            try OutputFile.write(Data("<html>ok</html>\n".utf8), to: path, flag: "--report", protectedInputs: [])
            #expect(contents(path) == "<html>ok</html>\n")
            if let mask = currentUmask() {
                #expect(mode(path) == 0o644 & ~mask)
            }
            #expect(names(dir) == ["report.html"])
        }
    }

    @Test("writes an empty file")
    func writesEmptyFile() throws {
        try withScratch { dir in
            let path = dir.appendingPathComponent("empty.csv").path
            try OutputFile.write(Data(), to: path, flag: "--csv", protectedInputs: [])
            #expect(contents(path) == "")
        }
    }

    @Test("replaces a regular file and keeps its mode 0600")
    func replacesKeepingMode() throws {
        try withScratch { dir in
            let path = dir.appendingPathComponent("series.csv").path
            try Data("old,old\n".utf8).write(to: URL(fileURLWithPath: path))
            #expect(chmod(path, 0o600) == 0)
            try OutputFile.write(Data("t_h,plasma\n0,0\n".utf8), to: path, flag: "--csv", protectedInputs: [])
            #expect(contents(path) == "t_h,plasma\n0,0\n")
            #expect(mode(path) == 0o600)
            #expect(names(dir) == ["series.csv"])
        }
    }

    @Test("a bare file name is written in the working directory's folder")
    func relativeName() throws {
        try withScratch { dir in
            try WorkingDirectory.with(dir) {
                try OutputFile.write(Data("x".utf8), to: "plain.html", flag: "--report", protectedInputs: [])
            }
            #expect(contents(dir.appendingPathComponent("plain.html").path) == "x")
        }
    }

    // MARK: - Refusals

    @Test("refuses a symbolic link and leaves its target untouched")
    func refusesSymlink() throws {
        try withScratch { dir in
            let target = dir.appendingPathComponent("target.txt").path
            let link = dir.appendingPathComponent("link.html").path
            try Data("original".utf8).write(to: URL(fileURLWithPath: target))
            #expect(symlink(target, link) == 0)
            let e = refused(link)
            #expect(e?.description.contains("symbolic link") == true)
            #expect(contents(target) == "original")
            #expect(isSymlink(link))
            #expect(names(dir) == ["link.html", "target.txt"])
        }
    }

    @Test("refuses a dangling symbolic link and creates nothing at its target")
    func refusesDanglingSymlink() throws {
        try withScratch { dir in
            let target = dir.appendingPathComponent("nowhere.txt").path
            let link = dir.appendingPathComponent("link.html").path
            #expect(symlink(target, link) == 0)
            refused(link)
            #expect(!FileManager.default.fileExists(atPath: target))
            #expect(names(dir) == ["link.html"])
        }
    }

    @Test("refuses a directory")
    func refusesDirectory() throws {
        try withScratch { dir in
            let sub = dir.appendingPathComponent("out.html", isDirectory: true)
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: false)
            let e = refused(sub.path)
            #expect(e?.description.contains("folder") == true)
            #expect(names(sub).isEmpty)
            refused(sub.path + "/")
        }
    }

    @Test("refuses /dev/null (a character device)")
    func refusesDevice() {
        let e = refused("/dev/null")
        #expect(e?.description.contains("device") == true)
        #expect(e?.description.contains("'/dev/null'") == true)
    }

    @Test("refuses a FIFO without opening it")
    func refusesFIFO() throws {
        try withScratch { dir in
            let fifo = dir.appendingPathComponent("pipe.csv").path
            #expect(mkfifo(fifo, 0o644) == 0)
            let e = refused(fifo, flag: "--csv")
            #expect(e?.description.contains("FIFO") == true)
            #expect(names(dir) == ["pipe.csv"])
        }
    }

    @Test("refuses the protected input given by the same path")
    func refusesInputSamePath() throws {
        try withScratch { dir in
            let input = dir.appendingPathComponent("patient.json").path
            try Data("{}".utf8).write(to: URL(fileURLWithPath: input))
            let e = refused(input, protectedInputs: [input])
            #expect(e?.description.contains("input") == true)
            #expect(contents(input) == "{}")
            #expect(names(dir) == ["patient.json"])
        }
    }

    @Test("refuses the protected input given by a different relative path")
    func refusesInputOtherRelativePath() throws {
        try withScratch { dir in
            let input = dir.appendingPathComponent("patient.json").path
            try Data("{}".utf8).write(to: URL(fileURLWithPath: input))
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: false)
            try WorkingDirectory.with(dir) {
                refused("./sub/../patient.json", protectedInputs: ["patient.json"])
                refused("patient.json", protectedInputs: [input])
                refused(input, protectedInputs: ["sub/../patient.json"])
                // Neither exists: compared by resolved absolute path.
                refused("./new.html", protectedInputs: ["sub/../new.html"])
            }
            #expect(contents(input) == "{}")
            #expect(names(dir) == ["patient.json", "sub"])
        }
    }

    @Test("refuses the protected input reached through a hard link or a symbolic link")
    func refusesInputLinked() throws {
        try withScratch { dir in
            let input = dir.appendingPathComponent("patient.json").path
            let hard = dir.appendingPathComponent("copy.html").path
            let soft = dir.appendingPathComponent("alias.json").path
            try Data("{}".utf8).write(to: URL(fileURLWithPath: input))
            #expect(link(input, hard) == 0)
            #expect(symlink(input, soft) == 0)
            refused(hard, protectedInputs: [input])
            refused(input, protectedInputs: [hard])
            refused(input, protectedInputs: [soft])   // the input names a link to the output
            #expect(contents(input) == "{}")
            #expect(contents(hard) == "{}")
        }
    }

    @Test("a protected input that is another file does not stop the write")
    func otherInputAllowed() throws {
        try withScratch { dir in
            let input = dir.appendingPathComponent("patient.json").path
            try Data("{}".utf8).write(to: URL(fileURLWithPath: input))
            let out = dir.appendingPathComponent("report.html").path
            try OutputFile.write(Data("r".utf8), to: out, flag: "--report", protectedInputs: [input, dir.appendingPathComponent("missing.json").path])
            #expect(contents(out) == "r")
            #expect(contents(input) == "{}")
        }
    }

    @Test("refuses a read-only file (0444) and leaves it untouched")
    func refusesReadOnly() throws {
        try withScratch { dir in
            let path = dir.appendingPathComponent("locked.html").path
            try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
            #expect(chmod(path, 0o444) == 0)
            let e = refused(path)
            #expect(e?.description.contains("read-only") == true)
            #expect(contents(path) == "keep me")
            #expect(mode(path) == 0o444)
            #expect(names(dir) == ["locked.html"])
        }
    }

    @Test("refuses a missing parent folder and creates nothing")
    func refusesMissingParent() throws {
        try withScratch { dir in
            let path = dir.appendingPathComponent("no-such-folder/report.html").path
            let e = refused(path)
            #expect(e?.description.contains("does not exist") == true)
            #expect(names(dir).isEmpty)
        }
    }

    @Test("refuses a path through a regular file")
    func refusesFileAsFolder() throws {
        try withScratch { dir in
            let file = dir.appendingPathComponent("plain.txt").path
            try Data("x".utf8).write(to: URL(fileURLWithPath: file))
            refused(file + "/report.html")
            #expect(contents(file) == "x")
        }
    }

    @Test("an operating-system failure is one line with the strerror text, not an NSError dump")
    func osErrorText() {
        // /proc does not let anyone create a file in it (ENOENT).
        guard FileManager.default.fileExists(atPath: "/proc/self") else { return }
        let e = refused("/proc/dosecalc-report.html")
        let text = e?.description ?? ""
        #expect(text.contains(String(cString: strerror(ENOENT))), "\(text)")
        #expect(!text.contains("Domain"), "\(text)")
        #expect(!text.contains("NSError"), "\(text)")
    }

    @Test("the description is one line and names the flag and the path")
    func descriptionOneLine() throws {
        try withScratch { dir in
            let odd = dir.appendingPathComponent("no-folder/line\nbreak.html").path
            let e = try #require(refused(odd, flag: "--csv"))
            #expect(!e.description.contains("\n"))
            #expect(e.description.hasPrefix("--csv: cannot write '"))
            #expect(e.description.contains("line\\nbreak.html"))
            #expect(e.flag == "--csv")
            #expect(e.path == odd)

            let plain = OutputFileError(flag: "--report", path: "x.html", message: "it is a symbolic link; give a regular file path")
            #expect(plain.description == "--report: cannot write 'x.html': it is a symbolic link; give a regular file path")
        }
    }
}
