import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@testable import LocalCA

@Suite("Root certificate")
struct RootCertificateTests {
    @Test("a constrained root has the required extensions, read back from rootCA.pem")
    func constrainedRootExtensions() throws {
        try withTemporaryFolder { home in
            let folder = home.appendingPathComponent("ca")
            _ = try CertificateAuthority.create(caFolder: folder, constrained: true)
            let pem = try String(contentsOf: folder.appendingPathComponent("rootCA.pem"), encoding: .utf8)
            let root = try Certificate(pemEncoded: pem)
            let extensions = root.extensions

            #expect(try extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
            #expect(extensions[oid: .X509ExtensionID.basicConstraints]?.critical == true)

            let keyUsage = try #require(try extensions.keyUsage)
            #expect(keyUsage.keyCertSign && keyUsage.cRLSign)
            #expect(!keyUsage.digitalSignature && !keyUsage.keyEncipherment)
            #expect(extensions[oid: .X509ExtensionID.keyUsage]?.critical == true)

            let ski = try #require(try extensions.subjectKeyIdentifier)
            #expect(ski.keyIdentifier == SubjectKeyIdentifier(hash: root.publicKey).keyIdentifier)

            let constraints = try #require(try extensions.nameConstraints)
            #expect(extensions[oid: .X509ExtensionID.nameConstraints]?.critical == true)
            #expect(Array(constraints.permittedDNSDomains) == ["localhost", "test", "local", "internal", "home.arpa"])
            let ranges = constraints.permittedIPRanges.map { IPRange(constraintBytes: $0.bytes)!.description }
            #expect(ranges == [
                "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                "169.254.0.0/16", "fc00::/7", "fe80::/10",
            ])
            #expect(constraints.excludedSubtrees.isEmpty)
            // The raw octets of one range, to pin the encoding (address ‖ mask).
            #expect(constraints.permittedIPRanges.contains(ASN1OctetString(contentBytes: [172, 16, 0, 0, 255, 240, 0, 0])))
        }
    }

    @Test("the root is P-256, self-signed, valid ten years, with mkcert-style subject")
    func rootShape() throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
            let root = ca.certificate
            #expect(P256.Signing.PublicKey(root.publicKey) != nil)
            #expect(root.signatureAlgorithm == .ecdsaWithSHA256)
            #expect(root.issuer == root.subject)
            #expect(root.publicKey.isValidSignature(root.signature, for: root))
            let years = root.notValidAfter.timeIntervalSince(root.notValidBefore) / (365.25 * 86_400)
            #expect(abs(years - 10) < 0.01)
            #expect(root.notValidBefore < Date())

            let identity = "\(UserIdentity.userName)@\(UserIdentity.hostName)"
            #expect(root.subject.firstText(of: .RDNAttributeType.organizationName) == "Postern development CA")
            #expect(root.subject.organizationalUnitText == UserIdentity.bounded(identity))
            let tag = SHA256.hash(data: Array(root.publicKey.subjectPublicKeyInfoBytes)).prefix(4).map { String(format: "%02X", $0) }.joined()
            #expect(root.subject.commonNameText == UserIdentity.bounded("Postern development CA \(tag) (\(identity))"))
            #expect(ca.isNameConstrained)
            #expect(ca.namePolicy == NamePolicy.postern)
        }
    }

    @Test("create(constrained: false) makes a root without NameConstraints")
    func unconstrainedRoot() throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: false)
            #expect(!ca.isNameConstrained)
            #expect(ca.namePolicy == nil)
            let reloaded = try Certificate(pemEncoded: String(contentsOf: ca.rootCertificatePath, encoding: .utf8))
            #expect(reloaded.extensions[oid: .X509ExtensionID.nameConstraints] == nil)
            #expect(try reloaded.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        }
    }

    @Test("the key is written as PKCS#8 PEM and load() gives back the same root")
    func keyFormatAndReload() throws {
        try withTemporaryFolder { home in
            let folder = home.appendingPathComponent("ca")
            let created = try CertificateAuthority.create(caFolder: folder, constrained: true)
            let keyText = try String(contentsOf: created.privateKeyPath, encoding: .utf8)
            #expect(keyText.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
            #expect(keyText.hasSuffix("-----END PRIVATE KEY-----\n"))
            #expect(try String(contentsOf: created.rootCertificatePath, encoding: .utf8) == created.pem)

            let loaded = try CertificateAuthority.load(caFolder: folder)
            #expect(loaded.der == created.der)
            #expect(loaded.sha256Fingerprint == created.sha256Fingerprint)
            let again = try CertificateAuthority.loadOrCreate(caFolder: folder)
            #expect(again.der == created.der)
        }
    }

    @Test("loadOrCreate creates a constrained root once, then keeps it")
    func loadOrCreate() throws {
        try withTemporaryFolder { home in
            let folder = home.appendingPathComponent("data/ca")
            let first = try CertificateAuthority.loadOrCreate(caFolder: folder)
            #expect(first.isNameConstrained)
            let second = try CertificateAuthority.loadOrCreate(caFolder: folder)
            #expect(first.sha256Fingerprint == second.sha256Fingerprint)
        }
    }

    @Test("create refuses to overwrite, load refuses an empty folder")
    func lifecycleErrors() throws {
        try withTemporaryFolder { home in
            let folder = home.appendingPathComponent("ca")
            let error = #expect(throws: LocalCAError.self) { try CertificateAuthority.load(caFolder: folder) }
            #expect(error?.code == .authorityNotFound)
            #expect(error?.description.contains("postern ca create") == true)

            let original = try CertificateAuthority.create(caFolder: folder, constrained: true)
            let exists = #expect(throws: LocalCAError.self) {
                try CertificateAuthority.create(caFolder: folder, constrained: false)
            }
            #expect(exists?.code == .authorityExists)
            #expect(try CertificateAuthority.load(caFolder: folder).der == original.der)

            try FileManager.default.removeItem(at: original.privateKeyPath)
            let incomplete = #expect(throws: LocalCAError.self) { try CertificateAuthority.loadOrCreate(caFolder: folder) }
            #expect(incomplete?.code == .authorityIncomplete)
        }
    }

    @Test("a key that does not belong to the root is refused")
    func mismatchedKey() throws {
        try withTemporaryFolder { home in
            let folder = home.appendingPathComponent("ca")
            _ = try CertificateAuthority.create(caFolder: folder, constrained: true)
            let other = P256.Signing.PrivateKey().pemRepresentation
            try other.write(to: folder.appendingPathComponent("rootCA-key.pem"), atomically: true, encoding: .utf8)
            let error = #expect(throws: LocalCAError.self) { try CertificateAuthority.load(caFolder: folder) }
            #expect(error?.code == .keyDoesNotMatchCertificate)
        }
    }

    @Test("the fingerprint is the SHA-256 of the DER in AB:CD form, as openssl prints it", .enabled(if: OpenSSL.isAvailable, "needs /usr/bin/openssl"))
    func fingerprint() throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
            #expect(ca.sha256Fingerprint.count == 32 * 3 - 1)
            let result = try OpenSSL.run(["x509", "-in", ca.rootCertificatePath.path, "-noout", "-fingerprint", "-sha256"])
            #expect(result.status == 0)
            #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("=" + ca.sha256Fingerprint))
        }
    }

    @Test("making a root and a leaf takes milliseconds")
    func speed() throws {
        try withTemporaryFolder { home in
            let clock = ContinuousClock()
            var ca: CertificateAuthority?
            let withFiles = try clock.measure {
                ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
                _ = try ServerCertificate.ensure(ca: ca!, certsFolder: home.appendingPathComponent("certs"), names: ["localhost", "127.0.0.1"])
            }
            let names: [CertificateName] = [.dns("localhost"), .ip(IPAddress("127.0.0.1")!)]
            let tenLeaves = try clock.measure {
                for _ in 0..<10 { _ = try ca!.issue(names: names) }
            }
            print("LocalCATests: root + server leaf written and fsynced in \(withFiles); one leaf in memory in \(tenLeaves / 10)")
            // Typically a few ms; the bounds are loose for debug builds on a busy machine.
            #expect(withFiles < .milliseconds(500))
            #expect(tenLeaves / 10 < .milliseconds(50))
        }
    }
}
