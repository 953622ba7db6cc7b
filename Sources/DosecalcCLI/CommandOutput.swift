// SPDX-License-Identifier: GPL-3.0-or-later
import ArgumentParser
import DosecalcCore
import Foundation

/// What a command produced: the JSON object, the text for a person, the status. The JSON and the text
/// are made only when asked for, so that a `--json` run never renders text and a text run never
/// encodes JSON (`dosecalc batch` answers thousands of requests in one process).
public struct CommandOutput {
    private let encode: () throws -> Data
    private let render: () -> String
    public let status: Status
    /// Files to write only when the command succeeds (CSV, HTML report), with the flag that named them.
    public var files: [(path: String, contents: String, flag: String)] = []
    /// Binary files (a NIfTI dose map), written the same way.
    public var binaryFiles: [(path: String, contents: Data, flag: String)] = []
    /// Files the command read, which an output file must never replace.
    public var inputFiles: [String] = []
    /// An exit code other than the status's (plan --replay: values changed).
    var exit: DosecalcExit?

    public init<T: Encodable>(result: T, text: @autoclosure @escaping () -> String, status: Status) throws {
        self.encode = { try CommandOutput.encoder.encode(result) }
        self.render = text
        self.status = status
    }

    /// The JSON object. Encoding refuses NaN and infinity, so a non-finite number never reaches it.
    public func json() throws -> Data { try encode() }

    /// The text for a person.
    public var text: String { render() }

    /// What the command prints: the JSON object or the text, each checked for non-finite numbers.
    func printed(json: Bool) throws -> String {
        if json { return String(decoding: try self.json(), as: UTF8.self) }
        let t = text
        try Self.checkFinite(t)
        return t
    }

    /// No NaN or infinite number may reach the text (a solver failure must be reported, never printed
    /// as a number): no word of the text, a maximal run of ASCII letters, may be "nan" or "inf" in any
    /// case. Other characters end a word, so a non-ASCII letter next to such a word counts as a
    /// separator (the cautious side: refusing is safer than printing).
    static func checkFinite(_ text: String) throws {
        var run = 0
        var word: (UInt8, UInt8, UInt8) = (0, 0, 0)
        func check() throws {
            guard run == 3 else { return }
            if word == (0x6E, 0x61, 0x6E) { throw NonFiniteOutput(detail: "the result holds a non-finite number (nan)") }
            if word == (0x69, 0x6E, 0x66) { throw NonFiniteOutput(detail: "the result holds a non-finite number (inf)") }
        }
        for b in text.utf8 {
            let lower = b | 0x20
            if lower >= 0x61 && lower <= 0x7A {
                switch run {
                case 0: word.0 = lower
                case 1: word.1 = lower
                case 2: word.2 = lower
                default: break
                }
                run += 1
            } else {
                try check()
                run = 0
            }
        }
        try check()
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }()
}

/// A subcommand that computes a result without printing it, so that `validate`, the tests and
/// `main` all run the same code path.
protocol EvaluatingCommand: ParsableCommand {
    var json: Bool { get }
    func evaluate() throws -> CommandOutput
    /// Evaluates with `standardInput` read wherever the command would read the process's standard
    /// input ("-"); nil reads the real one. Only `plan --input -` reads it (`dosecalc batch` passes
    /// the request's planner input here); every other command evaluates as `evaluate()`.
    func evaluate(standardInput: Data?) throws -> CommandOutput
}

extension EvaluatingCommand {
    func evaluate(standardInput: Data?) throws -> CommandOutput { try evaluate() }
}

extension EvaluatingCommand {
    mutating func run() throws {
        // `main` evaluates and prints; `run` is only reached through ArgumentParser's own main.
        Swift.print(try evaluate().printed(json: json))
    }
}

/// The outcome of one invocation: exit code, standard output and one error line.
public struct Invocation {
    public let exitCode: Int32
    public let stdout: String
    public let stderr: String
    /// The JSON object printed (with --json), parsed.
    public var jsonObject: [String: Any]? {
        guard let data = stdout.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}

extension Dosecalc {
    /// Parses and evaluates `arguments` (without the program name) and returns what the process
    /// would print and its exit code, writing nothing. `main()` and `dosecalc validate` use this.
    /// Exit codes: 0 ok or warning; 3 contraindicated or infeasible (result still printed);
    /// 2 invalid input (one line on stderr, nothing on stdout); 64 unknown flag or usage error;
    /// 1 internal failure. `standardInput`, when given, is what a command reads for "-" instead of the
    /// process's standard input (`dosecalc batch`: the planner input of one request).
    public static func invoke(_ arguments: [String], writeFiles: Bool = false, standardInput: Data? = nil) -> Invocation {
        let commandName = "dosecalc " + (arguments.first.map { $0.hasPrefix("-") ? "" : $0 } ?? "")
        func failure(_ code: DosecalcExit, _ line: String) -> Invocation {
            Invocation(exitCode: code.rawValue, stdout: "", stderr: "dosecalc: error: " + ErrorLine.oneLine(line))
        }
        if let flag = ErrorLine.repeatedFlag(arguments) {
            return failure(.usage, "\(flag) is given twice; give each flag once")
        }
        let command: ParsableCommand
        do {
            command = try parse(arguments)
        } catch {
            let code = Dosecalc.exitCode(for: error).rawValue
            let message = Dosecalc.fullMessage(for: error)
            if code == 0 { return Invocation(exitCode: 0, stdout: message + "\n", stderr: "") }
            return failure(.usage, firstLine(message))
        }
        guard let evaluating = command as? any EvaluatingCommand else {
            // Commands that print on their own (validate).
            var c = command
            do {
                try c.run()
                return Invocation(exitCode: 0, stdout: "", stderr: "")
            } catch let e as ExitCode {
                return Invocation(exitCode: e.rawValue, stdout: "", stderr: "")
            } catch where Dosecalc.exitCode(for: error) == .success {
                // --help, --version: print what ArgumentParser prepared, exit 0.
                return Invocation(exitCode: 0, stdout: Dosecalc.fullMessage(for: error) + "\n", stderr: "")
            } catch {
                let (code, line) = ErrorLine.classify(error, command: commandName.trimmingCharacters(in: .whitespaces))
                return failure(code, line)
            }
        }
        do {
            let out = try evaluating.evaluate(standardInput: standardInput)
            let text = try out.printed(json: evaluating.json)
            if writeFiles {
                for f in out.files {
                    try OutputFile.write(Data(f.contents.utf8), to: f.path, flag: f.flag, protectedInputs: out.inputFiles)
                }
                for f in out.binaryFiles {
                    try OutputFile.write(f.contents, to: f.path, flag: f.flag, protectedInputs: out.inputFiles)
                }
            }
            return Invocation(exitCode: (out.exit ?? DosecalcExit.forStatus(out.status)).rawValue, stdout: text + "\n", stderr: "")
        } catch {
            let (code, line) = ErrorLine.classify(error, command: commandName.trimmingCharacters(in: .whitespaces))
            return failure(code, line)
        }
    }

    /// Parses `arguments` into their command. A plain request for a leaf command ("y90 --device …") is
    /// parsed by that command directly, which spares swift-argument-parser the reflection of the whole
    /// command tree (about half of a short process); anything else (help, version, an unknown or absent
    /// command, a command with subcommands) goes through the root as before. Both paths run the same
    /// option parsing and the command's `validate()`; the tests compare them on every command.
    static func parse(_ arguments: [String]) throws -> ParsableCommand {
        if let name = arguments.first, let sub = leafCommands[name],
           !arguments.contains(where: { $0 == "--help" || $0 == "-h" || $0 == "--version" || $0 == "help" || $0 == "--experimental-dump-help" || $0.hasPrefix("--generate-completion") }) {
            return try sub.parse(Array(arguments.dropFirst()))
        }
        return try Dosecalc.parseAsRoot(arguments)
    }

    /// The subcommands without subcommands of their own, by name.
    static let leafCommands: [String: ParsableCommand.Type] = {
        var out: [String: ParsableCommand.Type] = [:]
        for c in Dosecalc.configuration.subcommands where c.configuration.subcommands.isEmpty {
            out[c.configuration.commandName ?? ""] = c
        }
        return out
    }()

    /// The process entry point: invoke, print, exit.
    public static func runMain() -> Never {
        var args = Array(CommandLine.arguments.dropFirst())
        do {
            let (rest, dir) = try ReferenceData.extractOverride(from: args)
            args = rest
            if let dir { try ReferenceData.setOverride(dir) }
        } catch {
            FileHandle.standardError.write(("dosecalc: error: " + ErrorLine.oneLine("\(error)") + "\n").data(using: .utf8)!)
            Glibc.exit(DosecalcExit.usage.rawValue)
        }
        if args.first == "validate" {
            // validate prints its own table as it goes, and exits non-zero when a case fails.
            Dosecalc.main(args)
            Glibc.exit(0)
        }
        let inv = invoke(args, writeFiles: true)
        if !inv.stdout.isEmpty { FileHandle.standardOutput.write(inv.stdout.data(using: .utf8)!) }
        if !inv.stderr.isEmpty { FileHandle.standardError.write((inv.stderr + "\n").data(using: .utf8)!) }
        Glibc.exit(inv.exitCode)
    }

    static func firstLine(_ s: String) -> String {
        let trimmed = s.drop(while: { $0 == "\n" || $0 == " " })
        let line = trimmed.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "unknown error"
        return line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line
    }
}
#if canImport(Glibc)
import Glibc
#endif

/// A result that holds a non-finite number: an internal failure, never output.
struct NonFiniteOutput: Error, CustomStringConvertible {
    let detail: String
    var description: String { detail }
}
