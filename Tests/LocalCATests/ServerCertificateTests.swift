import Foundation
import SwiftASN1
import Testing
import X509

@testable import LocalCA

@Suite("Server certificate")
struct ServerCertificateTests {
    struct Setup {
        var ca: CertificateAuthority
        var certs: URL
    }

    func setUp(_ home: URL, constrained: Bool = true) throws -> Setup {
        Setup(
            ca: try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: constrained),
            certs: home.appendingPathComponent("certs")
        )
    }

    /// Content and modification time of a file, to prove it was left alone.
    func snapshot(_ url: URL) throws -> (Data, Date) {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (try Data(contentsOf: url), attributes[.modificationDate] as! Date)
    }

    func leaf(_ files: ServerCertificateFiles) throws -> [Certificate] {
        let text = try String(contentsOf: files.certificateChainPath, encoding: .utf8)
        return try PEMDocument.parseMultiple(pemString: text).map { try Certificate(derEncoded: $0.derBytes) }
    }

    @Test("the leaf has the server profile and server.pem holds leaf then root")
    func leafProfile() throws {
        try withTemporaryFolder { home in
            let s = try setUp(home)
            let now = Date()
            let files = try s.ensure(["localhost", "127.0.0.1", "::1", "Foo.Test"], now: now)
            #expect(files.reissued)
            #expect(files.names == ["localhost", "127.0.0.1", "::1", "foo.test"])

            let chain = try leaf(files)
            #expect(chain.count == 2)
            #expect(chain[1] == s.ca.certificate)
            let leaf = chain[0]
            #expect(leaf.issuer == s.ca.certificate.subject)
            #expect(s.ca.certificate.publicKey.isValidSignature(leaf.signature, for: leaf))
            #expect(leaf.signatureAlgorithm == .ecdsaWithSHA256)
            #expect(files.notValidAfter == leaf.notValidAfter)

            let extensions = leaf.extensions
            #expect(try extensions.basicConstraints == .notCertificateAuthority)
            let keyUsage = try #require(try extensions.keyUsage)
            #expect(keyUsage.digitalSignature && !keyUsage.keyCertSign)
            #expect(extensions[oid: .X509ExtensionID.keyUsage]?.critical == true)
            #expect(try extensions.extendedKeyUsage == ExtendedKeyUsage([.serverAuth]))
            let sans = try #require(try extensions.subjectAlternativeNames)
            #expect(Array(sans) == [
                .dnsName("localhost"),
                .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
                .dnsName("foo.test"),
            ])
            let aki = try #require(try extensions.authorityKeyIdentifier)
            #expect(aki.keyIdentifier == (try s.ca.certificate.extensions.subjectKeyIdentifier)?.keyIdentifier)

            #expect(leaf.notValidBefore < now)
            #expect(leaf.notValidAfter.timeIntervalSince(leaf.notValidBefore) <= 397 * 86_400)
            #expect(leaf.notValidAfter.timeIntervalSince(now) > 390 * 86_400)
            #expect(leaf.serialNumber != chain[1].serialNumber)
            #expect(leaf.serialNumber.bytes.count <= 20)
        }
    }

    @Test("a second call with the same names keeps the files untouched, in any order and spelling")
    func keepsCurrentLeaf() throws {
        try withTemporaryFolder { home in
            let s = try setUp(home)
            let first = try s.ensure(["localhost", "127.0.0.1", "::1"])
            let chainBefore = try snapshot(first.certificateChainPath)
            let keyBefore = try snapshot(first.keyPath)
            Thread.sleep(forTimeInterval: 0.02)

            let second = try s.ensure(["0::1", "LOCALHOST", "127.0.0.1"])
            #expect(!second.reissued)
            #expect(second.reissueReason == nil)
            #expect(second.notValidAfter == first.notValidAfter)
            let chainAfter = try snapshot(second.certificateChainPath)
            let keyAfter = try snapshot(second.keyPath)
            #expect(chainAfter.0 == chainBefore.0 && chainAfter.1 == chainBefore.1)
            #expect(keyAfter.0 == keyBefore.0 && keyAfter.1 == keyBefore.1)
        }
    }

    @Test("a change of names re-issues")
    func reissuesWhenNamesChange() throws {
        try withTemporaryFolder { home in
            let s = try setUp(home)
            let first = try leaf(s.ensure(["localhost", "127.0.0.1"]))[0]
            let added = try s.ensure(["localhost", "127.0.0.1", "api.test"])
            #expect(added.reissued)
            #expect(added.reissueReason == "the names differ")
            let sans = try #require(try leaf(added)[0].extensions.subjectAlternativeNames)
            #expect(sans.contains(.dnsName("api.test")))
            let removed = try s.ensure(["localhost"])
            #expect(removed.reissued)
            let last = try leaf(removed)[0]
            #expect(last != first)
            #expect(try last.extensions.subjectAlternativeNames.map(Array.init) == [.dnsName("localhost")])
        }
    }

    @Test("a leaf expiring within 30 days is replaced, one with 31 days left is kept")
    func reissuesBeforeExpiry() throws {
        try withTemporaryFolder { home in
            let s = try setUp(home)
            let first = try s.ensure(["localhost"])
            let keptAt = first.notValidAfter.addingTimeInterval(-31 * 86_400)
            #expect(try !s.ensure(["localhost"], now: keptAt).reissued)
            let renewAt = first.notValidAfter.addingTimeInterval(-29 * 86_400)
            let renewed = try s.ensure(["localhost"], now: renewAt)
            #expect(renewed.reissued)
            #expect(renewed.reissueReason == "it expires within 30 days")
            #expect(renewed.notValidAfter > first.notValidAfter)
        }
    }

    @Test("a leaf from another root, a broken file or a mismatched key is replaced")
    func reissuesWhenInvalid() throws {
        try withTemporaryFolder { home in
            let s = try setUp(home)
            let files = try s.ensure(["localhost"])

            let otherRoot = try CertificateAuthority.create(caFolder: home.appendingPathComponent("other-ca"), constrained: true)
            let fromOther = try ServerCertificate.ensure(ca: otherRoot, certsFolder: s.certs, names: ["localhost"])
            #expect(fromOther.reissued)
            #expect(fromOther.reissueReason == "it was signed by another root")

            try "not a certificate".write(to: files.certificateChainPath, atomically: true, encoding: .utf8)
            #expect(try s.ensure(["localhost"]).reissued)

            try FileManager.default.removeItem(at: files.keyPath)
            #expect(try s.ensure(["localhost"]).reissued)
            #expect(try permissions(files.keyPath) == 0o600)

            let otherKey = try s.ca.issue(names: [.dns("localhost")]).privateKeyPEM!
            try otherKey.write(to: files.keyPath, atomically: true, encoding: .utf8)
            let repaired = try s.ensure(["localhost"])
            #expect(repaired.reissueReason == "the key does not match the certificate")
            #expect(try !s.ensure(["localhost"]).reissued)
        }
    }

    @Test("a name outside the constraints is refused before anything is written")
    func refusesNamesOutsideConstraints() throws {
        try withTemporaryFolder { home in
            let s = try setUp(home)
            let error = #expect(throws: LocalCAError.self) { try s.ensure(["localhost", "example.com"]) }
            #expect(error?.code == .nameOutsideConstraints)
            #expect(error?.description.contains("“example.com”") == true)
            #expect(error?.description.contains("postern ca create --unconstrained") == true)
            #expect(error?.description.contains("DNS localhost, test, local, internal, home.arpa") == true)
            #expect(!FileManager.default.fileExists(atPath: s.certs.appendingPathComponent("server.pem").path))

            let unconstrained = try setUp(home.appendingPathComponent("open"), constrained: false)
            #expect(try unconstrained.ensure(["example.com"]).reissued)
        }
    }

    @Test("invalid names and an empty list are refused with a sentence")
    func invalidNames() throws {
        try withTemporaryFolder { home in
            let s = try setUp(home)
            for bad in ["bad name.test", "-x.test", "1.2.3", "fe80::1%eth0", "ünï.test", "a..test"] {
                let error = #expect(throws: LocalCAError.self, "\(bad)") { try s.ensure([bad]) }
                #expect(error?.code == .invalidName)
            }
            let empty = #expect(throws: LocalCAError.self) { try s.ensure([]) }
            #expect(empty?.code == .noNames)
        }
    }
}

extension ServerCertificateTests.Setup {
    func ensure(_ names: [String], now: Date = Date()) throws -> ServerCertificateFiles {
        try ServerCertificate.ensure(ca: ca, certsFolder: certs, names: names, now: now)
    }
}
