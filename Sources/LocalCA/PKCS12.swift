import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// PKCS#12 (`.p12`) bundles: a leaf, its chain and its encrypted key in one
/// file, for Windows, Java key stores, Android and macOS Keychain imports
/// (mkcert's `-pkcs12`).
///
/// ```swift
/// let leaf = try ca.issue(names: [.dns("app.test")])
/// let p12 = try PKCS12.bundle(leaf, chain: [ca.certificate])   // password "changeit"
/// ```
///
/// The layout is OpenSSL 3's default for `openssl pkcs12 -export` (RFC 7292):
/// the key in a pkcs8ShroudedKeyBag encrypted with PBES2 (PBKDF2-HMAC-SHA256,
/// AES-256-CBC), the certificates in plain certBags, and an HMAC-SHA256
/// integrity MAC keyed with the PKCS#12 key derivation (RFC 7292 Appendix B).
/// The leaf and the key share a localKeyID attribute so importers pair them.
/// The password defaults to mkcert's well-known `changeit`: the bundle's
/// encryption is a format requirement here, not a protection.
public enum PKCS12 {
    /// mkcert's password for its bundles.
    public static let defaultPassword = "changeit"

    /// Iterations of PBKDF2 and of the MAC key derivation: OpenSSL's default.
    static let iterations = 2048

    /// The `.p12` bytes for `issued` (which must carry its key) and `chain`.
    public static func bundle(_ issued: IssuedCertificate, chain: [Certificate], password: String = defaultPassword, friendlyName: String? = nil) throws -> [UInt8] {
        guard let keyPEM = issued.privateKeyPEM else {
            throw LocalCAError(.unsupportedKey, "A PKCS#12 bundle needs the certificate's private key, and a certificate issued for a CSR has none here; write PEM files instead.")
        }
        do {
            let keyInfo = try PEMDocument(pemString: keyPEM).derBytes
            let leafDER = try der(issued.certificate)
            let keyID = Array(Insecure.SHA1.hash(data: leafDER))
            let name = friendlyName ?? issued.names.first?.description ?? "postern"

            let certificateBags = try [certificateBag(leafDER, attributes: attributes(keyID: keyID, name: name))]
                + chain.map { try certificateBag(der($0), attributes: nil) }
            let keyBag = try shroudedKeyBag(keyInfo, password: password, attributes: attributes(keyID: keyID, name: name))

            let authenticatedSafe = try encode { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try dataContentInfo(try encode { try $0.serializeSequenceOf(certificateBags) }, into: &coder)
                    try dataContentInfo(try encode { try $0.serializeSequenceOf([keyBag]) }, into: &coder)
                }
            }
            let macSalt = randomBytes(16)
            let macKey = deriveKey(password: password, salt: macSalt, id: 3, length: 32)
            let mac = Array(HMAC<SHA256>.authenticationCode(for: authenticatedSafe, using: SymmetricKey(data: macKey)))

            return try encode { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(3)
                    try dataContentInfo(authenticatedSafe, into: &coder)
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try algorithm(OID.sha256, nullParameters: true, into: &coder)
                            try coder.serialize(ASN1OctetString(contentBytes: mac[...]))
                        }
                        try coder.serialize(ASN1OctetString(contentBytes: macSalt[...]))
                        try coder.serialize(iterations)
                    }
                }
            }
        } catch let error as LocalCAError {
            throw error
        } catch {
            throw LocalCAError.signing("PKCS#12 bundle", error)
        }
    }

    enum OID {
        static let data: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 1]
        static let shroudedKeyBag: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 10, 1, 2]
        static let certBag: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 12, 10, 1, 3]
        static let x509Certificate: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 22, 1]
        static let friendlyName: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 20]
        static let localKeyID: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 9, 21]
        static let pbes2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 13]
        static let pbkdf2: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 5, 12]
        static let hmacWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 2, 9]
        static let aes256CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 42]
        static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    }

    /// Already-encoded DER, to put inside SEQUENCE OF / SET OF.
    struct EncodedNode: DERSerializable {
        var bytes: [UInt8]
        func serialize(into coder: inout DER.Serializer) throws { coder.serializeRawBytes(bytes) }
    }

    static func encode(_ body: (inout DER.Serializer) throws -> Void) throws -> [UInt8] {
        var coder = DER.Serializer()
        try body(&coder)
        return coder.serializedBytes
    }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        try encode { try $0.serialize(certificate) }
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max) }
    }

    /// `ContentInfo { id-data, [0] EXPLICIT OCTET STRING content }`.
    static func dataContentInfo(_ content: [UInt8], into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(OID.data)
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                try coder.serialize(ASN1OctetString(contentBytes: content[...]))
            }
        }
    }

    static func algorithm(_ oid: ASN1ObjectIdentifier, nullParameters: Bool, into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(oid)
            if nullParameters { try coder.serialize(ASN1Null()) }
        }
    }

    /// `SET OF Attribute` with localKeyID and friendlyName (a BMPString).
    static func attributes(keyID: [UInt8], name: String) throws -> EncodedNode {
        let localKeyID = try EncodedNode(bytes: encode { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(OID.localKeyID)
                try coder.serializeSetOf([ASN1OctetString(contentBytes: keyID[...])])
            }
        })
        let friendlyName = try EncodedNode(bytes: encode { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(OID.friendlyName)
                coder.appendConstructedNode(identifier: .set) { coder in
                    coder.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 30, tagClass: .universal)) { bytes in
                        for unit in name.utf16 { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
                    }
                }
            }
        })
        return try EncodedNode(bytes: encode { try $0.serializeSetOf([localKeyID, friendlyName]) })
    }

    /// `SafeBag { certBag, [0] CertBag { x509Certificate, [0] OCTET STRING } , attributes }`.
    static func certificateBag(_ der: [UInt8], attributes: EncodedNode?) throws -> EncodedNode {
        try EncodedNode(bytes: encode { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(OID.certBag)
                try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.serialize(OID.x509Certificate)
                        try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                            try coder.serialize(ASN1OctetString(contentBytes: der[...]))
                        }
                    }
                }
                if let attributes { try coder.serialize(attributes) }
            }
        })
    }

    /// `SafeBag { pkcs8ShroudedKeyBag, [0] EncryptedPrivateKeyInfo, attributes }`, PBES2-encrypted.
    static func shroudedKeyBag(_ privateKeyInfo: [UInt8], password: String, attributes: EncodedNode) throws -> EncodedNode {
        let salt = randomBytes(16)
        let iv = randomBytes(16)
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, unsafeUncheckedRounds: iterations
        )
        let encrypted = try Array(AES._CBC.encrypt(privateKeyInfo, using: key, iv: AES._CBC.IV(ivBytes: iv)))
        return try EncodedNode(bytes: encode { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(OID.shroudedKeyBag)
                try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        // AlgorithmIdentifier { PBES2, PBES2-params }
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(OID.pbes2)
                            try coder.appendConstructedNode(identifier: .sequence) { coder in
                                try coder.appendConstructedNode(identifier: .sequence) { coder in
                                    try coder.serialize(OID.pbkdf2)
                                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                                        try coder.serialize(ASN1OctetString(contentBytes: salt[...]))
                                        try coder.serialize(iterations)
                                        try algorithm(OID.hmacWithSHA256, nullParameters: true, into: &coder)
                                    }
                                }
                                try coder.appendConstructedNode(identifier: .sequence) { coder in
                                    try coder.serialize(OID.aes256CBC)
                                    try coder.serialize(ASN1OctetString(contentBytes: iv[...]))
                                }
                            }
                        }
                        try coder.serialize(ASN1OctetString(contentBytes: encrypted[...]))
                    }
                }
                try coder.serialize(attributes)
            }
        })
    }

    /// RFC 7292 Appendix B.2 with SHA-256 (u = 32, v = 64); `id` 3 makes a MAC key.
    static func deriveKey(password: String, salt: [UInt8], id: UInt8, length: Int) -> [UInt8] {
        let u = 32, v = 64
        // The password as a BMPString with its two-byte terminator.
        var passwordBytes: [UInt8] = password.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        passwordBytes += [0, 0]
        func stretched(_ bytes: [UInt8]) -> [UInt8] {
            guard !bytes.isEmpty else { return [] }
            let count = v * ((bytes.count + v - 1) / v)
            return (0..<count).map { bytes[$0 % bytes.count] }
        }
        let diversifier = [UInt8](repeating: id, count: v)
        var input = stretched(salt) + stretched(passwordBytes)
        var output: [UInt8] = []
        while output.count < length {
            var a = Array(SHA256.hash(data: diversifier + input))
            for _ in 1..<iterations { a = Array(SHA256.hash(data: a)) }
            output += a
            let b = (0..<v).map { a[$0 % u] }
            for block in stride(from: 0, to: input.count, by: v) {
                var carry: UInt16 = 1
                for index in (0..<v).reversed() {
                    let sum = UInt16(input[block + index]) + UInt16(b[index]) + carry
                    input[block + index] = UInt8(sum & 0xFF)
                    carry = sum >> 8
                }
            }
        }
        return Array(output.prefix(length))
    }
}
