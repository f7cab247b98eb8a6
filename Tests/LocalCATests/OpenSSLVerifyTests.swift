import Foundation
import Testing
import X509

@testable import LocalCA

/// Checks Postern's certificates with OpenSSL, a verifier it does not control:
/// the leaves verify against the root, and the root's name constraints are
/// enforced by the verifier itself, not only by Postern's own pre-check.
@Suite("OpenSSL verification", .enabled(if: OpenSSL.isAvailable, "needs /usr/bin/openssl"))
struct OpenSSLVerifyTests {
    /// Writes `issued` and runs `openssl verify` against the root; extra arguments go before the file.
    func verify(_ issued: IssuedCertificate, ca: CertificateAuthority, in folder: URL, _ extra: [String] = []) throws -> (status: Int32, output: String) {
        let leafPath = folder.appendingPathComponent("leaf-\(UUID().uuidString).pem")
        try issued.certificatePEM.write(to: leafPath, atomically: true, encoding: .utf8)
        return try OpenSSL.run(["verify", "-CAfile", ca.rootCertificatePath.path] + extra + [leafPath.path])
    }

    @Test("the server leaf in server.pem verifies against rootCA.pem, for its host names and addresses")
    func serverLeafVerifies() throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
            let files = try ServerCertificate.ensure(
                ca: ca, certsFolder: home.appendingPathComponent("certs"),
                names: ["localhost", "127.0.0.1", "::1", "app.test", "192.168.1.20"]
            )
            // Split the chain file and verify its first certificate (the leaf).
            let chain = try String(contentsOf: files.certificateChainPath, encoding: .utf8)
            let end = "-----END CERTIFICATE-----\n"
            let leafText = String(chain[..<chain.range(of: end)!.upperBound])
            let leafPath = home.appendingPathComponent("leaf.pem")
            try leafText.write(to: leafPath, atomically: true, encoding: .utf8)

            let plain = try OpenSSL.run(["verify", "-CAfile", ca.rootCertificatePath.path, leafPath.path])
            #expect(plain.status == 0, "\(plain.output)")
            for check in [["-verify_hostname", "localhost"], ["-verify_hostname", "app.test"], ["-verify_ip", "127.0.0.1"],
                          ["-verify_ip", "::1"], ["-verify_ip", "192.168.1.20"]] {
                let result = try OpenSSL.run(["verify", "-purpose", "sslserver", "-CAfile", ca.rootCertificatePath.path] + check + [leafPath.path])
                #expect(result.status == 0, "\(check): \(result.output)")
            }
            let wrongHost = try OpenSSL.run(["verify", "-CAfile", ca.rootCertificatePath.path, "-verify_hostname", "other.test", leafPath.path])
            #expect(wrongHost.status != 0)

            // The key file holds the leaf's key.
            let keyCheck = try OpenSSL.run(["pkey", "-in", files.keyPath.path, "-pubout"])
            let certKey = try OpenSSL.run(["x509", "-in", leafPath.path, "-noout", "-pubkey"])
            #expect(keyCheck.status == 0 && keyCheck.output == certKey.output)
        }
    }

    @Test("names inside the constraints pass openssl verify", arguments: [
        ["foo.test"], ["x.local"], ["localhost"], ["api.localhost"], ["svc.internal"], ["nas.home.arpa"],
        ["10.1.2.3"], ["172.31.255.1"], ["fd00::1"], ["*.app.test"],
    ])
    func permittedNamesPass(names: [String]) throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
            let issued = try ca.issue(names: CertificateName.parseAll(names))
            let result = try verify(issued, ca: ca, in: home)
            #expect(result.status == 0, "\(names): \(result.output)")
        }
    }

    @Test("a leaf outside the constraints, forced past Postern's check, is refused by openssl", arguments: [
        ["example.com"], ["localhost", "example.com"], ["test.example"], ["notlocal"], ["8.8.8.8"], ["2001:db8::1"], ["172.32.0.1"],
    ])
    func forbiddenNamesFail(names: [String]) throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
            let parsed = try CertificateName.parseAll(names)
            // Postern's own check refuses it…
            #expect(throws: LocalCAError.self) { try ca.issue(names: parsed) }
            // …and OpenSSL refuses the certificate made without the check.
            let forced = try ca.issueUnchecked(names: parsed, profile: LeafProfile(), now: Date())
            let result = try verify(forced, ca: ca, in: home)
            #expect(result.status != 0)
            #expect(result.output.contains("violation"), "\(result.output)")
        }
    }

    @Test("an unconstrained root signs example.com and openssl accepts it")
    func unconstrainedRootSignsAnything() throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: false)
            let issued = try ca.issue(names: CertificateName.parseAll(["example.com", "8.8.8.8"]))
            let result = try verify(issued, ca: ca, in: home)
            #expect(result.status == 0, "\(result.output)")
        }
    }

    @Test("RSA and client leaves verify for their purpose")
    func rsaAndClientLeaves() throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
            let issued = try ca.issue(
                names: CertificateName.parseAll(["client.test"]),
                profile: LeafProfile(keyType: .rsa(bits: 2048), clientAuthentication: true)
            )
            #expect(issued.privateKeyPEM?.hasPrefix("-----BEGIN PRIVATE KEY-----") == true)
            #expect(try verify(issued, ca: ca, in: home, ["-purpose", "sslclient"]).status == 0)
            #expect(try verify(issued, ca: ca, in: home, ["-purpose", "sslserver"]).status == 0)
        }
    }

    @Test("a CSR made by openssl is signed with its own key and names; one for a public name is refused")
    func signsRequests() throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
            func request(_ san: String) throws -> String {
                let path = home.appendingPathComponent("req-\(UUID().uuidString).csr").path
                let made = try OpenSSL.run([
                    "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", path + ".key", "-out", path, "-subj", "/CN=ignored", "-addext", "subjectAltName=\(san)",
                ])
                #expect(made.status == 0, "\(made.output)")
                return try String(contentsOfFile: path, encoding: .utf8)
            }
            let issued = try ca.issue(csrPEM: request("DNS:svc.test,IP:10.0.0.5"))
            #expect(issued.privateKeyPEM == nil)
            #expect(issued.names == [.dns("svc.test"), .ip(IPAddress("10.0.0.5")!)])
            #expect(try verify(issued, ca: ca, in: home, ["-verify_hostname", "svc.test"]).status == 0)

            let refused = #expect(throws: LocalCAError.self) { try ca.issue(csrPEM: request("DNS:example.com")) }
            #expect(refused?.code == .nameOutsideConstraints)
            let garbage = #expect(throws: LocalCAError.self) { try ca.issue(csrPEM: "not a request") }
            #expect(garbage?.code == .invalidRequest)
        }
    }
}
