import Foundation
import Testing

@testable import LocalCA

/// The commands each store would run, for every system — including those this machine cannot run (Fedora, Arch, macOS).
@Suite struct TrustStoreCommandTests {
    func environment(_ kind: TrustStoreEnvironment.SystemKind?, root: String = "/", isRoot: Bool = true) -> TrustStoreEnvironment {
        TrustStoreEnvironment(
            root: URL(fileURLWithPath: root), home: URL(fileURLWithPath: "/home/dev"),
            searchPath: ["/nonexistent-bin"], javaHome: nil, isRoot: isRoot, systemKind: kind
        )
    }

    func authority(_ folder: URL) throws -> CertificateAuthority {
        try CertificateAuthority.create(caFolder: folder.appendingPathComponent("ca"), constrained: true)
    }

    @Test func debianCopiesIntoLocalCertificatesAndRunsUpdateCACertificates() throws {
        try withTemporaryFolder { folder in
            let ca = try authority(folder)
            let store = SystemTrustStore(environment: environment(.debian))
            let name = "postern-development-ca-\(ca.shortFingerprint)"
            #expect(store.anchorFile(for: ca)?.path == "/usr/local/share/ca-certificates/\(name).crt")
            #expect(store.commands(for: ca, install: true) == [["update-ca-certificates"]])
            #expect(store.commands(for: ca, install: false) == [["update-ca-certificates", "--fresh"]])
            #expect(store.debianJavaAlias(for: ca) == "debian:\(name).pem")
        }
    }

    @Test func debianUnderATestRootPointsEveryFolderThere() throws {
        try withTemporaryFolder { folder in
            let ca = try authority(folder)
            let store = SystemTrustStore(environment: environment(.debian, root: "/tmp/r"))
            #expect(store.anchorFile(for: ca)?.path.hasPrefix("/tmp/r/usr/local/share/ca-certificates/") == true)
            #expect(store.commands(for: ca, install: false) == [[
                "update-ca-certificates", "--fresh",
                "--certsconf", "/tmp/r/etc/ca-certificates.conf",
                "--certsdir", "/tmp/r/usr/share/ca-certificates",
                "--localcertsdir", "/tmp/r/usr/local/share/ca-certificates",
                "--etccertsdir", "/tmp/r/etc/ssl/certs",
                "--hooksdir", "/tmp/r/etc/ca-certificates/update.d",
            ]])
        }
    }

    @Test func fedoraUsesTheAnchorsFolderAndUpdateCATrust() throws {
        try withTemporaryFolder { folder in
            let ca = try authority(folder)
            let store = SystemTrustStore(environment: environment(.fedora))
            #expect(store.anchorFile(for: ca)?.path == "/etc/pki/ca-trust/source/anchors/postern-development-ca-\(ca.shortFingerprint).pem")
            #expect(store.commands(for: ca, install: true) == [["update-ca-trust", "extract"]])
            #expect(store.commands(for: ca, install: false) == [["update-ca-trust", "extract"]])
        }
    }

    @Test func archUsesTrustAnchor() throws {
        try withTemporaryFolder { folder in
            let ca = try authority(folder)
            let store = SystemTrustStore(environment: environment(.arch))
            #expect(store.anchorFile(for: ca) == nil)
            #expect(store.commands(for: ca, install: true) == [["trust", "anchor", "--store", ca.rootCertificatePath.path]])
            #expect(store.commands(for: ca, install: false) == [["trust", "anchor", "--remove", ca.rootCertificatePath.path]])
        }
    }

    @Test func macOSUsesSecurityWithTheSystemKeychain() throws {
        try withTemporaryFolder { folder in
            let ca = try authority(folder)
            let store = SystemTrustStore(environment: environment(.macOS))
            #expect(store.commands(for: ca, install: true) == [
                ["/usr/bin/security", "add-trusted-cert", "-d", "-k", "/Library/Keychains/System.keychain", ca.rootCertificatePath.path],
            ])
            let sha256 = ca.sha256Fingerprint.replacingOccurrences(of: ":", with: "")
            #expect(store.commands(for: ca, install: false) == [
                ["/usr/bin/security", "remove-trusted-cert", "-d", ca.rootCertificatePath.path],
                ["/usr/bin/security", "delete-certificate", "-Z", sha256, "/Library/Keychains/System.keychain"],
            ])
        }
    }

    @Test func theCommandToRunByHandStartsWithSudoWhenNotRoot() throws {
        try withTemporaryFolder { folder in
            let ca = try authority(folder)
            let manual = SystemTrustStore(environment: environment(.debian, isRoot: false)).manualCommand(for: ca, install: true)
            #expect(manual.hasPrefix("sudo cp \(ca.rootCertificatePath.path) /usr/local/share/ca-certificates/"))
            #expect(manual.hasSuffix("&& sudo update-ca-certificates"))
            let asRoot = SystemTrustStore(environment: environment(.debian, isRoot: true)).manualCommand(for: ca, install: false)
            #expect(asRoot.hasPrefix("rm -f /usr/local/share/ca-certificates/"))
            #expect(asRoot.hasSuffix("&& update-ca-certificates --fresh"))
            var withJava = environment(.debian, isRoot: false)
            withJava.javaCacerts = URL(fileURLWithPath: "/etc/ssl/certs/java/cacerts")
            let uninstall = SystemTrustStore(environment: withJava).manualCommand(for: ca, install: false)
            #expect(uninstall.contains("&& sudo update-ca-certificates --fresh; sudo keytool -delete -noprompt -keystore /etc/ssl/certs/java/cacerts -storepass changeit -alias debian:postern-development-ca-\(ca.shortFingerprint).pem"))
        }
    }

    @Test func nssAndJavaCommands() throws {
        try withTemporaryFolder { folder in
            let ca = try authority(folder)
            let nss = NSSTrustStore(environment: environment(.debian))
            let database = URL(fileURLWithPath: "/home/dev/.pki/nssdb")
            #expect(nss.databases == [database])
            #expect(nss.addCommand(for: ca, database: database) == [
                "certutil", "-A", "-d", "sql:/home/dev/.pki/nssdb", "-t", "C,,", "-n", ca.trustStoreNickname, "-i", ca.rootCertificatePath.path,
            ])
            #expect(nss.deleteCommand(for: ca, database: database) == ["certutil", "-D", "-d", "sql:/home/dev/.pki/nssdb", "-n", ca.trustStoreNickname])
            let java = JavaTrustStore(environment: environment(.debian))
            let cacerts = URL(fileURLWithPath: "/jdk/lib/security/cacerts")
            #expect(java.importCommand(for: ca, keystore: cacerts) == [
                "keytool", "-importcert", "-noprompt", "-keystore", "/jdk/lib/security/cacerts", "-storepass", "changeit",
                "-alias", ca.trustStoreNickname, "-file", ca.rootCertificatePath.path,
            ])
        }
    }

    @Test func missingToolsAreSkipsThatNameThePackage() throws {
        try withTemporaryFolder { folder in
            let ca = try authority(folder)
            let reports = TrustStoreKind.nss.install(ca, environment: environment(.debian))
            #expect(reports.count == 1)
            #expect(reports[0].description.contains("skipped"))
            #expect(reports[0].description.contains("libnss3-tools"))
            #expect(TrustStoreKind.java.install(ca, environment: environment(.debian))[0].description.contains("skipped"))
            #expect(TrustStoreKind.system.install(ca, environment: environment(nil))[0].description.contains("skipped"))
        }
    }

    @Test func firefoxProfilesAreFound() throws {
        try withTemporaryFolder { folder in
            let profile = folder.appendingPathComponent(".mozilla/firefox/abcd.default-release")
            try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
            try Data().write(to: profile.appendingPathComponent("cert9.db"))
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(".mozilla/firefox/no-db"), withIntermediateDirectories: true)
            var environment = environment(.debian)
            environment.home = folder
            #expect(NSSTrustStore(environment: environment).databases.map(\.path) == [folder.appendingPathComponent(".pki/nssdb").path, profile.path])
        }
    }

    @Test func storeListsParseLikeMkcert() throws {
        #expect(try TrustStoreKind.parse(nil) == [.system, .nss, .java])
        #expect(try TrustStoreKind.parse("java, NSS") == [.java, .nss])
        #expect(try TrustStoreKind.parse("none") == [])
        #expect(throws: LocalCAError.self) { try TrustStoreKind.parse("system,keychain") }
    }

    @Test func testRootMovesSystemPathsOnly() {
        let environment = TrustStoreEnvironment.current(["POSTERN_TRUST_ROOT": "/tmp/x", "HOME": "/home/dev", "PATH": "/usr/bin"])
        #expect(environment.system("/etc/ssl/certs").path == "/tmp/x/etc/ssl/certs")
        #expect(environment.home.path == "/home/dev")
        #expect(TrustStoreEnvironment.current(["PATH": "/usr/bin"]).system("/etc/ssl/certs").path == "/etc/ssl/certs")
    }
}
