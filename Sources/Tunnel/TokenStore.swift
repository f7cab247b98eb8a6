import Crypto
import Foundation
import GRDB
import NIOConcurrencyHelpers
import NIOCore

/// The relay's durable state in `relay.sqlite`: agent tokens (only their
/// SHA-256 hashes) and the names each token reserved.
///
/// Names are reserved for good by the token that first got them, so an agent
/// finds its URL again after a reconnect or a relay restart, and no other token
/// can take it.
///
/// ```swift
/// let store = try TokenStore(path: home.appendingPathComponent("relay.sqlite").path)
/// let token = try store.create(name: "laptop")          // shown once
/// let id = try store.authenticate(token)                // nil when unknown
/// let name = try store.assignName(tokenID: id!, requested: "my-app")
/// ```
public final class TokenStore: Sendable {
    /// A token as `list` shows it: never the secret, only its label and names.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let created: Date
        public let reservedNames: [String]
    }

    private let queue: DatabaseQueue
    /// The reserved names as last read, and when: ``isReserved(_:)`` answers
    /// from it for up to ``reservedNamesMaxAge``, so the relay's 404/502
    /// pages cost no database read each (a blocking read on an event loop, and
    /// most of the CPU such a request took), however fast they are asked for.
    private let reservedNames = NIOLockedValueBox<(names: Set<String>, readAt: NIODeadline)?>(nil)
    /// How stale the reserved names may be: a token revoked by `postern relay
    /// token revoke` (another process) turns its names' 502 into 404 this much later.
    static let reservedNamesMaxAge = TimeAmount.seconds(1)
    /// How many times the reserved names were read from the database (tests check the cache with it).
    let reservedNameReads = NIOLockedValueBox(0)

    /// Opens (and creates or migrates) the store at `path`.
    public init(path: String) throws {
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch {
            throw TunnelError.database("Cannot open the relay database \(path): \(error). Check that the folder is writable, or pass another one with --home.")
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE token (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    hash TEXT NOT NULL UNIQUE,
                    created REAL NOT NULL
                );
                CREATE TABLE reservedName (
                    name TEXT PRIMARY KEY,
                    tokenID INTEGER NOT NULL REFERENCES token(id) ON DELETE CASCADE,
                    created REAL NOT NULL
                );
                CREATE INDEX reservedName_token ON reservedName(tokenID);
                """)
        }
        return migrator
    }

    /// The hex SHA-256 of a token: what the relay keeps instead of the token.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A new random token: `pt_` and 43 base64url characters (256 bits).
    static func generateToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "pt_" + text
    }

    /// Creates a token labelled `name` and returns the secret (the only time it exists in clear).
    public func create(name: String) throws -> String {
        let label = name.trimmingCharacters(in: .whitespaces)
        guard !label.isEmpty, label.count <= 64, !label.contains(where: { $0.isNewline }) else {
            throw TunnelError.badInput("A token name must be 1 to 64 characters on one line, e.g. `laptop`.")
        }
        let token = Self.generateToken()
        do {
            try queue.write { db in
                if try Int.fetchOne(db, sql: "SELECT id FROM token WHERE name = ?", arguments: [label]) != nil {
                    throw TunnelError.badInput("A token named \(label) exists already; pick another name or revoke it with `postern relay token revoke \(label)`.")
                }
                try db.execute(sql: "INSERT INTO token (name, hash, created) VALUES (?, ?, ?)",
                               arguments: [label, Self.hash(token), Date().timeIntervalSince1970])
            }
        } catch let error as TunnelError {
            throw error
        } catch {
            throw TunnelError.database("Cannot save the token: \(error).")
        }
        return token
    }

    /// All tokens, oldest first, with their reserved names.
    public func list() throws -> [Entry] {
        do {
            return try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT id, name, created FROM token ORDER BY id").map { row in
                    let id: Int64 = row["id"]
                    let names = try String.fetchAll(db, sql: "SELECT name FROM reservedName WHERE tokenID = ? ORDER BY created, name", arguments: [id])
                    return Entry(name: row["name"], created: Date(timeIntervalSince1970: row["created"]), reservedNames: names)
                }
            }
        } catch {
            throw TunnelError.database("Cannot read the tokens: \(error).")
        }
    }

    /// Deletes the token labelled `name` and frees its names; `false` when there was none.
    @discardableResult
    public func revoke(name: String) throws -> Bool {
        do {
            defer { reservedNames.withLockedValue { $0 = nil } }
            return try queue.write { db in
                guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM token WHERE name = ?", arguments: [name]) else { return false }
                try db.execute(sql: "DELETE FROM reservedName WHERE tokenID = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM token WHERE id = ?", arguments: [id])
                return true
            }
        } catch {
            throw TunnelError.database("Cannot revoke the token: \(error).")
        }
    }

    /// The id of the token whose hash matches, or `nil`.
    public func authenticate(_ token: String) throws -> Int64? {
        do {
            return try queue.read { db in
                try Int64.fetchOne(db, sql: "SELECT id FROM token WHERE hash = ?", arguments: [Self.hash(token)])
            }
        } catch {
            throw TunnelError.database("Cannot read the tokens: \(error).")
        }
    }

    /// Whether some token reserved `name` (its agent is then only away: 502, not 404).
    public func isReserved(_ name: String) -> Bool {
        let now = NIODeadline.now()
        if let cached = reservedNames.withLockedValue({ $0 }), now - cached.readAt < Self.reservedNamesMaxAge {
            return cached.names.contains(name)
        }
        reservedNameReads.withLockedValue { $0 += 1 }
        guard let names = try? queue.read({ db in try Set(String.fetchAll(db, sql: "SELECT name FROM reservedName")) }) else {
            return false
        }
        reservedNames.withLockedValue { $0 = (names, now) }
        return names.contains(name)
    }

    /// The name the agent gets: `requested` when it is free or already this
    /// token's, else a new random one; either way reserved for the token.
    public func assignName(tokenID: Int64, requested: String?) throws -> String {
        defer { reservedNames.withLockedValue { $0 = nil } }
        do {
            return try queue.write { db in
                if let requested = requested?.lowercased(), TunnelName.isValid(requested) {
                    let owner = try Int64.fetchOne(db, sql: "SELECT tokenID FROM reservedName WHERE name = ?", arguments: [requested])
                    if owner == tokenID { return requested }
                    if owner == nil {
                        try Self.reserve(db, name: requested, tokenID: tokenID)
                        return requested
                    }
                }
                for _ in 0..<20 {
                    let name = TunnelName.random()
                    if try Int64.fetchOne(db, sql: "SELECT tokenID FROM reservedName WHERE name = ?", arguments: [name]) == nil {
                        try Self.reserve(db, name: name, tokenID: tokenID)
                        return name
                    }
                }
                throw TunnelError.database("Could not find a free random name; try again.")
            }
        } catch let error as TunnelError {
            throw error
        } catch {
            throw TunnelError.database("Cannot reserve a name: \(error).")
        }
    }

    private static func reserve(_ db: Database, name: String, tokenID: Int64) throws {
        try db.execute(sql: "INSERT INTO reservedName (name, tokenID, created) VALUES (?, ?, ?)",
                       arguments: [name, tokenID, Date().timeIntervalSince1970])
    }
}
