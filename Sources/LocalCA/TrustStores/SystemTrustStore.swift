import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The operating system's trust store.
///
/// | system | file | command |
/// |---|---|---|
/// | Debian, Ubuntu | `/usr/local/share/ca-certificates/NAME.crt` | `update-ca-certificates` (`--fresh` to remove) |
/// | Fedora, RHEL | `/etc/pki/ca-trust/source/anchors/NAME.pem` | `update-ca-trust extract` |
/// | Arch | — | `trust anchor --store FILE` / `trust anchor --remove FILE` |
/// | macOS | — | `security add-trusted-cert -d -k /Library/Keychains/System.keychain FILE` |
///
/// Uninstalling on Debian runs `update-ca-certificates --fresh`, which
/// rebuilds `/etc/ssl/certs` from scratch so no dangling link is left behind,
/// and then deletes the `debian:NAME.pem` alias that Debian's Java hook
/// (`/etc/ca-certificates/update.d/jks-keystore`) copied into Java's
/// `cacerts` — `--fresh` does not tell the hook about removals, which is how
/// mkcert leaves Java trusting a root it "uninstalled". `--fresh` also makes
/// the hook add every certificate of the bundle that its keystore lacks, so
/// the keystore is put back byte for byte afterwards.
///
/// ```swift
/// let report = SystemTrustStore(environment: .current()).install(ca)
/// print(report)   // "system (Debian): installed"
/// ```
public struct SystemTrustStore: TrustStore {
    /// Where the stores and tools are.
    public let environment: TrustStoreEnvironment

    public init(environment: TrustStoreEnvironment) {
        self.environment = environment
    }

    public var name: String {
        switch environment.systemKind {
        case .debian: return "system (Debian)"
        case .fedora: return "system (Fedora)"
        case .arch: return "system (Arch)"
        case .macOS: return "system (macOS)"
        case nil: return "system"
        }
    }

    /// The file the root is copied to, for the kinds that use one.
    public func anchorFile(for ca: CertificateAuthority) -> URL? {
        let base = "postern-development-ca-\(ca.shortFingerprint)"
        switch environment.systemKind {
        case .debian: return environment.system("/usr/local/share/ca-certificates").appendingPathComponent(base + ".crt")
        case .fedora: return environment.system("/etc/pki/ca-trust/source/anchors").appendingPathComponent(base + ".pem")
        case .arch, .macOS, nil: return nil
        }
    }

    /// The link Debian's `update-ca-certificates` makes in `/etc/ssl/certs`.
    func debianLink(for ca: CertificateAuthority) -> URL {
        environment.system("/etc/ssl/certs").appendingPathComponent("postern-development-ca-\(ca.shortFingerprint).pem")
    }

    /// The keystore Debian's Java hook (`jks-keystore`) keeps in step with the bundle.
    static let debianHookKeystore = "/etc/ssl/certs/java/cacerts"

    /// The alias Debian's Java hook gives the root in `cacerts`.
    public func debianJavaAlias(for ca: CertificateAuthority) -> String {
        "debian:postern-development-ca-\(ca.shortFingerprint).pem"
    }

    /// The commands that install (or, with `install == false`, remove) the root, in order.
    public func commands(for ca: CertificateAuthority, install: Bool) -> [[String]] {
        let root = ca.rootCertificatePath.path
        switch environment.systemKind {
        case .debian:
            var command = [environment.tool("update-ca-certificates") ?? "update-ca-certificates"]
            if !install { command.append("--fresh") }
            if environment.isRerooted {
                command += [
                    "--certsconf", environment.system("/etc/ca-certificates.conf").path,
                    "--certsdir", environment.system("/usr/share/ca-certificates").path,
                    "--localcertsdir", environment.system("/usr/local/share/ca-certificates").path,
                    "--etccertsdir", environment.system("/etc/ssl/certs").path,
                    "--hooksdir", environment.system("/etc/ca-certificates/update.d").path,
                ]
            }
            return [command]
        case .fedora:
            return [[environment.tool("update-ca-trust") ?? "update-ca-trust", "extract"]]
        case .arch:
            return [[environment.tool("trust") ?? "trust", "anchor", install ? "--store" : "--remove", root]]
        case .macOS:
            let keychain = environment.system("/Library/Keychains/System.keychain").path
            if install {
                return [["/usr/bin/security", "add-trusted-cert", "-d", "-k", keychain, root]]
            }
            let sha256 = ca.sha256Fingerprint.replacingOccurrences(of: ":", with: "")
            return [
                ["/usr/bin/security", "remove-trusted-cert", "-d", root],
                ["/usr/bin/security", "delete-certificate", "-Z", sha256, keychain],
            ]
        case nil:
            return []
        }
    }

    /// What to paste in a shell to do the same by hand.
    func manualCommand(for ca: CertificateAuthority, install: Bool) -> String {
        var lines: [String] = []
        if let file = anchorFile(for: ca) {
            lines.append(install
                ? "\(environment.sudo)cp \(ToolRun.shellLine([ca.rootCertificatePath.path, file.path]))"
                : "\(environment.sudo)rm -f \(ToolRun.shellLine([file.path]))")
        }
        for command in commands(for: ca, install: install) {
            lines.append(environment.sudo + ToolRun.shellLine(command))
        }
        var line = lines.joined(separator: " && ")
        let java = JavaTrustStore(environment: environment)
        if !install, environment.systemKind == .debian, let keystore = java.cacerts {
            // keytool fails when the alias is absent: that is fine, hence `;` and not `&&`.
            line += "; " + environment.sudo + ToolRun.shellLine(java.deleteCommand(alias: debianJavaAlias(for: ca), keystore: keystore, keytool: java.keytool ?? "keytool"))
        }
        return line
    }

    public func locations(of ca: CertificateAuthority) -> [String]? {
        switch environment.systemKind {
        case .debian, .fedora:
            guard let file = anchorFile(for: ca) else { return [] }
            guard let bytes = FileManager.default.contents(atPath: file.path) else { return [] }
            return Array(bytes) == Array(ca.pem.utf8) ? [file.path] : []
        case .arch, .macOS, nil:
            return nil
        }
    }

    public func install(_ ca: CertificateAuthority) -> TrustStoreReport {
        guard environment.systemKind != nil else {
            return TrustStoreReport(store: name, outcome: .skipped("no update-ca-certificates, update-ca-trust or trust found; install the ca-certificates package"))
        }
        if let present = locations(of: ca), !present.isEmpty {
            if environment.systemKind != .debian || FileManager.default.fileExists(atPath: debianLink(for: ca).path) {
                return TrustStoreReport(store: name, outcome: .alreadyPresent)
            }
        }
        if let file = anchorFile(for: ca) {
            let folder = file.deletingLastPathComponent()
            guard access(folder.path, W_OK) == 0 || (!FileManager.default.fileExists(atPath: folder.path) && environment.isRoot) else {
                return failure("\(folder.path) is writable only by root", ca: ca, install: true)
            }
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try SecureFile.save(Array(ca.pem.utf8), to: file, mode: 0o644)
            } catch {
                return failure("could not write \(file.path): \(error)", ca: ca, install: true)
            }
        } else if !environment.isRoot, environment.systemKind == .arch || environment.systemKind == .macOS {
            return failure("changing the system store needs root", ca: ca, install: true)
        }
        if let failed = runAll(commands(for: ca, install: true)) {
            return failure(failed, ca: ca, install: true)
        }
        return TrustStoreReport(store: name, outcome: .installed)
    }

    public func uninstall(_ ca: CertificateAuthority) -> TrustStoreReport {
        guard environment.systemKind != nil else {
            return TrustStoreReport(store: name, outcome: .skipped("no system trust store tool found"))
        }
        var wasPresent = true
        if let file = anchorFile(for: ca) {
            let present = FileManager.default.fileExists(atPath: file.path)
            let linked = environment.systemKind == .debian && (try? FileManager.default.destinationOfSymbolicLink(atPath: debianLink(for: ca).path)) != nil
            wasPresent = present || linked
            if present {
                guard access(file.deletingLastPathComponent().path, W_OK) == 0 else {
                    return failure("\(file.deletingLastPathComponent().path) is writable only by root", ca: ca, install: false)
                }
                if unlink(file.path) != 0 {
                    return failure("could not remove \(file.path): \(String(cString: strerror(errno)))", ca: ca, install: false)
                }
            }
        } else if !environment.isRoot {
            return failure("changing the system store needs root", ca: ca, install: false)
        }
        if wasPresent {
            // `--fresh` makes Debian's Java hook add every certificate of the bundle to
            // its keystore; where that keystore lagged behind the bundle, Java's store
            // would change. Put it back as it was (the alias of the root goes below).
            let hookKeystore = environment.system(Self.debianHookKeystore)
            let keystoreBefore = environment.systemKind == .debian ? (try? SecureFile.read(hookKeystore)) ?? nil : nil
            if let failed = runAll(commands(for: ca, install: false)) {
                return failure(failed, ca: ca, install: false)
            }
            if let keystoreBefore, (try? SecureFile.read(hookKeystore)) != keystoreBefore {
                do {
                    try SecureFile.save(keystoreBefore, to: hookKeystore, mode: SecureFile.mode(of: hookKeystore).map { $0 & 0o777 } ?? 0o644)
                } catch {
                    return TrustStoreReport(store: name, outcome: .failed("the root left the system store, but \(hookKeystore.path) could not be restored: \(error)", command: "keytool -list -keystore \(hookKeystore.path)"))
                }
            }
        }
        var javaAliasRemoved = false
        if environment.systemKind == .debian {
            switch JavaTrustStore(environment: environment).delete(alias: debianJavaAlias(for: ca)) {
            case .deleted: javaAliasRemoved = true
            case .absent, .noKeystore: break
            case .failed(let why, let command):
                return TrustStoreReport(store: name, outcome: .failed("the root left the system store, but Java still trusts it through Debian's alias: \(why)", command: command))
            }
        }
        return TrustStoreReport(store: name, outcome: wasPresent || javaAliasRemoved ? .removed : .notPresent)
    }

    /// Runs the commands in order; the reason of the first failure, or `nil`.
    private func runAll(_ commands: [[String]]) -> String? {
        for command in commands {
            guard let executable = command.first, FileManager.default.isExecutableFile(atPath: executable) else {
                return "\(command.first ?? "the command") is not installed"
            }
            let result = ToolRun.run(command)
            if !result.succeeded {
                return "\(ToolRun.shellLine(command)) said: \(result.lastLine)"
            }
        }
        return nil
    }

    private func failure(_ why: String, ca: CertificateAuthority, install: Bool) -> TrustStoreReport {
        TrustStoreReport(store: name, outcome: .failed(why, command: manualCommand(for: ca, install: install)))
    }
}
