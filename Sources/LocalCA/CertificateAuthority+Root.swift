import Crypto
import Foundation
import X509

extension CertificateAuthority {
    /// When a root made at `notBefore` expires: ten calendar years later, like mkcert's.
    static func rootExpiry(from notBefore: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(byAdding: .year, value: 10, to: notBefore) ?? notBefore.addingTimeInterval(3_652 * 86_400)
    }

    /// How far back `notBefore` is set, so a device whose clock runs a little
    /// behind does not reject a root or leaf made a moment ago.
    static let backdating: TimeInterval = 3_600

    /// The subject of a root made by `identity` (`user@host`) for `publicKey`,
    /// mkcert's shape with Postern's names: O and OU say whose it is, CN says
    /// it again in a form lists of certificates can show on one line.
    ///
    /// The CN also carries ``keyTag(_:)``, so two roots of one user (before
    /// and after `postern ca rotate`) have different subjects: NSS files every
    /// certificate with one subject under one nickname, and a phone's list
    /// would show two identical names.
    static func rootSubject(identity: String, publicKey: Certificate.PublicKey) throws -> DistinguishedName {
        try DistinguishedName {
            OrganizationName("Postern development CA")
            OrganizationalUnitName(UserIdentity.bounded(identity))
            CommonName(UserIdentity.bounded("Postern development CA \(keyTag(publicKey)) (\(identity))"))
        }
    }

    /// The first 8 hex digits (upper case) of the SHA-256 of the key's
    /// SubjectPublicKeyInfo: short, and fixed before the certificate exists.
    static func keyTag(_ publicKey: Certificate.PublicKey) -> String {
        SHA256.hash(data: Array(publicKey.subjectPublicKeyInfoBytes)).prefix(4).map { String(format: "%02X", $0) }.joined()
    }

    /// Builds a self-signed root.
    ///
    /// - BasicConstraints CA with pathLenConstraint 0, critical: it signs
    ///   leaves only, never intermediates, so a leaf key can never act as a CA.
    /// - KeyUsage keyCertSign and cRLSign, critical (RFC 5280 § 4.2.1.3).
    /// - SubjectKeyIdentifier, the SHA-1 of the public key (§ 4.2.1.2), which
    ///   leaves point back to with their AuthorityKeyIdentifier.
    /// - NameConstraints from `policy`, critical as § 4.2.1.10 requires, when
    ///   `policy` is not `nil`.
    static func makeRootCertificate(
        key: Certificate.PrivateKey,
        policy: NamePolicy?,
        identity: String,
        now: Date
    ) throws -> Certificate {
        let subject = try rootSubject(identity: identity, publicKey: key.publicKey)
        let notBefore = now.addingTimeInterval(-backdating)
        do {
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
                if let policy {
                    Critical(policy.nameConstraints)
                }
            }
            return try Certificate(
                version: .v3,
                serialNumber: randomSerialNumber(),
                publicKey: key.publicKey,
                notValidBefore: notBefore,
                notValidAfter: rootExpiry(from: notBefore),
                issuer: subject,
                subject: subject,
                signatureAlgorithm: try signatureAlgorithm(for: key.publicKey),
                extensions: extensions,
                issuerPrivateKey: key
            )
        } catch let error as LocalCAError {
            throw error
        } catch {
            throw LocalCAError.signing("root certificate", error)
        }
    }

    /// A positive 16-byte random serial number (128 bits of entropy, under
    /// RFC 5280's 20-octet limit even after DER's sign byte).
    static func randomSerialNumber() -> Certificate.SerialNumber {
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        bytes[0] = bytes[0] & 0x7F | 0x40
        return Certificate.SerialNumber(bytes: bytes)
    }
}
