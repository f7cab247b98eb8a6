import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// The choices that shape a leaf certificate.
///
/// ```swift
/// let profile = LeafProfile(keyType: .rsa(bits: 2048), clientAuthentication: true)
/// let leaf = try ca.issue(names: try CertificateName.parseAll(["app.test"]), profile: profile)
/// ```
public struct LeafProfile: Hashable, Sendable {
    /// The kind of key pair generated for the leaf.
    public enum KeyType: Hashable, Sendable {
        /// ECDSA on P-256, Postern's default: fast, small, accepted everywhere.
        case ecdsaP256
        /// RSA with this modulus size (2048 bits at least), for old clients.
        case rsa(bits: Int)
    }

    /// The key type (P-256 unless told otherwise).
    public var keyType: KeyType
    /// Adds the clientAuth extended key usage (mkcert's `-client`).
    public var clientAuthentication: Bool
    /// How long the leaf is valid; at most ``LeafProfile/maximumLifetime``.
    public var lifetime: TimeInterval

    /// 397 days: Apple and Chrome refuse TLS server certificates valid for longer than 398 days.
    public static let maximumLifetime: TimeInterval = 397 * 86_400

    /// A profile; the defaults make a P-256 server certificate valid for 397 days.
    public init(keyType: KeyType = .ecdsaP256, clientAuthentication: Bool = false, lifetime: TimeInterval = maximumLifetime) {
        self.keyType = keyType
        self.clientAuthentication = clientAuthentication
        self.lifetime = min(lifetime, Self.maximumLifetime)
    }
}

/// A leaf certificate and, when Postern generated it, its private key.
public struct IssuedCertificate: Sendable {
    /// The leaf.
    public let certificate: Certificate
    /// The leaf's key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`); `nil`
    /// when the leaf was issued for a CSR, whose key stays with its owner.
    public let privateKeyPEM: String?
    /// The leaf's key; `nil` for a CSR.
    public let privateKey: Certificate.PrivateKey?

    /// The leaf alone in PEM.
    public var certificatePEM: String { pemText(certificate) }

    /// The names in the leaf's subjectAltName, in order.
    public var names: [CertificateName] {
        guard let sans = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return sans.compactMap(CertificateName.init)
    }
}

/// PEM text of a certificate with a final newline.
func pemText(_ certificate: Certificate) -> String {
    ((try? certificate.serializeAsPEM().pemString) ?? "") + "\n"
}

extension CertificateAuthority {
    /// Throws ``LocalCAError/Code/nameOutsideConstraints`` when the root's
    /// constraints do not permit every one of `names`; verifiers would reject
    /// such a leaf, so Postern refuses to make it.
    public func checkPermitted(_ names: [CertificateName]) throws {
        guard let policy = namePolicy else { return }
        let refused = names.filter { !policy.permits($0) }
        guard !refused.isEmpty else { return }
        let list = refused.map { "“\($0)”" }.joined(separator: ", ")
        throw LocalCAError(
            .nameOutsideConstraints,
            "The root at \(rootCertificatePath.path) is name-constrained (\(policy)), so browsers and phones would reject a certificate for \(list). Use a name under .localhost, .test, .local, .internal or .home.arpa, or a private address; or, to sign public names, make an unconstrained root with `postern ca create --unconstrained` (in a CA folder without a root: move the current one away or use another --home)."
        )
    }

    /// Issues a leaf for `names` with a new key pair, after checking the names
    /// against the root's constraints.
    public func issue(names: [CertificateName], profile: LeafProfile = LeafProfile(), now: Date = Date()) throws -> IssuedCertificate {
        try checkPermitted(names)
        return try issueUnchecked(names: names, profile: profile, now: now)
    }

    /// Issues a leaf for the public key and names of a certificate signing
    /// request (mkcert's `-csr`); the CSR's signature is verified first.
    public func issue(for request: CertificateSigningRequest, profile: LeafProfile = LeafProfile(), now: Date = Date()) throws -> IssuedCertificate {
        guard request.publicKey.isValidSignature(request.signature, for: request) else {
            throw LocalCAError(.invalidRequest, "The certificate signing request's signature does not verify; generate the CSR again.")
        }
        var names: [CertificateName] = []
        if let extensionRequest = try? request.attributes.extensionRequest,
            let sans = try? extensionRequest.extensions.subjectAlternativeNames
        {
            names = sans.compactMap(CertificateName.init)
        }
        guard !names.isEmpty else {
            throw LocalCAError(.noNames, "The certificate signing request names no host (it has no subjectAltName extension request); add the names to the CSR.")
        }
        try checkPermitted(names)
        let certificate = try sign(publicKey: request.publicKey, names: names, profile: profile, now: now)
        return IssuedCertificate(certificate: certificate, privateKeyPEM: nil, privateKey: nil)
    }

    /// Issues a leaf for a PEM certificate signing request (`-----BEGIN CERTIFICATE REQUEST-----`).
    public func issue(csrPEM: String, profile: LeafProfile = LeafProfile(), now: Date = Date()) throws -> IssuedCertificate {
        let request: CertificateSigningRequest
        do {
            request = try CertificateSigningRequest(pemEncoded: csrPEM)
        } catch {
            throw LocalCAError(.invalidRequest, "The file is not a PEM certificate signing request (\(error)); create one with e.g. `openssl req -new`.")
        }
        return try issue(for: request, profile: profile, now: now)
    }

    /// Issues a leaf without looking at the root's constraints. Only tests
    /// call this directly, to prove that verifiers enforce the constraints.
    func issueUnchecked(names: [CertificateName], profile: LeafProfile, now: Date) throws -> IssuedCertificate {
        let (key, keyPEM) = try Self.generateKey(profile.keyType)
        let certificate = try sign(publicKey: key.publicKey, names: names, profile: profile, now: now)
        return IssuedCertificate(certificate: certificate, privateKeyPEM: keyPEM, privateKey: key)
    }

    /// Makes and signs the leaf.
    ///
    /// - Subject: O "Postern development certificate", OU `user@host`, no CN:
    ///   the names live in subjectAltName only, as browsers read them (and a
    ///   CN that looks like a host would itself be subject to OpenSSL's
    ///   name-constraint check).
    /// - KeyUsage digitalSignature, critical; keyEncipherment too for RSA
    ///   keys, which TLS 1.2 RSA key exchange needs.
    /// - ExtendedKeyUsage serverAuth when there is a host or address, clientAuth
    ///   when asked, emailProtection for e-mail names (mkcert's rules).
    /// - BasicConstraints cA false, critical; AuthorityKeyIdentifier from the
    ///   root's SubjectKeyIdentifier; a SubjectKeyIdentifier of its own.
    func sign(publicKey: Certificate.PublicKey, names: [CertificateName], profile: LeafProfile, now: Date) throws -> Certificate {
        guard !names.isEmpty else {
            throw LocalCAError(.noNames, "A certificate needs at least one name; give a host name or an IP address such as localhost or 127.0.0.1.")
        }
        let isRSA = _RSA.Signing.PublicKey(publicKey) != nil
        var usages: [ExtendedKeyUsage.Usage] = []
        if names.contains(where: { if case .email = $0 { return false } else { return true } }) {
            usages.append(.serverAuth)
        }
        if profile.clientAuthentication { usages.append(.clientAuth) }
        if names.contains(where: { if case .email = $0 { return true } else { return false } }) {
            usages.append(.emailProtection)
        }
        let authorityKeyIdentifier =
            (try? certificate.extensions.subjectKeyIdentifier)?.keyIdentifier
            ?? SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
        let notBefore = now.addingTimeInterval(-Self.backdating)
        do {
            let subject = try DistinguishedName {
                OrganizationName("Postern development certificate")
                OrganizationalUnitName(UserIdentity.bounded(UserIdentity.current))
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: isRSA))
                try ExtendedKeyUsage(usages)
                SubjectAlternativeNames(names.map(\.generalName))
                AuthorityKeyIdentifier(keyIdentifier: authorityKeyIdentifier)
                SubjectKeyIdentifier(hash: publicKey)
            }
            return try Certificate(
                version: .v3,
                serialNumber: Self.randomSerialNumber(),
                publicKey: publicKey,
                notValidBefore: notBefore,
                notValidAfter: notBefore.addingTimeInterval(min(profile.lifetime, LeafProfile.maximumLifetime)),
                issuer: certificate.subject,
                subject: subject,
                signatureAlgorithm: signatureAlgorithm,
                extensions: extensions,
                issuerPrivateKey: privateKey
            )
        } catch {
            throw LocalCAError.signing("certificate for \(names.map(\.description).joined(separator: ", "))", error)
        }
    }

    /// A new key pair and its PKCS#8 PEM.
    static func generateKey(_ type: LeafProfile.KeyType) throws -> (Certificate.PrivateKey, String) {
        switch type {
        case .ecdsaP256:
            let key = P256.Signing.PrivateKey()
            return (Certificate.PrivateKey(key), key.pemRepresentation + "\n")
        case .rsa(let bits):
            guard bits >= 2048, bits <= 8192, bits % 8 == 0 else {
                throw LocalCAError(.unsupportedKey, "An RSA key of \(bits) bits is not supported; use 2048, 3072 or 4096.")
            }
            do {
                let key = try _RSA.Signing.PrivateKey(keySize: .init(bitCount: bits))
                return (Certificate.PrivateKey(key), key.pkcs8PEMRepresentation + "\n")
            } catch {
                throw LocalCAError.signing("RSA key", error)
            }
        }
    }
}
