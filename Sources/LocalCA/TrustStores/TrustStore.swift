import Foundation

/// One place a root certificate can be trusted from: the operating system's
/// store, an NSS database (Chromium, Firefox) or a Java `cacerts` keystore.
///
/// ```swift
/// let environment = TrustStoreEnvironment.current()
/// for store in TrustStoreKind.allCases.map({ $0.store(environment) }) {
///     print(store.install(ca).line)
/// }
/// ```
///
/// Stores never throw: each answers with one ``TrustStoreReport`` so that a
/// store that cannot be reached (a missing tool, no root permission) never
/// stops the others from being handled.
public protocol TrustStore: Sendable {
    /// A short name for the report, such as `system (Debian)` or `java`.
    var name: String { get }
    /// Adds the root to the store.
    func install(_ ca: CertificateAuthority) -> TrustStoreReport
    /// Removes the root from the store, leaving it as it was before `install`.
    func uninstall(_ ca: CertificateAuthority) -> TrustStoreReport
    /// The places in this store that hold the root (empty when none, `nil` when the store cannot be read).
    func locations(of ca: CertificateAuthority) -> [String]?
}

/// The kinds of trust store, as named in `--stores` and `TRUST_STORES` (mkcert's names).
public enum TrustStoreKind: String, CaseIterable, Sendable {
    case system, nss, java

    /// The store of this kind in `environment`.
    public func store(_ environment: TrustStoreEnvironment) -> any TrustStore {
        switch self {
        case .system: return SystemTrustStore(environment: environment)
        case .nss: return NSSTrustStore(environment: environment)
        case .java: return JavaTrustStore(environment: environment)
        }
    }

    /// Parses a comma-separated list such as `system,nss`; `none` or an empty
    /// string selects nothing, `nil` selects every kind.
    public static func parse(_ list: String?) throws -> [TrustStoreKind] {
        guard let list else { return allCases }
        var kinds: [TrustStoreKind] = []
        for part in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !part.isEmpty {
            if part == "none" { continue }
            guard let kind = TrustStoreKind(rawValue: part) else {
                throw LocalCAError(.invalidTrustStore, "Unknown trust store \"\(part)\"; use a comma-separated list of system, nss and java (or none).")
            }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        return kinds
    }
}

/// What one store did with the root: one line of `postern ca install`'s output.
public struct TrustStoreReport: Sendable, Equatable, CustomStringConvertible {
    /// The result of the action.
    public enum Outcome: Sendable, Equatable {
        case installed
        case alreadyPresent
        case removed
        case notPresent
        /// The store was not touched; the text says why.
        case skipped(String)
        /// The store could not be changed; the text says why, `command` is what to run by hand.
        case failed(String, command: String)
    }

    /// The store's name.
    public let store: String
    /// What happened.
    public let outcome: Outcome

    public init(store: String, outcome: Outcome) {
        self.store = store
        self.outcome = outcome
    }

    /// Whether the store could not be changed.
    public var isFailure: Bool {
        if case .failed = outcome { return true }
        return false
    }

    /// The line printed for this store.
    public var description: String {
        switch outcome {
        case .installed: return "\(store): installed"
        case .alreadyPresent: return "\(store): already there"
        case .removed: return "\(store): removed"
        case .notPresent: return "\(store): not there"
        case .skipped(let why): return "\(store): skipped (\(why))"
        case .failed(let why, let command): return "\(store): failed (\(why)); run by hand: \(command)"
        }
    }
}

extension CertificateAuthority {
    /// The nickname or alias the root is stored under in NSS and Java.
    var trustStoreNickname: String { "postern-development-ca-\(shortFingerprint)" }
}
