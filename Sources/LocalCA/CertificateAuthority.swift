import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Postern's local certificate authority: a root certificate and its key,
/// kept in a folder under mkcert's file names.
///
/// ```swift
/// let ca = try CertificateAuthority.loadOrCreate(caFolder: home.appendingPathComponent("ca"))
/// print(ca.rootCertificatePath.path, ca.sha256Fingerprint)
/// let files = try ServerCertificate.ensure(ca: ca, certsFolder: certs, names: ["localhost", "127.0.0.1"])
/// ```
///
/// The folder holds `rootCA.pem` (the certificate, mode 0644) and
/// `rootCA-key.pem` (its PKCS#8 key, mode 0600); the folder itself is 0700.
/// Using mkcert's names means a folder can be shared with mkcert's
/// `-CAROOT` and tools that already know where mkcert keeps its root.
///
/// A root made by Postern carries a critical NameConstraints extension (see
/// ``NamePolicy/postern``): if its key ever leaks, it can only be used to
/// impersonate development names and private addresses, never `bank.com`.
/// That is the difference from mkcert, whose unconstrained root is trusted for
/// every name on the internet by each device that installs it.
///
/// The value is immutable and `Sendable`: load it once and hand it to every
/// task that issues certificates.
public struct CertificateAuthority: Sendable {
    /// The root certificate's file name inside the CA folder (mkcert's).
    public static let certificateFileName = "rootCA.pem"
    /// The root key's file name inside the CA folder (mkcert's).
    public static let privateKeyFileName = "rootCA-key.pem"

    /// The folder the root lives in.
    public let caFolder: URL
    /// The root certificate.
    public let certificate: Certificate
    /// The root certificate in DER, as read from or written to disk.
    public let der: [UInt8]
    /// The root's signing key.
    let privateKey: Certificate.PrivateKey
    /// The signature algorithm the root's key signs with.
    let signatureAlgorithm: Certificate.SignatureAlgorithm

    /// `caFolder/rootCA.pem`.
    public var rootCertificatePath: URL { caFolder.appendingPathComponent(Self.certificateFileName) }
    /// `caFolder/rootCA-key.pem`.
    public var privateKeyPath: URL { caFolder.appendingPathComponent(Self.privateKeyFileName) }

    /// The root certificate in PEM (`-----BEGIN CERTIFICATE-----`).
    public var pem: String { PEMDocument(type: "CERTIFICATE", derBytes: der).pemString + "\n" }

    /// SHA-256 of the DER certificate as upper-case hex pairs joined by colons
    /// (`AB:CD:…`), the form iOS and Android show in their certificate details.
    public var sha256Fingerprint: String {
        SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// The first 8 hex digits of the SHA-256 fingerprint, lower case: what
    /// tells two roots apart in store names and retired file names.
    public var shortFingerprint: String {
        String(sha256Fingerprint.replacingOccurrences(of: ":", with: "").prefix(8)).lowercased()
    }

    /// Whether the root carries a NameConstraints extension.
    public var isNameConstrained: Bool { (try? certificate.extensions.nameConstraints) != nil }

    /// The names the root lets its leaves carry; `nil` when it is unconstrained.
    public var namePolicy: NamePolicy? {
        guard let constraints = try? certificate.extensions.nameConstraints else { return nil }
        return NamePolicy(constraints)
    }

    /// - Parameter der: the certificate's DER when the caller has it (read from
    ///   the PEM file), so it is not encoded again.
    init(caFolder: URL, certificate: Certificate, der: [UInt8]? = nil, privateKey: Certificate.PrivateKey) throws {
        let certificatePath = caFolder.appendingPathComponent(Self.certificateFileName)
        guard privateKey.publicKey == certificate.publicKey else {
            throw LocalCAError(
                .keyDoesNotMatchCertificate,
                "\(Self.privateKeyFileName) in \(caFolder.path) is not the key of \(Self.certificateFileName); restore the matching pair from a backup, or move the folder away and run `postern ca create`."
            )
        }
        guard case .isCertificateAuthority = try? certificate.extensions.basicConstraints else {
            throw LocalCAError(
                .notAnAuthority,
                "\(certificatePath.path) is not a CA certificate (its basicConstraints do not allow issuing); put a root certificate there, or move the folder away and run `postern ca create`."
            )
        }
        self.caFolder = caFolder
        self.certificate = certificate
        self.privateKey = privateKey
        self.signatureAlgorithm = try Self.signatureAlgorithm(for: certificate.publicKey)
        if let der {
            self.der = der
            return
        }
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            self.der = serializer.serializedBytes
        } catch {
            throw LocalCAError(.unreadableCertificate, "Could not encode \(certificatePath.path) (\(error)); replace it or run `postern ca create` in an empty folder.")
        }
    }

    /// Loads the root from `caFolder` (`rootCA.pem`, `rootCA-key.pem`),
    /// creating a name-constrained one if the folder holds neither file.
    public static func loadOrCreate(caFolder: URL) throws -> CertificateAuthority {
        let certificatePath = caFolder.appendingPathComponent(certificateFileName)
        let keyPath = caFolder.appendingPathComponent(privateKeyFileName)
        if SecureFile.exists(certificatePath) || SecureFile.exists(keyPath) {
            return try load(caFolder: caFolder)
        }
        try SecureFile.makeFolder(caFolder, mode: 0o700)
        return try SecureFile.withLock(in: caFolder) {
            // Another process may have created it while this one waited for the lock.
            if SecureFile.exists(certificatePath) || SecureFile.exists(keyPath) {
                return try load(caFolder: caFolder)
            }
            return try createLocked(caFolder: caFolder, constrained: true, now: Date())
        }
    }

    /// Loads the root from `caFolder`; throws ``LocalCAError/Code/authorityNotFound`` if there is none.
    public static func load(caFolder: URL) throws -> CertificateAuthority {
        let certificatePath = caFolder.appendingPathComponent(certificateFileName)
        let keyPath = caFolder.appendingPathComponent(privateKeyFileName)
        guard let certificateBytes = try SecureFile.read(certificatePath) else {
            if SecureFile.exists(keyPath) {
                throw LocalCAError(
                    .authorityIncomplete,
                    "\(caFolder.path) holds \(privateKeyFileName) but no \(certificateFileName); restore the certificate from a backup, or move the folder away and run `postern ca create`."
                )
            }
            throw LocalCAError(
                .authorityNotFound,
                "There is no certificate authority in \(caFolder.path); run `postern ca create` to make one."
            )
        }
        guard let keyBytes = try SecureFile.read(keyPath) else {
            throw LocalCAError(
                .authorityIncomplete,
                "\(caFolder.path) holds \(certificateFileName) but not its key \(privateKeyFileName); restore the key from a backup, or move the folder away and run `postern ca create` (devices that trust the old root will need the new one)."
            )
        }
        let certificate: Certificate
        let der: [UInt8]
        do {
            let document = try PEMDocument(pemString: String(decoding: certificateBytes, as: UTF8.self))
            certificate = try Certificate(pemDocument: document)
            der = document.derBytes
        } catch {
            throw LocalCAError(
                .unreadableCertificate,
                "\(certificatePath.path) is not a PEM certificate (\(error)); restore it from a backup, or move the folder away and run `postern ca create`."
            )
        }
        let privateKey: Certificate.PrivateKey
        do {
            privateKey = try Certificate.PrivateKey(pemEncoded: String(decoding: keyBytes, as: UTF8.self))
        } catch {
            throw LocalCAError(
                .unreadablePrivateKey,
                "\(keyPath.path) is not a PEM private key (\(error)); restore it from a backup, or move the folder away and run `postern ca create`."
            )
        }
        return try CertificateAuthority(caFolder: caFolder, certificate: certificate, der: der, privateKey: privateKey)
    }

    /// Creates a new root in `caFolder`: name-constrained unless `constrained`
    /// is false. Throws ``LocalCAError/Code/authorityExists`` if the folder
    /// already holds a root or a root key.
    public static func create(caFolder: URL, constrained: Bool) throws -> CertificateAuthority {
        try create(caFolder: caFolder, constrained: constrained, now: Date())
    }

    static func create(caFolder: URL, constrained: Bool, now: Date) throws -> CertificateAuthority {
        try SecureFile.makeFolder(caFolder, mode: 0o700)
        return try SecureFile.withLock(in: caFolder) {
            try createLocked(caFolder: caFolder, constrained: constrained, now: now)
        }
    }

    /// Makes and writes a root; the caller holds the folder's lock.
    private static func createLocked(caFolder: URL, constrained: Bool, now: Date) throws -> CertificateAuthority {
        let certificatePath = caFolder.appendingPathComponent(certificateFileName)
        let keyPath = caFolder.appendingPathComponent(privateKeyFileName)
        if SecureFile.exists(certificatePath) || SecureFile.exists(keyPath) {
            throw LocalCAError(
                .authorityExists,
                "A certificate authority already exists in \(caFolder.path); keep using it, or move that folder away first (every device that trusts the old root would need the new one)."
            )
        }
        let (ca, keyPEM) = try makeRoot(caFolder: caFolder, constrained: constrained, now: now)
        try ca.write(keyPEM: keyPEM)
        return ca
    }

    /// A new P-256 root for `caFolder`, not yet written, and its key in PEM.
    static func makeRoot(caFolder: URL, constrained: Bool, now: Date) throws -> (CertificateAuthority, [UInt8]) {
        let key = P256.Signing.PrivateKey()
        let certificate = try makeRootCertificate(
            key: Certificate.PrivateKey(key),
            policy: constrained ? .postern : nil,
            identity: UserIdentity.current,
            now: now
        )
        let ca = try CertificateAuthority(caFolder: caFolder, certificate: certificate, privateKey: Certificate.PrivateKey(key))
        return (ca, Array(key.pemRepresentation.utf8) + [0x0A])
    }

    /// Writes the root's key (0600) and certificate (0644) into its folder,
    /// each atomically. The key goes first: a root certificate without its key
    /// would look like a finished CA.
    func write(keyPEM: [UInt8]) throws {
        try SecureFile.save(keyPEM, to: privateKeyPath, mode: 0o600)
        try SecureFile.save(Array(pem.utf8), to: rootCertificatePath, mode: 0o644)
    }

    /// The algorithm a key of this kind signs certificates with.
    static func signatureAlgorithm(for publicKey: Certificate.PublicKey) throws -> Certificate.SignatureAlgorithm {
        if P256.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA256 }
        if P384.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA384 }
        if P521.Signing.PublicKey(publicKey) != nil { return .ecdsaWithSHA512 }
        if _RSA.Signing.PublicKey(publicKey) != nil { return .sha256WithRSAEncryption }
        if Curve25519.Signing.PublicKey(publicKey) != nil { return .ed25519 }
        throw LocalCAError(.unsupportedKey, "The root's key type is not supported; use a P-256, P-384, P-521, RSA or Ed25519 key, or run `postern ca create` in an empty folder.")
    }
}
