import Crypto
import Foundation
import Testing

@testable import LocalCA

/// Real install then uninstall with the real tools (update-ca-certificates,
/// certutil, keytool), each pointed at a temporary copy: the machine's own
/// stores are never touched. Every store must end as it began.
@Suite struct TrustStoreRoundTripTests {
    static func tool(_ name: String) -> String? {
        ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].map { "\($0)/\(name)" }.first(where: FileManager.default.isExecutableFile(atPath:))
    }

    /// Runs a tool, failing the test when it fails.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let result = ToolRun.run(arguments)
        guard result.succeeded else { throw ToolFailure(command: arguments.joined(separator: " "), output: result.output) }
        return result.output
    }

    struct ToolFailure: Error, CustomStringConvertible {
        let command: String
        let output: String
        var description: String { "\(command) failed: \(output)" }
    }

    func environment(root: URL) -> TrustStoreEnvironment {
        var environment = TrustStoreEnvironment(
            root: root, home: root.appendingPathComponent("home"),
            searchPath: ["/usr/sbin", "/usr/bin", "/sbin", "/bin"], javaHome: nil, isRoot: true, systemKind: .debian
        )
        environment.nssDatabases = []
        return environment
    }

    // MARK: - Java

    /// alias → SHA-256 for every entry of a keystore.
    static func javaEntries(_ keystore: URL) throws -> [String: String] {
        let output = try run(["/usr/bin/keytool", "-list", "-keystore", keystore.path, "-storepass", "changeit"])
        var entries: [String: String] = [:]
        var alias: String?
        for line in output.split(whereSeparator: \.isNewline).map(String.init) {
            if line.contains("Entry,") || line.contains("trustedCertEntry") {
                alias = line.components(separatedBy: ",").first
            } else if line.contains("(SHA-256):"), let current = alias {
                entries[current] = line.components(separatedBy: "(SHA-256):").last?.trimmingCharacters(in: .whitespaces)
                alias = nil
            }
        }
        return entries
    }

    @Test func javaCacertsEndsAsItBegan() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/keytool"),
            let source = ["/etc/ssl/certs/java/cacerts"].first(where: FileManager.default.fileExists(atPath:)) ?? JavaTrustStore(environment: .current()).cacerts?.path
        else {
            print("TrustStoreRoundTripTests: skipping Java, keytool or a cacerts to copy is missing (apt-get install default-jdk-headless)")
            return
        }
        try withTemporaryFolder { folder in
            let ca = try CertificateAuthority.create(caFolder: folder.appendingPathComponent("ca"), constrained: true)
            let cacerts = folder.appendingPathComponent("cacerts")
            try FileManager.default.copyItem(atPath: URL(fileURLWithPath: source).resolvingSymlinksInPath().path, toPath: cacerts.path)
            var environment = environment(root: folder.appendingPathComponent("root"))
            environment.javaCacerts = cacerts
            let before = try Self.javaEntries(cacerts)
            #expect(!before.isEmpty)

            let store = JavaTrustStore(environment: environment)
            #expect(store.install(ca).outcome == .installed)
            #expect(store.install(ca).outcome == .alreadyPresent)
            let installed = try Self.javaEntries(cacerts)
            #expect(installed[ca.trustStoreNickname] == ca.sha256Fingerprint)
            #expect(store.locations(of: ca) == ["\(cacerts.path) alias \(ca.trustStoreNickname)"])

            #expect(store.uninstall(ca).outcome == .removed)
            #expect(store.uninstall(ca).outcome == .notPresent)
            #expect(try Self.javaEntries(cacerts) == before)
        }
    }

    // MARK: - NSS

    /// nickname and trust → SHA-256 of the certificate, for every entry of an NSS database.
    static func nssEntries(_ database: URL, certutil: String) throws -> [String: String] {
        let output = try run([certutil, "-L", "-d", "sql:" + database.path])
        var entries: [String: String] = [:]
        for line in output.split(whereSeparator: \.isNewline).dropFirst(2) {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard let split = text.range(of: " ", options: .backwards) else { continue }
            let nickname = text[..<split.lowerBound].trimmingCharacters(in: .whitespaces)
            let pem = try run([certutil, "-L", "-d", "sql:" + database.path, "-n", nickname, "-r"])
            entries[nickname + " " + text[split.upperBound...]] = SHA256.hash(data: Data(pem.utf8)).description
        }
        return entries
    }

    @Test func nssDatabaseEndsAsItBegan() throws {
        guard let certutil = Self.tool("certutil") else {
            print("TrustStoreRoundTripTests: skipping NSS, certutil is missing (apt-get install libnss3-tools)")
            return
        }
        try withTemporaryFolder { folder in
            let ca = try CertificateAuthority.create(caFolder: folder.appendingPathComponent("ca"), constrained: true)
            let database = folder.appendingPathComponent("nssdb")
            try FileManager.default.createDirectory(at: database, withIntermediateDirectories: true)
            try Self.run([certutil, "-N", "--empty-password", "-d", "sql:" + database.path])
            // Something already there, which must survive.
            // (A root of another subject: NSS files every certificate of one subject under one nickname.)
            guard let other = try FileManager.default.contentsOfDirectory(atPath: "/usr/share/ca-certificates/mozilla").sorted().first else { return }
            try Self.run([certutil, "-A", "-d", "sql:" + database.path, "-t", "C,,", "-n", "someone else", "-i", "/usr/share/ca-certificates/mozilla/" + other])
            var environment = environment(root: folder.appendingPathComponent("root"))
            environment.nssDatabases = [database]
            let before = try Self.nssEntries(database, certutil: certutil)
            #expect(before.count == 1)

            let store = NSSTrustStore(environment: environment)
            #expect(store.installEach(ca).map(\.outcome) == [.installed])
            #expect(store.installEach(ca).map(\.outcome) == [.alreadyPresent])
            #expect(store.locations(of: ca) == [database.path])
            #expect(try Self.nssEntries(database, certutil: certutil).keys.contains("\(ca.trustStoreNickname) C,,"))

            #expect(store.uninstallEach(ca).map(\.outcome) == [.removed])
            #expect(store.uninstallEach(ca).map(\.outcome) == [.notPresent])
            #expect(try Self.nssEntries(database, certutil: certutil) == before)
        }
    }

    // MARK: - System (Debian), with Debian's Java alias

    /// Every symbolic link of a folder: name → target.
    static func links(_ folder: URL) throws -> [String: String] {
        var links: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent(name).path) {
                links[name] = target
            }
        }
        return links
    }

    @Test func debianSystemStoreEndsAsItBeganWithNoDanglingLinkNorJavaAlias() throws {
        guard Self.tool("update-ca-certificates") != nil, Self.tool("openssl") != nil else {
            print("TrustStoreRoundTripTests: skipping the Debian system store, update-ca-certificates is missing (apt-get install ca-certificates)")
            return
        }
        try withTemporaryFolder { folder in
            let ca = try CertificateAuthority.create(caFolder: folder.appendingPathComponent("ca"), constrained: true)
            let root = folder.appendingPathComponent("root")
            var environment = environment(root: root)
            let fileManager = FileManager.default
            // A small copy of Debian's layout: two Mozilla roots listed in the configuration, an empty hooks folder.
            let mozilla = environment.system("/usr/share/ca-certificates/mozilla")
            try fileManager.createDirectory(at: mozilla, withIntermediateDirectories: true)
            let shipped = try fileManager.contentsOfDirectory(atPath: "/usr/share/ca-certificates/mozilla").filter { $0.hasSuffix(".crt") }.sorted().prefix(2)
            #expect(shipped.count == 2)
            for name in shipped { try fileManager.copyItem(atPath: "/usr/share/ca-certificates/mozilla/\(name)", toPath: mozilla.appendingPathComponent(name).path) }
            try fileManager.createDirectory(at: environment.system("/etc"), withIntermediateDirectories: true)
            try Data(shipped.map { "mozilla/\($0)\n" }.joined().utf8).write(to: environment.system("/etc/ca-certificates.conf"))
            for path in ["/etc/ssl/certs", "/usr/local/share/ca-certificates", "/etc/ca-certificates/update.d"] {
                try fileManager.createDirectory(at: environment.system(path), withIntermediateDirectories: true)
            }
            let store = SystemTrustStore(environment: environment)
            try Self.run(store.commands(for: ca, install: true)[0])   // the "before" state, as Debian builds it
            let bundle = environment.system("/etc/ssl/certs/ca-certificates.crt")
            let certs = environment.system("/etc/ssl/certs")
            let bundleBefore = try Data(contentsOf: bundle)
            let linksBefore = try Self.links(certs)

            // Java's cacerts as Debian's hook leaves it: with the debian:<file>.pem alias (the hook itself is not run here).
            var cacertsBefore: [String: String]?
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/keytool"), fileManager.fileExists(atPath: "/etc/ssl/certs/java/cacerts") {
                let cacerts = folder.appendingPathComponent("cacerts")
                try fileManager.copyItem(atPath: "/etc/ssl/certs/java/cacerts", toPath: cacerts.path)
                environment.javaCacerts = cacerts
                cacertsBefore = try Self.javaEntries(cacerts)
            } else {
                print("TrustStoreRoundTripTests: not checking Debian's Java alias, keytool or /etc/ssl/certs/java/cacerts is missing")
            }
            let rerooted = SystemTrustStore(environment: environment)

            #expect(rerooted.install(ca).outcome == .installed, "\(rerooted.install(ca))")
            #expect(rerooted.install(ca).outcome == .alreadyPresent)
            let installedBundle = try String(contentsOf: bundle, encoding: .utf8)
            #expect(installedBundle.contains(ca.pem.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(try Self.links(certs)["postern-development-ca-\(ca.shortFingerprint).pem"] == rerooted.anchorFile(for: ca)?.path)
            #expect(rerooted.locations(of: ca) == [rerooted.anchorFile(for: ca)!.path])
            if let cacerts = environment.javaCacerts {
                try Self.run(["/usr/bin/keytool", "-importcert", "-noprompt", "-keystore", cacerts.path, "-storepass", "changeit",
                              "-alias", rerooted.debianJavaAlias(for: ca), "-file", ca.rootCertificatePath.path])
            }

            #expect(rerooted.uninstall(ca).outcome == .removed)
            #expect(try Data(contentsOf: bundle) == bundleBefore)
            #expect(try Self.links(certs) == linksBefore)
            let dangling = try Self.links(certs).keys.filter { !fileManager.fileExists(atPath: certs.appendingPathComponent($0).path) }
            #expect(dangling.isEmpty)
            #expect(!fileManager.fileExists(atPath: rerooted.anchorFile(for: ca)!.path))
            if let cacerts = environment.javaCacerts, let cacertsBefore {
                #expect(try Self.javaEntries(cacerts) == cacertsBefore)
            }
            #expect(rerooted.uninstall(ca).outcome == .notPresent)
        }
    }
}
