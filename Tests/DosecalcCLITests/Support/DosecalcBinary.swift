// SPDX-License-Identifier: GPL-3.0-or-later
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the built `dosecalc` executable, builds it (once per test process) when it is missing or
/// older than the sources, and runs it as a user would: a separate process, its exit code, its
/// standard output and its standard error.
///
/// Where the binary is:
/// 1. `DOSECALC_BINARY` in the environment (an installed binary, a package build); never rebuilt;
/// 2. next to the running test executable, when that lives in a SwiftPM build directory
///    (`swift test` builds the executable products beside `dosecalcPackageTests.xctest`; the same
///    idea as swift-argument-parser's `AssertExecuteCommand`, which runs the example binaries from
///    the test bundle's directory);
/// 3. otherwise `<package root>/.build/debug/dosecalc`, the package root found from `#filePath`.
///
/// Building: `swift build --product dosecalc` (same scratch path and configuration as the binary),
/// at most once per process, guarded by a `static let` (Swift runs it under `swift_once`, so
/// parallel tests wait for the one build instead of starting their own). `swift test` holds the
/// SwiftPM lock on `.build` while the tests run; when the lock holder is an ancestor of this process
/// (i.e. the `swift test` that runs us, idle while it waits for the tests), the build is started
/// with `--ignore-lock`, otherwise it waits for the lock like any other SwiftPM invocation.
///
/// Output goes to temporary files, not pipes: many processes are spawned concurrently, and a pipe
/// end inherited by a sibling child would keep a reader blocked until that sibling exits.
enum DosecalcBinary {
    struct Failure: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    /// One finished run: what the process returned and printed. Read it like the tuple
    /// `(exitCode:, stdout:, stderr:)`; `json` parses standard output.
    struct Output: Sendable {
        let exitCode: Int32
        let stdout: String
        let stderr: String

        /// Standard output as one JSON object, or `[:]` when it is not one (an error run).
        var json: [String: Any] {
            (try? DosecalcBinary.parseObject(stdout, args: [])) ?? [:]
        }
    }

    static let environmentVariable = "DOSECALC_BINARY"

    /// Tests/DosecalcCLITests/Support/DosecalcBinary.swift → the package root.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The executable to run. Touching it triggers the (one) build check; if the build failed,
    /// this is still the expected path and `run` throws the build failure.
    static var url: URL {
        (try? prepared.get()) ?? layout.binary
    }

    /// Runs `dosecalc args…` and returns its exit code, standard output and standard error.
    /// Throws only when the binary cannot be built or started, or does not finish in 120 s.
    static func run(_ args: [String]) throws -> Output {
        try execute(try prepared.get(), args, timeoutSeconds: 120)
    }

    /// Runs `dosecalc args…` (add `--json` yourself) and returns the one JSON object it printed.
    /// Throws when the process did not exit with 0 (ok/warning) or 3 (contraindicated, result still
    /// printed), or when standard output is not one JSON object.
    static func json(_ args: [String]) throws -> [String: Any] {
        let r = try run(args)
        guard r.exitCode == 0 || r.exitCode == 3 else {
            throw Failure(description: "dosecalc \(args.joined(separator: " ")) exited \(r.exitCode): \(r.stderr)")
        }
        return try parseObject(r.stdout, args: args)
    }

    /// Parses standard output as one JSON object.
    static func parseObject(_ stdout: String, args: [String]) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw Failure(description: "dosecalc \(args.joined(separator: " ")) did not print one JSON object: \(stdout.prefix(300))")
        }
        return object
    }

    /// Runs many argument lists concurrently (about one process per core) and returns the outputs
    /// in the same order.
    static func runMany(_ argLists: [[String]], width: Int = max(2, ProcessInfo.processInfo.activeProcessorCount)) throws -> [Output] {
        let exe = try prepared.get()
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var outputs: [Output?]
            var firstError: (any Error)?
            init(_ n: Int) { outputs = Array(repeating: nil, count: n) }
        }
        let results = Results(argLists.count)
        let workers = max(1, min(width, argLists.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < argLists.count {
                do {
                    let o = try execute(exe, argLists[i], timeoutSeconds: 120)
                    results.lock.lock(); results.outputs[i] = o; results.lock.unlock()
                } catch {
                    results.lock.lock(); if results.firstError == nil { results.firstError = error }; results.lock.unlock()
                }
                i += workers
            }
        }
        if let e = results.firstError { throw e }
        return results.outputs.map { $0! }
    }

    // MARK: - Locating and building

    struct Layout: Sendable {
        let binary: URL
        /// `swift build` arguments that rebuild exactly this binary; nil: never build (given binary).
        let buildArguments: [String]?
        let scratchPath: URL?
    }

    static let layout: Layout = {
        let env = ProcessInfo.processInfo.environment
        if let given = env[environmentVariable], !given.isEmpty {
            return Layout(binary: URL(fileURLWithPath: given), buildArguments: nil, scratchPath: nil)
        }
        let root = packageRoot.standardizedFileURL.resolvingSymlinksInPath()
        // The running test executable, e.g. <root>/.build/x86_64-unknown-linux-gnu/debug/dosecalcPackageTests.xctest
        if let exe = currentExecutable() {
            let buildDir = exe.deletingLastPathComponent()
            let configuration = buildDir.lastPathComponent
            let scratch = buildDir.deletingLastPathComponent().deletingLastPathComponent()
            if exe.lastPathComponent.hasPrefix("dosecalcPackageTests"), configuration == "debug" || configuration == "release" {
                var args = ["build", "--package-path", root.path, "--product", "dosecalc", "-c", configuration]
                if scratch.path != root.appendingPathComponent(".build").path { args += ["--scratch-path", scratch.path] }
                return Layout(binary: buildDir.appendingPathComponent("dosecalc"), buildArguments: args, scratchPath: scratch)
            }
        }
        return Layout(binary: root.appendingPathComponent(".build/debug/dosecalc"),
                      buildArguments: ["build", "--package-path", root.path, "--product", "dosecalc"],
                      scratchPath: root.appendingPathComponent(".build"))
    }()

    /// The binary, built if needed. Evaluated once per process.
    static let prepared: Result<URL, Failure> = {
        let l = layout
        guard let buildArgs = l.buildArguments else {
            return FileManager.default.isExecutableFile(atPath: l.binary.path)
                ? .success(l.binary)
                : .failure(Failure(description: "\(environmentVariable)=\(l.binary.path) is not an executable file"))
        }
        let binaryTime = modificationDate(l.binary)
        let sourcesTime = newestSourceModification()
        if let b = binaryTime, b >= sourcesTime { return .success(l.binary) }
        var args = buildArgs
        if let scratch = l.scratchPath, lockIsHeldByAncestor(scratch) { args.append("--ignore-lock") }
        do {
            let out = try execute(URL(fileURLWithPath: "/usr/bin/env"), ["swift"] + args, timeoutSeconds: 1800,
                                  directory: packageRoot)
            guard out.exitCode == 0 else {
                let tail = (out.stdout + out.stderr).split(separator: "\n").suffix(30).joined(separator: "\n")
                return .failure(Failure(description: "swift \(args.joined(separator: " ")) failed (exit \(out.exitCode)):\n\(tail)"))
            }
        } catch {
            return .failure(Failure(description: "could not run swift build: \(error)"))
        }
        guard FileManager.default.isExecutableFile(atPath: l.binary.path) else {
            return .failure(Failure(description: "swift build succeeded but \(l.binary.path) does not exist"))
        }
        return .success(l.binary)
    }()

    static func currentExecutable() -> URL? {
        #if os(Linux)
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: p)
        }
        #endif
        return Bundle.main.executableURL
    }

    static func modificationDate(_ url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
    }

    /// The newest modification time of anything the binary is built from: every file and folder
    /// under Sources/ (a folder's time changes when a file is added or deleted), Package.swift and
    /// Package.resolved.
    static func newestSourceModification() -> Date {
        var newest = Date.distantPast
        let fm = FileManager.default
        for name in ["Package.swift", "Package.resolved", "Sources"] {
            if let d = modificationDate(packageRoot.appendingPathComponent(name)), d > newest { newest = d }
        }
        let sources = packageRoot.appendingPathComponent("Sources")
        if let e = fm.enumerator(at: sources, includingPropertiesForKeys: [.contentModificationDateKey]) {
            for case let u as URL in e {
                if let d = (try? u.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate, d > newest {
                    newest = d
                }
            }
        }
        return newest
    }

    /// Whether `<scratch>/.lock` names a process that is this process or one of its ancestors.
    static func lockIsHeldByAncestor(_ scratch: URL) -> Bool {
        guard let text = try? String(contentsOf: scratch.appendingPathComponent(".lock"), encoding: .utf8),
              let holder = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return false }
        var pid = getpid()
        for _ in 0..<64 {
            if pid == holder { return true }
            guard pid > 1, let parent = parentPID(of: pid) else { return false }
            pid = parent
        }
        return false
    }

    static func parentPID(of pid: Int32) -> Int32? {
        #if os(Linux)
        // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces and parentheses.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? Int32(fields[1]) : nil
        #else
        return pid == getpid() ? getppid() : nil
        #endif
    }

    // MARK: - Running a process

    static func execute(_ executable: URL, _ args: [String], timeoutSeconds: Double, directory: URL? = nil) throws -> Output {
        let fm = FileManager.default
        let tmp = fm.temporaryDirectory
        let id = UUID().uuidString
        let outURL = tmp.appendingPathComponent("dosecalc-test-\(id).out")
        let errURL = tmp.appendingPathComponent("dosecalc-test-\(id).err")
        guard fm.createFile(atPath: outURL.path, contents: nil), fm.createFile(atPath: errURL.path, contents: nil) else {
            throw Failure(description: "cannot create temporary files in \(tmp.path)")
        }
        defer {
            try? fm.removeItem(at: outURL)
            try? fm.removeItem(at: errURL)
        }
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = outHandle
        p.standardError = errHandle
        // Always a named directory: Foundation's Process takes the test process's working directory when it is
        // created, and a test that runs the library from a temporary folder (WorkingDirectory.with) may
        // remove that folder before a process created meanwhile starts.
        p.currentDirectoryURL = directory ?? packageRoot
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        do {
            try p.run()
        } catch {
            try? outHandle.close(); try? errHandle.close()
            throw Failure(description: "cannot start \(executable.path): \(error)")
        }
        if done.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            p.terminate()
            _ = done.wait(timeout: .now() + 5)
            try? outHandle.close(); try? errHandle.close()
            throw Failure(description: "\(executable.lastPathComponent) \(args.joined(separator: " ")) did not finish in \(timeoutSeconds) s")
        }
        p.waitUntilExit()
        try? outHandle.close()
        try? errHandle.close()
        let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
        let code: Int32 = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return Output(exitCode: code, stdout: stdout, stderr: stderr)
    }
}
