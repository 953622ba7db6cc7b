// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation

/// Helpers for the `dosecalc batch` tests: running the built binary with a file as its standard input,
/// and reading JSON Lines output. The process is started as `DosecalcBinary.execute` starts it (output
/// to temporary files, a timeout), only with `standardInput` open on a file instead of /dev/null.
extension DosecalcBinary {
    /// Runs `dosecalc args…` with the file at `standardInput` as its standard input.
    static func run(_ args: [String], standardInput: URL, timeoutSeconds: Double = 300) throws -> Output {
        let exe = try prepared.get()
        let fm = FileManager.default
        let id = UUID().uuidString
        let outURL = fm.temporaryDirectory.appendingPathComponent("dosecalc-test-\(id).out")
        let errURL = fm.temporaryDirectory.appendingPathComponent("dosecalc-test-\(id).err")
        guard fm.createFile(atPath: outURL.path, contents: nil), fm.createFile(atPath: errURL.path, contents: nil) else {
            throw Failure(description: "cannot create temporary files in \(fm.temporaryDirectory.path)")
        }
        defer {
            try? fm.removeItem(at: outURL)
            try? fm.removeItem(at: errURL)
        }
        let inHandle = try FileHandle(forReadingFrom: standardInput)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer { try? inHandle.close(); try? outHandle.close(); try? errHandle.close() }
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        p.currentDirectoryURL = DosecalcBinary.packageRoot   // not the test process's, which a test may change (WorkingDirectory)
        p.standardInput = inHandle
        p.standardOutput = outHandle
        p.standardError = errHandle
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        if done.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            p.terminate()
            _ = done.wait(timeout: .now() + 5)
            throw Failure(description: "dosecalc \(args.joined(separator: " ")) did not finish in \(timeoutSeconds) s")
        }
        p.waitUntilExit()
        let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        return Output(exitCode: p.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Writes `text` to a new temporary file and returns its URL (removed by the caller).
    static func temporaryFile(_ text: String, suffix: String = ".jsonl") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dosecalc-batch-\(UUID().uuidString)\(suffix)")
        try Data(text.utf8).write(to: url)
        return url
    }
}
