import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `cacerts` keystore of the JDK found through `JAVA_HOME` or `java` on `PATH`.
///
/// The root goes in with `keytool -importcert -noprompt` under the alias
/// `postern-development-ca-XXXXXXXX` (the first hex digits of its SHA-256) and
/// the store password `changeit`, which every JDK ships with. Uninstalling
/// also deletes the `debian:….pem` alias Debian's Java hook may have added
/// when the root went into the system store.
///
/// ```swift
/// print(JavaTrustStore(environment: .current()).install(ca))   // "java (/usr/lib/jvm/…/cacerts): installed"
/// ```
public struct JavaTrustStore: TrustStore {
    /// The store password of a JDK's `cacerts`.
    public static let storePassword = "changeit"

    /// Where the stores and tools are.
    public let environment: TrustStoreEnvironment

    public init(environment: TrustStoreEnvironment) {
        self.environment = environment
    }

    public var name: String { cacerts.map { "java (\($0.path))" } ?? "java" }

    /// The JDK's home: `JAVA_HOME`, else two folders above the real path of `java` on `PATH`.
    var javaHome: URL? {
        if let home = environment.javaHome, !home.isEmpty { return URL(fileURLWithPath: home) }
        guard let java = environment.tool("java") else { return nil }
        return URL(fileURLWithPath: java).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The keystore changed: the override, else the JDK's `lib/security/cacerts` (moved under the test root if any).
    public var cacerts: URL? {
        if let override = environment.javaCacerts { return override }
        guard let home = javaHome else { return nil }
        for relative in ["lib/security/cacerts", "jre/lib/security/cacerts"] {
            let candidate = environment.system(home.appendingPathComponent(relative).path)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// `keytool` of the JDK, else the one on `PATH`.
    var keytool: String? {
        if let home = javaHome {
            let candidate = home.appendingPathComponent("bin/keytool").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return environment.tool("keytool")
    }

    /// The `keytool` command that imports the root.
    public func importCommand(for ca: CertificateAuthority, keystore: URL, keytool: String = "keytool") -> [String] {
        [keytool, "-importcert", "-noprompt", "-keystore", keystore.path, "-storepass", Self.storePassword,
         "-alias", ca.trustStoreNickname, "-file", ca.rootCertificatePath.path]
    }

    /// The `keytool` command that deletes an alias.
    public func deleteCommand(alias: String, keystore: URL, keytool: String = "keytool") -> [String] {
        [keytool, "-delete", "-noprompt", "-keystore", keystore.path, "-storepass", Self.storePassword, "-alias", alias]
    }

    /// Whether `alias` is in the keystore and holds the root (checked by SHA-256).
    func holds(_ ca: CertificateAuthority, alias: String, keystore: URL, keytool: String) -> Bool {
        let result = ToolRun.run([keytool, "-list", "-keystore", keystore.path, "-storepass", Self.storePassword, "-alias", alias, "-v"])
        return result.succeeded && result.output.uppercased().contains(ca.sha256Fingerprint)
    }

    public func locations(of ca: CertificateAuthority) -> [String]? {
        guard let keystore = cacerts, let keytool else { return nil }
        return [ca.trustStoreNickname, SystemTrustStore(environment: environment).debianJavaAlias(for: ca)]
            .filter { holds(ca, alias: $0, keystore: keystore, keytool: keytool) }
            .map { "\(keystore.path) alias \($0)" }
    }

    public func install(_ ca: CertificateAuthority) -> TrustStoreReport {
        guard let keystore = cacerts else {
            return TrustStoreReport(store: name, outcome: .skipped("no JDK found through JAVA_HOME or java on PATH"))
        }
        guard let keytool else {
            return TrustStoreReport(store: name, outcome: .skipped("keytool not found; install a JDK (Debian: default-jdk-headless)"))
        }
        if holds(ca, alias: ca.trustStoreNickname, keystore: keystore, keytool: keytool) {
            return TrustStoreReport(store: name, outcome: .alreadyPresent)
        }
        let command = importCommand(for: ca, keystore: keystore, keytool: keytool)
        guard Self.isWritable(keystore) else {
            return TrustStoreReport(store: name, outcome: .failed("\(keystore.path) is writable only by root", command: environment.sudo + ToolRun.shellLine(command)))
        }
        let result = ToolRun.run(command)
        guard result.succeeded else {
            return TrustStoreReport(store: name, outcome: .failed("keytool said: \(result.lastLine)", command: environment.sudo + ToolRun.shellLine(command)))
        }
        return TrustStoreReport(store: name, outcome: .installed)
    }

    public func uninstall(_ ca: CertificateAuthority) -> TrustStoreReport {
        var removed = false
        for alias in [ca.trustStoreNickname, SystemTrustStore(environment: environment).debianJavaAlias(for: ca)] {
            switch delete(alias: alias) {
            case .deleted: removed = true
            case .absent: break
            case .noKeystore:
                return TrustStoreReport(store: name, outcome: .skipped("no JDK or keytool found through JAVA_HOME or java on PATH"))
            case .failed(let why, let command):
                return TrustStoreReport(store: name, outcome: .failed(why, command: command))
            }
        }
        return TrustStoreReport(store: name, outcome: removed ? .removed : .notPresent)
    }

    /// What ``delete(alias:)`` did.
    enum Deletion: Equatable {
        case deleted, absent, noKeystore
        case failed(String, command: String)
    }

    /// Deletes `alias` from the keystore if it is there.
    func delete(alias: String) -> Deletion {
        guard let keystore = cacerts, let keytool else { return .noKeystore }
        let list = ToolRun.run([keytool, "-list", "-keystore", keystore.path, "-storepass", Self.storePassword, "-alias", alias])
        guard list.succeeded else { return .absent }
        let command = deleteCommand(alias: alias, keystore: keystore, keytool: keytool)
        guard Self.isWritable(keystore) else {
            return .failed("\(keystore.path) is writable only by root", command: environment.sudo + ToolRun.shellLine(command))
        }
        let result = ToolRun.run(command)
        return result.succeeded ? .deleted : .failed("keytool said: \(result.lastLine)", command: environment.sudo + ToolRun.shellLine(command))
    }

    static func isWritable(_ file: URL) -> Bool {
        access(file.resolvingSymlinksInPath().path, W_OK) == 0
    }
}
