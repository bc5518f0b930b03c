import Foundation
import GRDB
import LoyaltyDomain

/// The dry run of a member import: decides every row as the import will, against the database
/// and the rows checked before it, without writing to the database. `member import` runs it over
/// the whole file first, so that a file with a bad line changes nothing (all or nothing), while the
/// import itself still writes in short batches beside the running daemon.
///
/// The cards and phones the file would add are kept in a scratch SQLite file in a temporary
/// directory, not in memory, so checking a million rows takes no more memory than checking ten.
public final class MemberImportCheck {
    /// Owners of keys added by the file are written as this prefix and the line that creates them.
    static let newMemberPrefix = "line "

    private let store: LoyaltyStore
    private let directory: String
    private let scratch: DatabaseQueue
    private var group = MemberImportGroup()

    public init(store: LoyaltyStore) throws {
        self.store = store
        var template = Array("\(NSTemporaryDirectory())/loyaltyd-import.XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        directory = String(cString: created)
        var configuration = Configuration()
        configuration.label = "loyaltyd-import-check"
        scratch = try DatabaseQueue(path: "\(directory)/keys.sqlite", configuration: configuration)
        try scratch.writeWithoutTransaction { db in
            try db.execute(sql: """
                PRAGMA journal_mode = OFF;
                PRAGMA synchronous = OFF;
                CREATE TABLE keys (key TEXT PRIMARY KEY NOT NULL, owner TEXT NOT NULL) WITHOUT ROWID;
                """)
        }
    }

    deinit {
        try? scratch.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What the import would do with each row, in order; rows are checked after those of earlier calls.
    public func check(_ rows: [MemberImportRow]) throws -> [MemberImportOutcome] {
        var outcomes: [MemberImportOutcome] = []
        outcomes.reserveCapacity(rows.count)
        try store.pool.read { main in
            try scratch.inTransaction { keys in
                let directory = Overlay(main: main, keys: keys)
                for row in rows {
                    switch try LoyaltyStore.decide(row, after: group, in: directory) {
                    case .conflict(let why):
                        outcomes.append(.invalid(why))
                        group = MemberImportGroup(key: row.groupKey, owner: nil)
                    case .create:
                        let owner = Self.newMemberPrefix + String(row.line)
                        try directory.record(Overlay.key(row.carrier!), owner: owner)
                        if let phone = row.phone { try directory.record(Overlay.key(phone: phone), owner: owner) }
                        outcomes.append(.created)
                        group = MemberImportGroup(key: row.groupKey, owner: owner)
                    case .link(let owner):
                        try directory.record(Overlay.key(row.card!), owner: owner)
                        outcomes.append(.linked)
                        group = MemberImportGroup(key: row.groupKey, owner: owner)
                    case .existing(let owner):
                        outcomes.append(.unchanged)
                        group = MemberImportGroup(key: row.groupKey, owner: owner)
                    }
                }
                return .commit
            }
        }
        return outcomes
    }

    /// The database as it is, overlaid with what the rows checked so far would add.
    private struct Overlay: ImportDirectory {
        let main: Database
        let keys: Database

        static func key(_ carrier: Carrier) -> String {
            carrier.kind == .phone ? key(phone: carrier.value) : "\(carrier.kind.rawValue):\(carrier.value)"
        }

        static func key(phone: String) -> String { "phone:\(phone)" }

        func owner(of carrier: Carrier) throws -> String? {
            if let owner = try keys.cachedValue(String.self, sql: "SELECT owner FROM keys WHERE key = ?", arguments: [Self.key(carrier)]) {
                return owner
            }
            return try LoyaltyStore.owner(of: carrier, in: main)
        }

        func owner(ofPhone phone: String) throws -> String? {
            if let owner = try keys.cachedValue(String.self, sql: "SELECT owner FROM keys WHERE key = ?", arguments: [Self.key(phone: phone)]) {
                return owner
            }
            return try LoyaltyStore.owner(ofPhone: phone, in: main)
        }

        func record(_ key: String, owner: String) throws {
            try keys.cachedExecute(sql: "INSERT OR IGNORE INTO keys (key, owner) VALUES (?, ?)", arguments: [key, owner])
        }
    }
}
