// SPDX-License-Identifier: GPL-3.0-or-later
// `dosecalc batch`: many requests in one process, as JSON Lines.
//
// Contract
//
// Input (`--input FILE`, or `-` / no flag for standard input): JSON Lines, one request per line,
//     {"id": <any JSON value>, "command": "<name>", "args": {…}}
// with exactly these three keys. `command` is one of `BatchRequest.commands` (y90, ho166, lsf,
// tn-ratio, decay, vial, deb, plan). For every command but `plan`, `args` holds the command's flags by
// name without the dashes: a number or a string is the flag's value (a number is passed exactly as
// written, "2.50" stays "2.50"), `true` gives a switch, and an array gives a list flag (its items
// joined with commas, the same text the flag takes). For `plan`, `args` is the planner input object,
// the same JSON `dosecalc plan --input` reads. `--json` is implied.
//
// Output (standard output): one line per request, in input order:
//     {"id":<id>,"exitCode":<n>,"result":<object>}        exit code 0 or 3 (the result is printed)
//     {"id":<id>,"exitCode":<n>,"error":{"message":"…"}}  every other exit code
// `id` is the request's id as written (insignificant whitespace removed), or null when the line gives
// none that can be read. `exitCode` is what the single command would have returned. `result` is the
// object the single command prints with --json, with its insignificant whitespace removed: every
// key, string and number is byte for byte the same. `message` is the one line the single command
// prints on standard error ("dosecalc: error: …"). Each request runs the process's own
// parse-and-run path (`Dosecalc.invoke`) on the argument list built from `args`; nothing is
// computed twice or in another way.
//
// Refused per request, with that request's error line (the batch goes on):
//   exit 2: a line that is not strict JSON (duplicate keys, NaN, trailing commas … see
//           DosecalcCore/StrictJSON.swift), that is not an object, that lacks or adds a top-level key,
//           whose command is missing or unknown, whose args is not an object, or a flag value that is
//           null, false, an object, or a list of anything but numbers and strings without commas;
//           a line longer than 16 MiB;
//   exit 64: a flag that makes no sense in a batch (--report, --csv, --output, --replay, --ledger,
//           --brief, --help, --version, --reference-data, json set to anything but true), or a key
//           that is not a flag name (for plan, args is the planner input and its own reader judges it);
//   otherwise the single command's own exit code and message (unknown flag 64, bad value 2, …).
// Empty lines (nothing but spaces, tabs or a carriage return) are skipped: no output line, not counted.
// Messages of the batch itself start with "line N: " (the physical line of the input, from 1).
//
// Exit code of `dosecalc batch`: 0 when every line was read and answered, whatever the requests'
// exit codes; 2 (one line on standard error) when the input cannot be opened or read, or --jobs is
// outside 1 to 256; 73 when standard output cannot be written. At the end one summary line goes to
// standard error: "N ok, N warning, N contraindicated, N infeasible, N invalid" (the results'
// status; every error line counts as invalid).
//
// Concurrency: one reader thread, `--jobs` worker threads (default: the number of cores, at most 256)
// and the writer (the calling thread). At most `window` requests are in flight (read but not yet
// written) and at most `windowBytes` bytes of them, so memory stays bounded on any length of input;
// the writer writes results strictly in input order, so the output is the same bytes whatever the
// number of workers. A progress line is drawn on standard error only when it is a terminal.
import ArgumentParser
import DosecalcCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run many requests from a JSON Lines file, in parallel, and write one JSON result line per request.",
        discussion: """
        Each input line: {"id": …, "command": "y90" | "ho166" | "lsf" | "tn-ratio" | "decay" | "vial" | "deb" | "plan", \
        "args": {…}}. args holds the command's flags without the dashes ({"device": "glass", "lung-shunt": 6}; a switch \
        is true; a list is a JSON array or the comma text the flag takes); for plan, args is the planner input object. \
        Each output line, in input order: {"id": …, "exitCode": N, "result": {…}} with the object the single command \
        prints with --json, or {"id": …, "exitCode": N, "error": {"message": "…"}}. Empty lines are skipped. \
        Exit 0 when every line was answered; 2 when the input cannot be read. A summary line goes to standard error.
        Example: echo '{"id": 1, "command": "decay", "args": {"nuclide": "y90", "activity-gbq": 3, "hours": 24}}' | dosecalc batch
        """)

    @Option(name: .customLong("input"), parsing: .unconditional, help: "JSON Lines file, or - for standard input (the default).")
    var input: String?
    @Option(name: .customLong("jobs"), parsing: .unconditional, help: "Requests computed at once, 1 to 256 (default: the number of cores).")
    var jobs: String?

    init() {}

    /// The default number of workers: the active cores, at most 256.
    static var defaultJobs: Int { min(256, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    func run() throws {
        let workers = try jobCount()
        let source = try BatchInput.opening(input)
        defer { source.closeIfOwned() }
        let counts = try BatchRunner(source: source, workers: workers).run()
        BatchIO.writeAll(2, Array((counts.summary + "\n").utf8))
    }

    func jobCount() throws -> Int {
        guard let text = jobs else { return Self.defaultJobs }
        let range = PlausibleRange(1, 256, "")
        let v: Double
        do { v = try parseNumber(text, field: "--jobs") } catch {
            throw InputError(field: "--jobs", "must be a whole number in \(range.text); got \(quotedForMessage(text))")
        }
        guard v == v.rounded(), range.contains(v) else {
            throw InputError(field: "--jobs", "must be a whole number in \(range.text); got \(quotedForMessage(text))")
        }
        return Int(v)
    }
}

// MARK: - One request

/// What one input line produced: the output line (with its newline) and how it counts in the summary.
struct BatchLineResult: Sendable {
    let bytes: [UInt8]
    let category: BatchCounts.Category
}

/// The raw scan of an accepted document disagreed with the parsed tree (a bug; reported as internal).
struct RawScanMismatch: Error, CustomStringConvertible {
    var description: String { "the raw text of the request could not be matched with its parsed form" }
}

/// A request refused by the batch itself, before the command runs.
struct BatchRefusal: Error {
    let exit: DosecalcExit
    let message: String
}

/// Turns one input line into one output line. Pure apart from reading the reference data (as the
/// single command does); safe to call from many threads at once.
enum BatchRequest {
    /// The commands a request may name.
    static let commands = ["y90", "ho166", "lsf", "tn-ratio", "decay", "vial", "deb", "plan"]
    static let commandList = "y90, ho166, lsf, tn-ratio, decay, vial, deb, plan"
    /// The top-level keys of a request.
    static let requestKeys: Set<String> = ["id", "command", "args"]
    /// A line longer than this is refused without being kept in memory.
    static let maximumLineBytes = 16 << 20

    /// Flags that make no sense in a batch, with why, in plain words.
    static func refusedFlag(_ name: String, command: String) -> String? {
        switch name {
        case "report", "csv", "output":
            return "writes a file, and dosecalc batch writes nothing but its JSON Lines output: leave it out, or run dosecalc \(command) on its own for this file"
        case "replay":
            return "recomputes a plan from a file and does not apply in dosecalc batch: run dosecalc plan --replay on its own"
        case "ledger":
            return "reads a treatment ledger file and does not apply in dosecalc batch: give the prior treatments in the planner input, or run dosecalc plan --ledger on its own"
        case "brief":
            return "shortens the text output, and dosecalc batch writes JSON only: leave it out"
        case "help", "version":
            return "prints text, not a result: run dosecalc \(command) --\(name) on its own"
        case "reference-data":
            return "applies to the whole batch, not to one request: give it to dosecalc itself (dosecalc --reference-data DIR batch)"
        default:
            return nil
        }
    }

    static func process(_ line: [UInt8], lineNumber: Int) -> BatchLineResult {
        var id: [UInt8] = Array("null".utf8)
        do {
            let tree: JSONValue
            do { tree = try JSONValue.parse(Data(line)) } catch {
                let place = error.path.isEmpty ? "" : " at \(error.path)"
                let column = error.column.map { ", column \($0)" } ?? ""
                throw BatchRefusal(exit: .invalidInput, message: "line \(lineNumber)\(column): is not strict JSON\(place): \(error.message)")
            }
            guard case .object(let members) = tree else {
                throw BatchRefusal(exit: .invalidInput, message: "line \(lineNumber): must be one JSON object {\"id\": …, \"command\": …, \"args\": {…}}")
            }
            // JSONValue.parse allows a leading UTF-8 byte order mark.
            let bom = line.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            let spans = RawJSON.memberValueSpans(line, objectAt: RawJSON.skipWhitespace(line, bom))
            guard spans.count == members.count else { throw RawScanMismatch() }
            var fields: [String: (value: JSONValue, span: Range<Int>)] = [:]
            for (m, span) in zip(members, spans) { fields[m.key] = (m.value, span) }
            if let i = fields["id"] { id = RawJSON.compact(line[i.span]) }
            if let unknown = members.first(where: { !requestKeys.contains($0.key) }) {
                throw BatchRefusal(exit: .invalidInput, message: "line \(lineNumber): \(quotedForMessage(unknown.key)) is not a request key; a request has exactly id, command and args")
            }
            guard fields["id"] != nil else {
                throw BatchRefusal(exit: .invalidInput, message: "line \(lineNumber): id: is required (any JSON value, echoed in the result line)")
            }
            guard let c = fields["command"] else {
                throw BatchRefusal(exit: .invalidInput, message: "line \(lineNumber): command: is required: one of \(commandList)")
            }
            guard case .string(let command) = c.value, commands.contains(command) else {
                throw BatchRefusal(exit: .invalidInput, message: "line \(lineNumber): command: must be one of \(commandList); got \(String(decoding: RawJSON.compact(line[c.span]), as: UTF8.self))")
            }
            guard let a = fields["args"] else {
                throw BatchRefusal(exit: .invalidInput, message: "line \(lineNumber): args: is required: an object of flags (for plan, the planner input)")
            }
            guard case .object(let argMembers) = a.value else {
                throw BatchRefusal(exit: .invalidInput, message: "line \(lineNumber): args: must be an object (for plan, the planner input); got \(RawJSON.kind(a.value))")
            }
            let invocation: Invocation
            if command == "plan" {
                invocation = Dosecalc.invoke(["plan", "--input", "-", "--json"], standardInput: Data(line[a.span]))
            } else {
                let argSpans = RawJSON.memberValueSpans(line, objectAt: a.span.lowerBound)
                guard argSpans.count == argMembers.count else { throw RawScanMismatch() }
                let argv = try arguments(command: command, members: argMembers, spans: argSpans, line: line, lineNumber: lineNumber)
                invocation = Dosecalc.invoke(argv)
            }
            return output(invocation, id: id)
        } catch let r as BatchRefusal {
            return errorLine(id: id, exit: r.exit.rawValue, message: "dosecalc: error: " + ErrorLine.oneLine(r.message))
        } catch {
            return errorLine(id: id, exit: DosecalcExit.internalFailure.rawValue,
                             message: "dosecalc: error: " + ErrorLine.oneLine("batch: internal error (\(error)) at line \(lineNumber); please report this with the line"))
        }
    }

    /// The argument list of the single command for `args` (not `plan`): ["y90", "--device", "glass", …, "--json"].
    static func arguments(command: String, members: [JSONMember], spans: [Range<Int>], line: [UInt8], lineNumber: Int) throws -> [String] {
        var argv = [command]
        for (m, span) in zip(members, spans) {
            let key = m.key
            let flag = "--" + key
            guard !key.isEmpty, key.utf8.first != UInt8(ascii: "-"),
                  key.utf8.allSatisfy({ ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }) else {
                throw BatchRefusal(exit: .usage, message: "line \(lineNumber): args: \(quotedForMessage(key)) is not a flag name; write the flag without its leading dashes, in lower case, e.g. \"lung-shunt\"")
            }
            if key == "json" {
                guard m.value == .bool(true) else {
                    throw BatchRefusal(exit: .usage, message: "line \(lineNumber): --json: dosecalc batch always writes JSON: leave it out, or give true")
                }
                continue   // implied; added once at the end
            }
            if let why = refusedFlag(key, command: command) {
                throw BatchRefusal(exit: .usage, message: "line \(lineNumber): \(flag): \(why)")
            }
            switch m.value {
            case .bool(true):
                argv.append(flag)
            case .bool(false):
                throw BatchRefusal(exit: .invalidInput, message: "line \(lineNumber): args.\(key): false is not a flag value; give true for a switch, or leave the flag out")
            case .null:
                throw BatchRefusal(exit: .invalidInput, message: "line \(lineNumber): args.\(key): null is not a flag value; give a number or a string, or leave the flag out")
            case .object:
                throw BatchRefusal(exit: .invalidInput, message: "line \(lineNumber): args.\(key): an object is not a flag value; give a number, a string, true for a switch, or a list")
            case .number:
                argv += [flag, String(decoding: RawJSON.compact(line[span]), as: UTF8.self)]
            case .string(let s):
                argv += [flag, s]
            case .array(let items):
                let itemSpans = RawJSON.elementSpans(line, arrayAt: span.lowerBound)
                var texts: [String] = []
                for (item, itemSpan) in zip(items, itemSpans) {
                    switch item {
                    case .number: texts.append(String(decoding: RawJSON.compact(line[itemSpan]), as: UTF8.self))
                    case .string(let s) where !s.contains(","): texts.append(s)
                    default:
                        throw BatchRefusal(exit: .invalidInput, message: "line \(lineNumber): args.\(key): a list takes numbers, or strings without commas; item \(texts.count + 1) is \(RawJSON.kind(item))")
                    }
                }
                argv += [flag, texts.joined(separator: ",")]
            }
        }
        argv.append("--json")
        return argv
    }

    /// The output line of a finished invocation.
    static func output(_ inv: Invocation, id: [UInt8]) -> BatchLineResult {
        let code = inv.exitCode
        guard code == DosecalcExit.ok.rawValue || code == DosecalcExit.contraindicatedOrInfeasible.rawValue else {
            let message = inv.stderr.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init)
                ?? "dosecalc: error: the command failed with exit code \(code) and no message; please report this with the line"
            return errorLine(id: id, exit: code, message: message)
        }
        let result = RawJSON.compact(ArraySlice(inv.stdout.utf8))
        guard case .object(let members)? = try? JSONValue.parse(Data(result)),
              case .string(let statusText)? = members.first(where: { $0.key == "status" })?.value,
              let status = Status(rawValue: statusText) else {
            return errorLine(id: id, exit: DosecalcExit.internalFailure.rawValue,
                             message: "dosecalc: error: batch: the command printed no JSON result with a status; please report this with the line")
        }
        var out: [UInt8] = []
        out.reserveCapacity(result.count + id.count + 40)
        out += Array("{\"id\":".utf8); out += id
        out += Array(",\"exitCode\":\(code),\"result\":".utf8); out += result
        out += Array("}\n".utf8)
        return BatchLineResult(bytes: out, category: BatchCounts.Category(status))
    }

    static func errorLine(id: [UInt8], exit: Int32, message: String) -> BatchLineResult {
        var out: [UInt8] = Array("{\"id\":".utf8)
        out += id
        out += Array(",\"exitCode\":\(exit),\"error\":{\"message\":".utf8)
        JSONValue.string(message).serialized().withUnsafeBytes { out += $0 }
        out += Array("}}\n".utf8)
        return BatchLineResult(bytes: out, category: .invalid)
    }
}

// MARK: - Raw JSON text

/// Positions in the bytes of a document that `JSONValue.parse` has already accepted: the exact text
/// of a value (a number as written, the id as written), which the parsed tree does not keep.
enum RawJSON {
    static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    static func skipWhitespace(_ s: [UInt8], _ i: Int) -> Int {
        var i = i
        while i < s.count, isWhitespace(s[i]) { i += 1 }
        return i
    }

    /// The index just after the string that opens at `i`.
    static func skipString(_ s: [UInt8], _ i: Int) -> Int {
        var i = i + 1
        while i < s.count {
            if s[i] == UInt8(ascii: "\\") { i += 2; continue }
            if s[i] == UInt8(ascii: "\"") { return i + 1 }
            i += 1
        }
        return i
    }

    /// The index just after the value that starts at `i`.
    static func skipValue(_ s: [UInt8], _ i: Int) -> Int {
        guard i < s.count else { return i }
        switch s[i] {
        case UInt8(ascii: "\""): return skipString(s, i)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var j = i
            while j < s.count {
                switch s[j] {
                case UInt8(ascii: "\""): j = skipString(s, j); continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return j + 1 }
                default: break
                }
                j += 1
            }
            return j
        default:
            var j = i
            while j < s.count, !isWhitespace(s[j]), s[j] != UInt8(ascii: ","), s[j] != UInt8(ascii: "}"), s[j] != UInt8(ascii: "]") { j += 1 }
            return j
        }
    }

    /// The spans of the member values of the object that opens at `start`, in order.
    static func memberValueSpans(_ s: [UInt8], objectAt start: Int) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var i = skipWhitespace(s, start + 1)
        while i < s.count, s[i] != UInt8(ascii: "}") {
            i = skipString(s, i)                        // the key
            i = skipWhitespace(s, i) + 1                // ':'
            let v = skipWhitespace(s, i)
            let end = skipValue(s, v)
            spans.append(v..<end)
            i = skipWhitespace(s, end)
            if i < s.count, s[i] == UInt8(ascii: ",") { i = skipWhitespace(s, i + 1) }
        }
        return spans
    }

    /// The spans of the elements of the array that opens at `start`, in order.
    static func elementSpans(_ s: [UInt8], arrayAt start: Int) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var i = skipWhitespace(s, start + 1)
        while i < s.count, s[i] != UInt8(ascii: "]") {
            let end = skipValue(s, i)
            spans.append(i..<end)
            i = skipWhitespace(s, end)
            if i < s.count, s[i] == UInt8(ascii: ",") { i = skipWhitespace(s, i + 1) }
        }
        return spans
    }

    /// JSON text without its insignificant whitespace (outside strings); every key, string and
    /// number stays byte for byte as it was.
    static func compact(_ s: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var inString = false
        var escaped = false
        for b in s {
            if inString {
                out.append(b)
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else if !isWhitespace(b) {
                out.append(b)
                if b == UInt8(ascii: "\"") { inString = true }
            }
        }
        return out
    }

    /// A JSON value's kind in words, for messages.
    static func kind(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "true or false"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}

// MARK: - Counts

/// The summary: results by status, errors as invalid.
struct BatchCounts {
    enum Category: Int, CaseIterable, Sendable {
        case ok, warning, contraindicated, infeasible, invalid

        init(_ s: Status) {
            switch s {
            case .ok: self = .ok
            case .warning: self = .warning
            case .contraindicated: self = .contraindicated
            case .infeasible: self = .infeasible
            }
        }

        var words: String {
            switch self {
            case .ok: return "ok"
            case .warning: return "warning"
            case .contraindicated: return "contraindicated"
            case .infeasible: return "infeasible"
            case .invalid: return "invalid"
            }
        }
    }

    var counts = [Int](repeating: 0, count: Category.allCases.count)
    var total: Int { counts.reduce(0, +) }

    mutating func add(_ c: Category) { counts[c.rawValue] += 1 }

    /// "N ok, N warning, N contraindicated, N infeasible, N invalid".
    var summary: String { Category.allCases.map { "\(counts[$0.rawValue]) \($0.words)" }.joined(separator: ", ") }
}

// MARK: - Input and output

/// The input: an open file descriptor, its name for messages, and its size when it is a regular file.
final class BatchInput: @unchecked Sendable {
    let fd: Int32
    let name: String
    let size: Int?
    private let owned: Bool

    private init(fd: Int32, name: String, size: Int?, owned: Bool) {
        self.fd = fd; self.name = name; self.size = size; self.owned = owned
    }

    static func opening(_ path: String?) throws -> BatchInput {
        guard let path, path != "-" else {
            return BatchInput(fd: 0, name: "standard input", size: regularFileSize(0), owned: false)
        }
        guard !path.isEmpty else { throw InputError(field: "--input", "is empty; give a JSON Lines file, or - for standard input") }
        let fd = systemOpen(path)
        guard fd >= 0 else {
            throw InputError(field: "--input", "cannot read \(quotedForMessage(path)): \(BatchIO.errorText(errno)); give a JSON Lines file, or - for standard input")
        }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            systemClose(fd)
            throw InputError(field: "--input", "cannot read \(quotedForMessage(path)): it is a folder; give a JSON Lines file, or - for standard input")
        }
        return BatchInput(fd: fd, name: path, size: regularFileSize(fd), owned: true)
    }

    static func regularFileSize(_ fd: Int32) -> Int? {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    func closeIfOwned() { if owned { systemClose(fd) } }

    /// Calls `line` for every line (without its "\n"; a last line without one counts too), with its
    /// 1-based number and the offset in the input just after it; a line longer than `maximum` bytes is
    /// passed as nil and never kept whole. Stops when `line` returns false.
    func forEachLine(maximum: Int, _ line: (_ number: Int, _ bytes: [UInt8]?, _ endOffset: Int) -> Bool) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var pending: [UInt8] = []
        var overlong = false
        var number = 0
        var total = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(field: "--input", "cannot read \(name == "standard input" ? name : quotedForMessage(name)) after line \(number): \(BatchIO.errorText(errno))")
            }
            if n == 0 { break }
            let chunkStart = total
            total += n
            var start = 0
            while start < n {
                let newline = buffer[start..<n].firstIndex(of: UInt8(ascii: "\n"))
                let end = newline ?? n
                if !overlong {
                    if pending.count + (end - start) > maximum {
                        overlong = true
                        pending = []
                    } else {
                        pending += buffer[start..<end]
                    }
                }
                guard newline != nil else { break }
                number += 1
                let keepGoing = line(number, overlong ? nil : pending, chunkStart + end + 1)
                pending = []
                overlong = false
                if !keepGoing { return }
                start = end + 1
            }
        }
        if !pending.isEmpty || overlong {
            number += 1
            _ = line(number, overlong ? nil : pending, total)
        }
    }
}

// The system calls, at file scope so that no method name shadows them.
private func systemOpen(_ path: String) -> Int32 { open(path, O_RDONLY | O_CLOEXEC) }
private func systemClose(_ fd: Int32) { _ = close(fd) }
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }

enum BatchIO {
    /// Writes every byte to `fd`; returns the errno of a failure, or nil.
    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return nil
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}

// MARK: - The pipeline

/// Reader → workers → in-order writer, with a bounded window of requests in flight.
final class BatchRunner: @unchecked Sendable {
    let source: BatchInput
    let workers: Int
    /// At most this many requests read but not yet written…
    let window: Int
    /// …and at most this many bytes of their lines (one line alone may exceed it).
    let windowBytes = 64 << 20

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var queue: [(sequence: Int, line: Int, bytes: [UInt8]?, endOffset: Int)] = []
    private var queueHead = 0
    private var results: [Int: (result: BatchLineResult, endOffset: Int)] = [:]
    private var inFlight = 0
    private var inFlightBytes = 0
    private var sequences = 0
    private var inputFinished = false
    private var readError: (any Error)?
    private var cancelled = false

    init(source: BatchInput, workers: Int) {
        self.source = source
        self.workers = workers
        self.window = max(256, 64 * workers)
    }

    /// Runs the batch; returns the counts. Throws the read error (exit 2) after writing every line read
    /// before it, or `ExitCode(73)` when standard output cannot be written.
    func run() throws -> BatchCounts {
        let group = DispatchGroup()
        for _ in 0..<workers { start(group) { self.work() } }
        start(group) { self.read() }

        var counts = BatchCounts()
        var pendingOutput: [UInt8] = []
        pendingOutput.reserveCapacity(1 << 17)
        let progress = isatty(2) == 1 ? BatchProgress(size: source.size) : nil
        var next = 0
        var writeFailure: Int32?
        while true {
            condition.lock()
            var r = results.removeValue(forKey: next)
            if r == nil && !pendingOutput.isEmpty {
                // Nothing ready: flush what is written so far before waiting.
                condition.unlock()
                if writeFailure == nil { writeFailure = BatchIO.writeAll(1, pendingOutput) }
                pendingOutput.removeAll(keepingCapacity: true)
                condition.lock()
                r = results.removeValue(forKey: next)
            }
            while r == nil && !(inputFinished && next == sequences) && writeFailure == nil {
                condition.wait()
                r = results.removeValue(forKey: next)
            }
            guard let (result, endOffset) = r, writeFailure == nil else {
                if writeFailure != nil { cancelled = true; condition.broadcast() }
                condition.unlock()
                break
            }
            inFlight -= 1
            inFlightBytes -= result.bytes.count
            condition.broadcast()
            condition.unlock()

            next += 1
            counts.add(result.category)
            pendingOutput += result.bytes
            if pendingOutput.count >= 1 << 16 {
                writeFailure = BatchIO.writeAll(1, pendingOutput)
                pendingOutput.removeAll(keepingCapacity: true)
            }
            progress?.update(done: next, inputOffset: endOffset)
        }
        if writeFailure == nil, !pendingOutput.isEmpty { writeFailure = BatchIO.writeAll(1, pendingOutput) }
        progress?.clear()
        if let e = writeFailure {
            // No wait for the threads: the reader may be blocked reading a terminal; exiting ends them.
            BatchIO.writeAll(2, Array(("dosecalc: error: " + ErrorLine.oneLine("batch: cannot write standard output: \(BatchIO.errorText(e))") + "\n").utf8))
            throw ExitCode(DosecalcExit.cannotWriteOutput.rawValue)
        }
        group.wait()
        if let e = readError { throw e }
        return counts
    }

    private func start(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let t = Thread {
            body()
            group.leave()
        }
        // The commands run on these threads as on the main thread of a single process.
        t.stackSize = 16 << 20
        t.start()
    }

    private func read() {
        do {
            try source.forEachLine(maximum: BatchRequest.maximumLineBytes) { number, bytes, endOffset in
                // Empty lines are skipped: no output, not counted.
                if let b = bytes, b.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return true }
                let size = bytes?.count ?? 0
                condition.lock()
                defer { condition.unlock() }
                while !cancelled, inFlight > 0, inFlight >= window || inFlightBytes + size > windowBytes { condition.wait() }
                if cancelled { return false }
                queue.append((sequences, number, bytes, endOffset))
                sequences += 1
                inFlight += 1
                inFlightBytes += size
                condition.broadcast()
                return true
            }
        } catch {
            condition.lock(); readError = error; condition.unlock()
        }
        condition.lock()
        inputFinished = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while queueHead == queue.count && !inputFinished && !cancelled { condition.wait() }
            if cancelled || queueHead == queue.count {
                condition.unlock()
                return
            }
            let item = queue[queueHead]
            queue[queueHead].bytes = nil
            queueHead += 1
            if queueHead >= 4096 && queueHead * 2 >= queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            condition.unlock()

            let result: BatchLineResult
            if let bytes = item.bytes {
                result = BatchRequest.process(bytes, lineNumber: item.line)
            } else {
                result = BatchRequest.errorLine(id: Array("null".utf8), exit: DosecalcExit.invalidInput.rawValue,
                                                message: "dosecalc: error: line \(item.line): is longer than 16 MiB; a request must fit on one line of at most 16 MiB")
            }
            condition.lock()
            // The window counts a request's bytes by its output line from now on.
            inFlightBytes += result.bytes.count - (item.bytes?.count ?? 0)
            results[item.sequence] = (result, item.endOffset)
            condition.broadcast()
            condition.unlock()
        }
    }
}

/// The progress line on standard error (only when it is a terminal): requests answered, their rate,
/// and, when the input is a regular file, the share of it whose answers are written.
final class BatchProgress {
    let size: Int?
    let started = Date()
    var lastDrawn = Date.distantPast

    init(size: Int?) { self.size = size }

    func update(done: Int, inputOffset: Int) {
        let now = Date()
        guard now.timeIntervalSince(lastDrawn) >= 0.2 else { return }
        lastDrawn = now
        let seconds = max(now.timeIntervalSince(started), 1e-3)
        var line = "\r\u{1B}[2Kdosecalc batch: \(done) requests, \(Int((Double(done) / seconds).rounded())) per second"
        if let size, size > 0 {
            let fraction = min(1, Double(inputOffset) / Double(size))
            let width = 30
            let filled = Int((fraction * Double(width)).rounded(.down))
            line = "\r\u{1B}[2K[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                + "\(Int((100 * fraction).rounded(.down))) %, \(done) requests, \(Int((Double(done) / seconds).rounded())) per second"
        }
        BatchIO.writeAll(2, Array(line.utf8))
    }

    func clear() {
        if lastDrawn != .distantPast { BatchIO.writeAll(2, Array("\r\u{1B}[2K".utf8)) }
    }
}
