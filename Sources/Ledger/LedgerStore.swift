// SPDX-License-Identifier: GPL-3.0-or-later
import ClinicalPolicy
import DosecalcCore
import Radioembolization
import Foundation
import GRDB
import Planning
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A treatment ledger file that cannot be read or written for a reason outside the ledger itself:
/// locked by another program for longer than the busy timeout, read-only, a full disk, an
/// input/output error. Its description is one line naming the file.
public struct LedgerAccessError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "treatment ledger \(LedgerStore.quoted(path)): \(message)" }
}

/// The treatment ledger: one SQLite file (through GRDB) holding every treatment recorded with
/// `dosecalc ledger add`, read back as the planner's prior treatments.
///
/// - The file carries the dosecalc marker `PRAGMA application_id` = 0x44434C47 ("DCLG"); its schema
///   is versioned by GRDB's `DatabaseMigrator` ("v1", …).
/// - A file that is not a SQLite database, a SQLite database that is not a dosecalc ledger (another
///   application id, or tables a ledger does not have) and a damaged file are refused with a
///   `DataFileError`; a missing file is refused (`InputError`) unless `create` is true.
/// - Every `add` is one `BEGIN IMMEDIATE` transaction: the duplicate check and the insert are
///   atomic, and a failure anywhere leaves the file as it was. Several processes may add at once:
///   each waits for the others (busy timeout `busyTimeoutSeconds`).
public struct LedgerStore: Sendable {
    /// The path of the ledger file, as given.
    public let path: String
    /// The flag or field that named the file, for messages ("--db", "--ledger").
    public let field: String
    let queue: DatabaseQueue

    /// "DCLG": marks a SQLite file as a dosecalc treatment ledger.
    public static let applicationID: Int32 = 0x4443_4C47
    /// How long a writer waits for another process that holds the ledger's lock.
    public static let busyTimeoutSeconds: TimeInterval = 15

    /// Schema objects (tables, indexes, triggers, views) of every schema version this dosecalc knows.
    static let knownObjects: Set<String> = ["grdb_migrations", "treatment", "treatment_by_patient", "treatment_same_plan"]

    /// The schema, version by version. A migration is never edited once released: a change is a new one.
    static let migrator: DatabaseMigrator = {
        var m = DatabaseMigrator()
        // Migration v1 is frozen: its CHECK bounds (lung dose 0–200 Gy = PlausibleInputs.priorLungDoseGy,
        // doxorubicin up to 2000 mg) change only through a new migration.
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE treatment (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    patient_id TEXT NOT NULL CHECK (length(patient_id) BETWEEN 1 AND 64),
                    kind TEXT NOT NULL CHECK (kind IN ('y90-glass', 'y90-resin', 'ho166', 'deb-tace')),
                    treatment_date TEXT NOT NULL CHECK (treatment_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
                    lung_dose_gy REAL CHECK (lung_dose_gy IS NULL OR (lung_dose_gy >= 0 AND lung_dose_gy <= 200)),
                    doxorubicin_mg REAL CHECK (doxorubicin_mg IS NULL OR (doxorubicin_mg > 0 AND doxorubicin_mg <= 2000)),
                    delivered_activity_gbq REAL CHECK (delivered_activity_gbq IS NULL OR (delivered_activity_gbq > 0 AND delivered_activity_gbq <= 50)),
                    planned_activity_gbq REAL,
                    planned_lung_dose_gy REAL,
                    planned_doxorubicin_mg REAL,
                    plan_status TEXT NOT NULL CHECK (plan_status IN ('ok', 'warning', 'infeasible', 'contraindicated')),
                    note TEXT,
                    plan_input_sha256 TEXT CHECK (plan_input_sha256 IS NULL OR length(plan_input_sha256) = 64),
                    dosecalc_version TEXT,
                    plan_calculated_at TEXT,
                    bsa_m2 REAL,
                    plan_json TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    CHECK ((kind = 'deb-tace') = (doxorubicin_mg IS NOT NULL)),
                    CHECK ((kind = 'deb-tace') = (lung_dose_gy IS NULL))
                ) STRICT
                """)
            try db.execute(sql: "CREATE INDEX treatment_by_patient ON treatment(patient_id, treatment_date, id)")
            try db.execute(sql: """
                CREATE UNIQUE INDEX treatment_same_plan ON treatment(plan_input_sha256, patient_id, treatment_date)
                WHERE plan_input_sha256 IS NOT NULL
                """)
            try db.execute(sql: "PRAGMA application_id = \(LedgerStore.applicationID)")
        }
        return m
    }()

    // MARK: Opening

    /// Opens the ledger at `path`. With `create: false` (list, show, the planner) a missing file is
    /// refused and never created; with `create: true` (add) a missing or empty file becomes a new
    /// ledger. `field` names the file in messages.
    public static func open(path: String, create: Bool, field: String = "--db") throws -> LedgerStore {
        let q = quoted(path)
        guard !path.isEmpty else { throw InputError(field: field, "is empty; give the path of the treatment ledger file") }
        var info = stat()
        if stat(path, &info) != 0 {
            let e = errno
            guard e == ENOENT else {
                if e == ENOTDIR { throw InputError(field: field, "\(q): a part of the path before the file name is not a folder") }
                throw InputError(field: field, "cannot look at \(q): \(errorText(e))")
            }
            guard create else {
                throw InputError(field: field, "there is no treatment ledger at \(q) (the file does not exist); check the path (a ledger is created by dosecalc ledger add)")
            }
            let folder = (path as NSString).deletingLastPathComponent
            var isFolder: ObjCBool = false
            if !folder.isEmpty, !(FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue) {
                throw InputError(field: field, "cannot create \(q): the folder \(quoted(folder)) does not exist")
            }
            // A new ledger holds patient identifiers: readable and writable by its owner only (SQLite gives
            // its journal the same permissions). Another process creating it at the same moment is fine.
            let fd = Foundation.open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
            if fd >= 0 { close(fd) } else if errno != EEXIST {
                throw InputError(field: field, "cannot create \(q): \(errorText(errno))")
            }
        } else {
            if info.st_mode & S_IFMT == S_IFDIR { throw InputError(field: field, "\(q) is a folder; give the path of the treatment ledger file") }
            guard info.st_mode & S_IFMT == S_IFREG else { throw InputError(field: field, "\(q) is not a regular file; give the path of the treatment ledger file") }
            if info.st_size == 0 {
                guard create else {
                    throw DataFileError(file: q, key: "", message: "the file is empty, so it is not a treatment ledger", kind: "treatment ledger")
                }
            } else {
                try checkHeader(path, field: field)
            }
        }

        var config = Configuration()
        config.busyMode = .timeout(busyTimeoutSeconds)
        config.label = "dosecalc treatment ledger"
        config.foreignKeysEnabled = true
        let store: LedgerStore
        do {
            store = LedgerStore(path: path, field: field, queue: try DatabaseQueue(path: path, configuration: config))
        } catch {
            throw translate(error, path: path, field: field)
        }
        do {
            try store.prepare(create: create)
        } catch {
            throw translate(error, path: path, field: field)
        }
        return store
    }

    /// Refuses a file whose first bytes are not SQLite's ("SQLite format 3\0"), before SQLite sees it.
    static func checkHeader(_ path: String, field: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError(field: field, "cannot read \(quoted(path)); check its permissions")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 100)) ?? Data()
        let magic = Array("SQLite format 3".utf8) + [0]
        guard head.count >= 16, Array(head.prefix(16)) == magic else {
            throw DataFileError(file: quoted(path), key: "", message: "it is not a SQLite database, so it is not a treatment ledger", kind: "treatment ledger")
        }
        guard head.count == 100 else {
            throw DataFileError(file: quoted(path), key: "", message: "it is damaged: the file is cut short inside the SQLite header; restore the ledger from a backup", kind: "treatment ledger")
        }
    }

    /// Checks the file's integrity and marker, then brings its schema up to date.
    private func prepare(create: Bool) throws {
        let q = LedgerStore.quoted(path)
        let migrator = LedgerStore.migrator
        // One read transaction: a consistent view even while another process creates the ledger.
        try queue.read { db in
            let check = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
            guard check == ["ok"] else {
                throw DataFileError(file: q, key: "", message: "it is damaged (SQLite integrity check: \(check.first.map { oneLineText($0, limit: 120) } ?? "no answer")); restore the ledger from a backup", kind: "treatment ledger")
            }
            let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            let objects = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
            if appID == LedgerStore.applicationID {
                if try migrator.hasBeenSuperseded(db) {
                    let unknown = try migrator.appliedIdentifiers(db).subtracting(try migrator.appliedMigrations(db)).sorted()
                    throw DataFileError(file: q, key: "", message: "it was written by a newer dosecalc (ledger schema \(unknown.joined(separator: ", "))); use that version or a later one", kind: "treatment ledger")
                }
                let foreign = objects.filter { !LedgerStore.knownObjects.contains($0) }
                guard foreign.isEmpty else {
                    throw DataFileError(file: q, key: "", message: "it holds tables that a treatment ledger does not have (\(LedgerStore.listed(foreign))); it may have been changed by another program", kind: "treatment ledger")
                }
                return
            }
            // A new ledger, or one that another process is creating right now (the migrator makes its
            // bookkeeping table before the first migration's transaction): nothing recorded yet.
            let creating = try objects == ["grdb_migrations"] && migrator.appliedIdentifiers(db).isEmpty
            if appID == 0 && (objects.isEmpty || creating) {
                guard create else {
                    throw DataFileError(file: q, key: "", message: "it is an empty SQLite database, not a treatment ledger", kind: "treatment ledger")
                }
                return
            }
            let what = objects.isEmpty ? "" : " (it holds \(LedgerStore.listed(objects)))"
            throw DataFileError(file: q, key: "", message: "it is a SQLite database of another program, not a dosecalc treatment ledger\(what)", kind: "treatment ledger")
        }
        do {
            try migrator.migrate(queue)
        } catch {
            // Two processes may create the same new ledger at once; the one that lost the race finds
            // the schema in place. Anything else is an error.
            guard (try? queue.read({ try migrator.hasCompletedMigrations($0) })) == true else {
                if let e = error as? DatabaseError, e.resultCode == .SQLITE_ERROR {
                    throw DataFileError(file: q, key: "", message: "its tables cannot be brought to the current ledger schema (SQLite: \(oneLineText(e.message ?? "error", limit: 120))); it may have been changed by another program", kind: "treatment ledger")
                }
                throw error
            }
        }
        let id = try queue.read { try Int32.fetchOne($0, sql: "PRAGMA application_id") ?? 0 }
        guard id == LedgerStore.applicationID else {
            throw DataFileError(file: q, key: "", message: "it does not carry the dosecalc ledger marker after its schema was set up", kind: "treatment ledger")
        }
    }

    // MARK: Recording

    /// Records one treatment in its own transaction and returns the stored entry. The same plan
    /// (same plan input SHA-256, or the same plan text when the plan has none) for the same patient
    /// on the same date is refused (`InputError` on `--from`), so nothing is counted twice.
    @discardableResult
    public func add(_ treatment: NewTreatment, now: Date = Date()) throws -> LedgerEntry {
        try add(treatment, now: now, testOnlyBeforeCommit: nil)
    }

    /// `add` with a hook that runs after the insert statement and before the commit, for the tests
    /// that show that a failure (or a crash) there leaves the ledger as it was. Not reachable from
    /// the command line: the CLI does not import this SPI.
    @_spi(LedgerTesting)
    @discardableResult
    public func add(_ treatment: NewTreatment, now: Date, testOnlyBeforeCommit: (() throws -> Void)?) throws -> LedgerEntry {
        try LedgerStore.validate(treatment)
        let t = treatment
        let recordedAt = Timestamp.format(now, offsetSeconds: 0)
        do {
            return try queue.writeWithoutTransaction { db -> LedgerEntry in
                var entry: LedgerEntry?
                try db.inTransaction(.immediate) {
                    if let previous = try Row.fetchOne(db, sql: """
                        SELECT id, recorded_at FROM treatment
                        WHERE patient_id = ? AND treatment_date = ?
                          AND (plan_input_sha256 = ? OR (plan_input_sha256 IS NULL AND ? IS NULL AND plan_json = ?))
                        ORDER BY id LIMIT 1
                        """, arguments: [t.patientID, t.date, t.plan.inputSha256, t.plan.inputSha256, t.plan.text]) {
                        let id: Int64 = try previous.decode(forColumn: "id")
                        let at: String = try previous.decode(forColumn: "recorded_at")
                        throw InputError(field: PlanRecord.flag, "\(PlanRecord.quoted(t.plan.file)): this plan is already recorded for patient \(quotedForMessage(t.patientID, limit: 64)) on \(t.date) (ledger entry \(id), recorded \(at)); the same plan is not recorded twice")
                    }
                    try db.execute(sql: """
                        INSERT INTO treatment (patient_id, kind, treatment_date, lung_dose_gy, doxorubicin_mg, delivered_activity_gbq,
                            planned_activity_gbq, planned_lung_dose_gy, planned_doxorubicin_mg, plan_status, note,
                            plan_input_sha256, dosecalc_version, plan_calculated_at, bsa_m2, plan_json, recorded_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [t.patientID, t.kind.rawValue, t.date, t.lungDoseGy, t.doxorubicinMg, t.deliveredActivityGBq,
                                         t.plan.plannedActivityGBq, t.plan.plannedLungDoseGy, t.plan.plannedDoxorubicinMg,
                                         t.plan.status.rawValue, t.note, t.plan.inputSha256, t.plan.dosecalcVersion,
                                         t.plan.calculatedAt, t.plan.bsaM2, t.plan.text, recordedAt])
                    let id = db.lastInsertedRowID
                    try testOnlyBeforeCommit?()
                    guard let row = try Row.fetchOne(db, sql: "SELECT * FROM treatment WHERE id = ?", arguments: [id]) else {
                        throw DataFileError(file: LedgerStore.quoted(path), key: "treatment", message: "the entry just written cannot be read back", kind: "treatment ledger")
                    }
                    entry = try LedgerStore.entry(row, path: path)
                    return .commit
                }
                return entry!
            }
        } catch {
            throw LedgerStore.translate(error, path: path, field: field)
        }
    }

    /// Checks a treatment before it is written (a `NewTreatment` may have been built by hand).
    static func validate(_ t: NewTreatment) throws {
        try checkPatientID(t.patientID, field: PlanRecord.flag, what: "the plan's patientId")
        guard [.y90Glass, .y90Resin, .ho166, .debTace].contains(t.kind) else {
            throw InputError(field: PlanRecord.flag, "a \(LedgerWords.kind(t.kind)) treatment cannot be recorded from a plan")
        }
        guard t.date.utf8.count == 10, (try? LedgerDate.parse(t.date, field: "--date")) == t.date else {
            throw InputError(field: "--date", "must be a date such as 2026-11-30; got \(quotedForMessage(t.date))")
        }
        if t.kind == .debTace {
            guard t.lungDoseGy == nil, let d = t.doxorubicinMg else {
                throw InputError(field: DeliveredDoxorubicin.flag, "a DEB-TACE treatment records a doxorubicin dose and no lung dose")
            }
            try PlausibleRange(0, 2000, "mg", includesLower: false).check(d, field: DeliveredDoxorubicin.flag)
        } else {
            guard t.doxorubicinMg == nil, let l = t.lungDoseGy else {
                throw InputError(field: PlanRecord.flag, "a radioembolization records a lung dose and no doxorubicin dose")
            }
            try PlausibleInputs.priorLungDoseGy.check(l, field: PlanRecord.flag)
        }
        if let a = t.deliveredActivityGBq {
            _ = try DeliveredActivity(a, .gbq)
        }
    }

    // MARK: Reading

    /// Every treatment of one patient, by date (then in the order recorded).
    public func treatments(patientID: String) throws -> [LedgerEntry] {
        try fetch("SELECT * FROM treatment WHERE patient_id = ? ORDER BY treatment_date, id", [patientID])
    }

    /// Every treatment in the ledger, by patient, then date.
    public func allTreatments() throws -> [LedgerEntry] {
        try fetch("SELECT * FROM treatment ORDER BY patient_id, treatment_date, id", [])
    }

    /// The number of treatments recorded.
    public func count() throws -> Int {
        do { return try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM treatment") ?? 0 } } catch {
            throw LedgerStore.translate(error, path: path, field: field)
        }
    }

    /// One patient's treatments as the planner's prior treatments (kind, date, lung dose, doxorubicin).
    public func priorTreatments(patientID: String) throws -> [PlanInput.PriorTreatment] {
        try treatments(patientID: patientID).map { try $0.priorTreatment() }
    }

    /// The planner's rule for an input that lists prior treatments too; see `PriorTreatments.merge`.
    public static func merge(input: PlanInput, ledger: [PlanInput.PriorTreatment]) throws -> PlanInput {
        try PriorTreatments.merge(input: input, ledger: ledger)
    }

    private func fetch(_ sql: String, _ arguments: StatementArguments) throws -> [LedgerEntry] {
        do {
            let rows = try queue.read { try Row.fetchAll($0, sql: sql, arguments: arguments) }
            return try rows.map { try LedgerStore.entry($0, path: path) }
        } catch {
            throw LedgerStore.translate(error, path: path, field: field)
        }
    }

    static func entry(_ row: Row, path: String) throws -> LedgerEntry {
        let q = quoted(path)
        do {
            let id: Int64 = try row.decode(forColumn: "id")
            let kindText: String = try row.decode(forColumn: "kind")
            guard let kind = PriorTreatmentKind(rawValue: kindText) else {
                throw DataFileError(file: q, key: "treatment \(id).kind", message: "unknown treatment kind \(quotedForMessage(kindText))", kind: "treatment ledger")
            }
            let statusText: String = try row.decode(forColumn: "plan_status")
            guard let status = Status(rawValue: statusText) else {
                throw DataFileError(file: q, key: "treatment \(id).plan_status", message: "unknown plan status \(quotedForMessage(statusText))", kind: "treatment ledger")
            }
            let e = LedgerEntry(
                id: id, patientID: try row.decode(forColumn: "patient_id"), kind: kind, date: try row.decode(forColumn: "treatment_date"),
                lungDoseGy: try row.decode(forColumn: "lung_dose_gy"), doxorubicinMg: try row.decode(forColumn: "doxorubicin_mg"),
                deliveredActivityGBq: try row.decode(forColumn: "delivered_activity_gbq"),
                plannedActivityGBq: try row.decode(forColumn: "planned_activity_gbq"),
                plannedLungDoseGy: try row.decode(forColumn: "planned_lung_dose_gy"),
                plannedDoxorubicinMg: try row.decode(forColumn: "planned_doxorubicin_mg"),
                planStatus: status, note: try row.decode(forColumn: "note"),
                planInputSha256: try row.decode(forColumn: "plan_input_sha256"), dosecalcVersion: try row.decode(forColumn: "dosecalc_version"),
                planCalculatedAt: try row.decode(forColumn: "plan_calculated_at"), bsaM2: try row.decode(forColumn: "bsa_m2"),
                planJSON: try row.decode(forColumn: "plan_json"), recordedAt: try row.decode(forColumn: "recorded_at"))
            for v in [e.lungDoseGy, e.doxorubicinMg, e.deliveredActivityGBq] {
                if let v, !v.isFinite || v < 0 {
                    throw DataFileError(file: q, key: "treatment \(id)", message: "holds a dose that is not a finite number ≥ 0", kind: "treatment ledger")
                }
            }
            return e
        } catch let e as DataFileError {
            throw e
        } catch {
            throw DataFileError(file: q, key: "treatment", message: "a row cannot be read (\(oneLineText("\(error)", limit: 160)))", kind: "treatment ledger")
        }
    }

    // MARK: Errors

    /// Every error leaves as an `InputError`, a `DataFileError` or a `LedgerAccessError`.
    static func translate(_ error: any Error, path: String, field: String) -> any Error {
        if error is InputError || error is DataFileError || error is LedgerAccessError { return error }
        let q = quoted(path)
        guard let e = error as? DatabaseError else {
            return LedgerAccessError(path: path, message: oneLineText("\(error)", limit: 200))
        }
        let sqlite = e.message.map { " (SQLite: \(oneLineText($0, limit: 120)))" } ?? ""
        switch e.resultCode {
        case .SQLITE_NOTADB:
            return DataFileError(file: q, key: "", message: "it is not a SQLite database, so it is not a treatment ledger", kind: "treatment ledger")
        case .SQLITE_CORRUPT:
            return DataFileError(file: q, key: "", message: "it is damaged\(sqlite); restore the ledger from a backup", kind: "treatment ledger")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return LedgerAccessError(path: path, message: "another program kept it locked for more than \(Int(busyTimeoutSeconds)) s; nothing was changed; try again")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return LedgerAccessError(path: path, message: "it cannot be written (read-only file or folder)\(sqlite); nothing was changed")
        case .SQLITE_CANTOPEN:
            return LedgerAccessError(path: path, message: "it cannot be opened\(sqlite); check the path and its permissions")
        case .SQLITE_FULL:
            return LedgerAccessError(path: path, message: "the disk is full; nothing was changed")
        case .SQLITE_IOERR:
            return LedgerAccessError(path: path, message: "an input/output error occurred\(sqlite); nothing was changed")
        case .SQLITE_CONSTRAINT:
            return DataFileError(file: q, key: "treatment", message: "a stored value breaks the ledger's rules\(sqlite)", kind: "treatment ledger")
        default:
            return LedgerAccessError(path: path, message: "SQLite failed\(sqlite)")
        }
    }

    static func quoted(_ path: String) -> String { quotedForMessage(path, limit: 200) }

    static func listed(_ names: [String]) -> String {
        let shown = names.prefix(5).map { quotedForMessage($0, limit: 40) }.joined(separator: ", ")
        return names.count > 5 ? shown + " and \(names.count - 5) more" : shown
    }

    static func errorText(_ code: Int32) -> String {
        guard let s = strerror(code) else { return "error \(code)" }
        return String(cString: s)
    }
}
