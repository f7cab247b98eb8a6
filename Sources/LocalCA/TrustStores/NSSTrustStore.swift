import Foundation

/// NSS databases: `~/.pki/nssdb`, which Chromium and Chrome read on Linux
/// (the system store alone gives them `ERR_CERT_AUTHORITY_INVALID`), and the
/// database of every Firefox profile found.
///
/// The root goes in with `certutil -A -t "C,," -n NAME -d sql:DIR`. A missing
/// `certutil` is reported as a skip that names the package to install
/// (`libnss3-tools`), never as an error that stops the other stores.
///
/// ```swift
/// for report in NSSTrustStore(environment: .current()).installEach(ca) { print(report) }
/// ```
public struct NSSTrustStore: TrustStore {
    /// Where the stores and tools are.
    public let environment: TrustStoreEnvironment

    public init(environment: TrustStoreEnvironment) {
        self.environment = environment
    }

    public var name: String { "nss" }

    /// The shared database Chromium uses on Linux.
    var sharedDatabase: URL { environment.home.appendingPathComponent(".pki/nssdb") }

    /// The databases to change: the override, else `~/.pki/nssdb` and every Firefox profile holding a `cert9.db`.
    public var databases: [URL] {
        if let override = environment.nssDatabases { return override }
        var found = [sharedDatabase]
        let profileRoots = [".mozilla/firefox", "snap/firefox/common/.mozilla/firefox", ".var/app/org.mozilla.firefox/.mozilla/firefox", "Library/Application Support/Firefox/Profiles"]
        for relative in profileRoots {
            let folder = environment.home.appendingPathComponent(relative)
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for entry in entries.sorted() {
                let profile = folder.appendingPathComponent(entry)
                if FileManager.default.fileExists(atPath: profile.appendingPathComponent("cert9.db").path) { found.append(profile) }
            }
        }
        return found
    }

    var certutil: String? { environment.tool("certutil") }

    /// The `certutil` command that adds the root to `database`.
    public func addCommand(for ca: CertificateAuthority, database: URL, certutil: String = "certutil") -> [String] {
        [certutil, "-A", "-d", "sql:" + database.path, "-t", "C,,", "-n", ca.trustStoreNickname, "-i", ca.rootCertificatePath.path]
    }

    /// The `certutil` command that deletes the root from `database`.
    public func deleteCommand(for ca: CertificateAuthority, database: URL, certutil: String = "certutil") -> [String] {
        [certutil, "-D", "-d", "sql:" + database.path, "-n", ca.trustStoreNickname]
    }

    /// Whether `database` holds the root under its nickname (compared byte for byte).
    func holds(_ ca: CertificateAuthority, database: URL, certutil: String) -> Bool {
        let result = ToolRun.run([certutil, "-L", "-d", "sql:" + database.path, "-n", ca.trustStoreNickname, "-a"])
        guard result.succeeded else { return false }
        // A nickname can hold several certificates (NSS files certificates with one subject under one nickname).
        var blocks: [String] = []
        var current: String?
        for line in result.output.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("-----BEGIN") { current = "" } else if line.hasPrefix("-----END") {
                if let block = current { blocks.append(block) }
                current = nil
            } else if current != nil { current! += line }
        }
        return blocks.contains { Data(base64Encoded: $0).map { Array($0) == ca.der } ?? false }
    }

    public func locations(of ca: CertificateAuthority) -> [String]? {
        guard let certutil else { return nil }
        return databases.filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("cert9.db").path) && holds(ca, database: $0, certutil: certutil) }.map(\.path)
    }

    /// One report for every database.
    public func installEach(_ ca: CertificateAuthority) -> [TrustStoreReport] {
        guard let certutil else { return [missingCertutil] }
        return databases.map { database in
            let store = "nss (\(database.path))"
            let isShared = database == sharedDatabase && environment.nssDatabases == nil
            if !FileManager.default.fileExists(atPath: database.appendingPathComponent("cert9.db").path) {
                guard isShared else { return TrustStoreReport(store: store, outcome: .skipped("no cert9.db in this folder")) }
                // Chromium creates ~/.pki/nssdb on its first run; create it now so it starts with the root.
                let create = [certutil, "-N", "--empty-password", "-d", "sql:" + database.path]
                do { try FileManager.default.createDirectory(at: database, withIntermediateDirectories: true) } catch {
                    return TrustStoreReport(store: store, outcome: .failed("could not create the folder: \(error)", command: "mkdir -p \(database.path) && " + ToolRun.shellLine(create)))
                }
                let made = ToolRun.run(create)
                guard made.succeeded else {
                    return TrustStoreReport(store: store, outcome: .failed("certutil said: \(made.lastLine)", command: ToolRun.shellLine(create)))
                }
            }
            if holds(ca, database: database, certutil: certutil) { return TrustStoreReport(store: store, outcome: .alreadyPresent) }
            let command = addCommand(for: ca, database: database, certutil: certutil)
            let result = ToolRun.run(command)
            guard result.succeeded else {
                return TrustStoreReport(store: store, outcome: .failed("certutil said: \(result.lastLine)", command: ToolRun.shellLine(command)))
            }
            return TrustStoreReport(store: store, outcome: .installed)
        }
    }

    /// One report for every database.
    public func uninstallEach(_ ca: CertificateAuthority) -> [TrustStoreReport] {
        guard let certutil else { return [missingCertutil] }
        return databases.map { database in
            let store = "nss (\(database.path))"
            guard FileManager.default.fileExists(atPath: database.appendingPathComponent("cert9.db").path) else {
                return TrustStoreReport(store: store, outcome: .notPresent)
            }
            var removed = false
            // A nickname can hold more than one certificate: delete until none is left.
            for _ in 0..<8 {
                let list = ToolRun.run([certutil, "-L", "-d", "sql:" + database.path, "-n", ca.trustStoreNickname])
                guard list.succeeded else { break }
                let command = deleteCommand(for: ca, database: database, certutil: certutil)
                let result = ToolRun.run(command)
                guard result.succeeded else {
                    return TrustStoreReport(store: store, outcome: .failed("certutil said: \(result.lastLine)", command: ToolRun.shellLine(command)))
                }
                removed = true
            }
            return TrustStoreReport(store: store, outcome: removed ? .removed : .notPresent)
        }
    }

    public func install(_ ca: CertificateAuthority) -> TrustStoreReport { Self.summary(installEach(ca), name: name) }
    public func uninstall(_ ca: CertificateAuthority) -> TrustStoreReport { Self.summary(uninstallEach(ca), name: name) }

    private var missingCertutil: TrustStoreReport {
        TrustStoreReport(store: name, outcome: .skipped("certutil not found; install libnss3-tools (Debian, Ubuntu), nss-tools (Fedora, Arch) or nss (Homebrew)"))
    }

    /// The first failure, else the first report (a single-line view of several databases).
    static func summary(_ reports: [TrustStoreReport], name: String) -> TrustStoreReport {
        reports.first(where: \.isFailure) ?? reports.first ?? TrustStoreReport(store: name, outcome: .skipped("no NSS database found"))
    }
}

extension TrustStoreKind {
    /// Installs into the store of this kind, one report a database for NSS, one report otherwise.
    public func install(_ ca: CertificateAuthority, environment: TrustStoreEnvironment) -> [TrustStoreReport] {
        if self == .nss { return NSSTrustStore(environment: environment).installEach(ca) }
        return [store(environment).install(ca)]
    }

    /// Removes from the store of this kind, one report a database for NSS, one report otherwise.
    public func uninstall(_ ca: CertificateAuthority, environment: TrustStoreEnvironment) -> [TrustStoreReport] {
        if self == .nss { return NSSTrustStore(environment: environment).uninstallEach(ca) }
        return [store(environment).uninstall(ca)]
    }
}
