import Foundation
import SwiftASN1
import Testing
import X509

@testable import LocalCA

@Suite("ca rotate")
struct RotateTests {
    @Test("rotate replaces key and certificate, keeps only the old certificate, and gives the new root its own subject")
    func rotateReplacesRoot() throws {
        try withTemporaryFolder { home in
            let folder = home.appendingPathComponent("ca")
            let first = try CertificateAuthority.create(caFolder: folder, constrained: true)
            let oldKey = try String(contentsOf: first.privateKeyPath, encoding: .utf8)

            let (old, new) = try CertificateAuthority.rotate(caFolder: folder, constrained: true)
            #expect(old.der == first.der)
            #expect(new.der != old.der)
            #expect(new.certificate.publicKey != old.certificate.publicKey)
            // NSS files certificates with one subject under one nickname: the subjects must differ.
            #expect(new.certificate.subject != old.certificate.subject)
            #expect(new.isNameConstrained)

            let reloaded = try CertificateAuthority.load(caFolder: folder)
            #expect(reloaded.der == new.der)
            #expect(try String(contentsOf: new.privateKeyPath, encoding: .utf8) != oldKey)
            #expect(try permissions(new.privateKeyPath) == 0o600)

            let retired = try String(contentsOf: old.retiredCertificatePath, encoding: .utf8)
            #expect(retired == old.pem)
            let kept = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("retired").path)
            #expect(kept == [old.retiredCertificatePath.lastPathComponent])
        }
    }

    @Test("rotate --unconstrained makes an unconstrained root; rotate without a root is a clear error")
    func rotateOptions() throws {
        try withTemporaryFolder { home in
            let folder = home.appendingPathComponent("ca")
            #expect(throws: LocalCAError.self) { try CertificateAuthority.rotate(caFolder: folder, constrained: true) }
            _ = try CertificateAuthority.create(caFolder: folder, constrained: true)
            let (_, new) = try CertificateAuthority.rotate(caFolder: folder, constrained: false)
            #expect(!new.isNameConstrained)
        }
    }

    @Test("renew re-issues a server certificate from the new root with the names it had; an empty folder has nothing to renew")
    func renewAfterRotate() throws {
        try withTemporaryFolder { home in
            let folder = home.appendingPathComponent("ca")
            let certs = home.appendingPathComponent("certs")
            let first = try CertificateAuthority.create(caFolder: folder, constrained: true)
            let before = try ServerCertificate.ensure(ca: first, certsFolder: certs, names: ["localhost", "api.test", "127.0.0.1"])
            let (_, new) = try CertificateAuthority.rotate(caFolder: folder, constrained: true)

            let renewed = try #require(try ServerCertificate.renew(ca: new, certsFolder: certs))
            #expect(renewed.reissued)
            #expect(Set(renewed.names) == Set(before.names))
            let chain = try PEMDocument.parseMultiple(pemString: String(contentsOf: renewed.certificateChainPath, encoding: .utf8))
            #expect(chain.count == 2)
            let leaf = try Certificate(derEncoded: chain[0].derBytes)
            #expect(chain.last?.derBytes == new.der)
            #expect(leaf.issuer == new.certificate.subject)
            #expect(new.certificate.publicKey.isValidSignature(leaf.signature, for: leaf))
            #expect(try ServerCertificate.renew(ca: new, certsFolder: home.appendingPathComponent("none")) == nil)
        }
    }
}
