import Foundation
import PosternTestSupport
import Testing

@testable import LocalCA

@Suite("PKCS#12")
struct PKCS12Tests {
    @Test("OpenSSL opens the bundle with mkcert's password and finds the key, the leaf and the root",
          .enabled(if: OpenSSL.isAvailable, "needs /usr/bin/openssl"))
    func opensslReadsBundle() throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
            let issued = try ca.issue(names: [.dns("app.test"), .ip(IPAddress("127.0.0.1")!)])
            let path = home.appendingPathComponent("app.p12")
            try Data(PKCS12.bundle(issued, chain: [ca.certificate])).write(to: path)

            // -info checks the MAC; -nodes decrypts the key.
            let result = try OpenSSL.run(["pkcs12", "-in", path.path, "-passin", "pass:changeit", "-nodes", "-info"])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("MAC: sha256"), "\(result.output)")
            #expect(result.output.contains("PBES2"), "\(result.output)")
            #expect(result.output.components(separatedBy: "BEGIN CERTIFICATE").count == 3)
            #expect(result.output.contains("BEGIN PRIVATE KEY"))
            #expect(result.output.contains("friendlyName: app.test"), "\(result.output)")

            // The key inside is the leaf's key.
            let keyOut = try OpenSSL.run(["pkcs12", "-in", path.path, "-passin", "pass:changeit", "-nocerts", "-nodes"])
            let keyPath = home.appendingPathComponent("key.pem")
            try keyOut.output.write(to: keyPath, atomically: true, encoding: .utf8)
            let fromBundle = try OpenSSL.run(["pkey", "-in", keyPath.path, "-pubout"])
            let original = home.appendingPathComponent("original.pem")
            try issued.privateKeyPEM!.write(to: original, atomically: true, encoding: .utf8)
            #expect(fromBundle.output == (try OpenSSL.run(["pkey", "-in", original.path, "-pubout"])).output)

            // A wrong password is refused (the MAC does not verify).
            let wrong = try OpenSSL.run(["pkcs12", "-in", path.path, "-passin", "pass:wrong", "-nodes", "-info"])
            #expect(wrong.status != 0)
        }
    }

    @Test("Java's keytool lists the bundle as one key entry with its chain and imports it into another keystore")
    func keytoolReadsBundle() async throws {
        guard let keytool = TestProcesses.which("keytool") else {
            print("PKCS12Tests: skipping keytool, it is missing (apt-get install default-jdk-headless)")
            return
        }
        let home = try TestProcesses.temporaryFolder("p12")
        defer { try? FileManager.default.removeItem(at: home) }
        let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
        let issued = try ca.issue(names: [.dns("app.test"), .ip(IPAddress("127.0.0.1")!)])
        let path = home.appendingPathComponent("app.p12")
        try Data(PKCS12.bundle(issued, chain: [ca.certificate])).write(to: path)

        let list = try await TestProcesses.run([keytool, "-list", "-v", "-storetype", "PKCS12", "-keystore", path.path, "-storepass", "changeit"])
        #expect(list.status == 0, "\(list.stdout)\(list.stderr)")
        #expect(list.stdout.contains("Your keystore contains 1 entry"), "\(list.stdout)")
        #expect(list.stdout.contains("Entry type: PrivateKeyEntry"), "\(list.stdout)")
        #expect(list.stdout.contains("Certificate chain length: 2"), "\(list.stdout)")
        #expect(list.stdout.contains("Alias name: app.test"), "\(list.stdout)")

        let destination = home.appendingPathComponent("imported.p12")
        let imported = try await TestProcesses.run([
            keytool, "-importkeystore", "-noprompt",
            "-srckeystore", path.path, "-srcstoretype", "PKCS12", "-srcstorepass", "changeit",
            "-destkeystore", destination.path, "-deststoretype", "PKCS12", "-deststorepass", "changeit",
        ])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        #expect((imported.stdout + imported.stderr).contains("1 entries successfully imported"), "\(imported.stdout)\(imported.stderr)")

        let wrong = try await TestProcesses.run([keytool, "-list", "-storetype", "PKCS12", "-keystore", path.path, "-storepass", "wrong"])
        #expect(wrong.status != 0)
    }

    @Test("the MAC key derivation is deterministic and depends on its purpose id (OpenSSL checks the MAC itself above)")
    func kdfIsDeterministic() {
        let a = PKCS12.deriveKey(password: "changeit", salt: [1, 2, 3, 4, 5, 6, 7, 8], id: 3, length: 32)
        let b = PKCS12.deriveKey(password: "changeit", salt: [1, 2, 3, 4, 5, 6, 7, 8], id: 3, length: 32)
        let c = PKCS12.deriveKey(password: "changeit", salt: [1, 2, 3, 4, 5, 6, 7, 8], id: 1, length: 32)
        #expect(a == b && a != c && a.count == 32)
    }
}
