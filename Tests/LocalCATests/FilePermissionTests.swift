import Foundation
import Testing

@testable import LocalCA

@Suite("File permissions")
struct FilePermissionTests {
    @Test("the CA folder is 0700, the root key 0600, the root certificate 0644")
    func caFiles() throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
            #expect(try permissions(ca.caFolder) == 0o700)
            #expect(try permissions(ca.privateKeyPath) == 0o600)
            #expect(try permissions(ca.rootCertificatePath) == 0o644)
        }
    }

    @Test("the server key is 0600 and its folder 0700")
    func serverFiles() throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
            let files = try ServerCertificate.ensure(ca: ca, certsFolder: home.appendingPathComponent("certs"), names: ["localhost"])
            #expect(try permissions(files.keyPath) == 0o600)
            #expect(try permissions(files.keyPath.deletingLastPathComponent()) == 0o700)
            #expect(try permissions(files.certificateChainPath) == 0o644)

            // A key someone opened up is closed again without being replaced.
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: files.keyPath.path)
            let again = try ServerCertificate.ensure(ca: ca, certsFolder: home.appendingPathComponent("certs"), names: ["localhost"])
            #expect(!again.reissued)
            #expect(try permissions(files.keyPath) == 0o600)
        }
    }

    @Test("an existing CA folder that is too open is tightened to 0700")
    func tightensExistingFolder() throws {
        try withTemporaryFolder { home in
            let folder = home.appendingPathComponent("ca")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
            _ = try CertificateAuthority.create(caFolder: folder, constrained: true)
            #expect(try permissions(folder) == 0o700)
        }
    }

    @Test("the key file is never readable by others, even while it is written, whatever the umask")
    func keyCreatedPrivate() throws {
        try withTemporaryFolder { home in
            let previous = umask(0)
            defer { umask(previous) }
            let target = home.appendingPathComponent("secret.pem")
            try SecureFile.save(Array("secret\n".utf8), to: target, mode: 0o600)
            #expect(try permissions(target) == 0o600)
            // No temporary file is left behind.
            #expect(try FileManager.default.contentsOfDirectory(atPath: home.path) == ["secret.pem"])
            // Replacing keeps the mode and the content is the new one.
            try SecureFile.save(Array("newer\n".utf8), to: target, mode: 0o600)
            #expect(try String(contentsOf: target, encoding: .utf8) == "newer\n")
            #expect(try permissions(target) == 0o600)
        }
    }
}
