import Foundation
import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The files of the server's own certificate, as ``ServerCertificate/ensure(ca:certsFolder:names:now:)`` left them.
public struct ServerCertificateFiles: Sendable {
    /// `server.pem`: the leaf, then the root (the chain a TLS server sends).
    public let certificateChainPath: URL
    /// `server-key.pem`: the leaf's PKCS#8 key, mode 0600.
    public let keyPath: URL
    /// The names the leaf carries, canonical and de-duplicated (`foo.test`, `::1`).
    public let names: [String]
    /// Whether a new leaf was written by this call.
    public let reissued: Bool
    /// When the leaf expires.
    public let notValidAfter: Date
    /// Why a new leaf was written (`"the names differ"`, …); `nil` when the old one was kept.
    public let reissueReason: String?
}

/// Keeps the server's certificate current, so `postern serve` never needs a
/// separate "renew" step.
///
/// ```swift
/// let ca = try CertificateAuthority.loadOrCreate(caFolder: home.appendingPathComponent("ca"))
/// let files = try ServerCertificate.ensure(
///     ca: ca,
///     certsFolder: home.appendingPathComponent("certs"),
///     names: LocalNames.serverNames(extra: ["api.test"])
/// )
/// // hand files.certificateChainPath and files.keyPath to the TLS configuration
/// ```
///
/// Run it at every start: it costs one file read and a signature check when
/// the certificate is still good, and a few milliseconds to issue one when not.
public enum ServerCertificate {
    /// The chain's file name inside the certificates folder.
    public static let chainFileName = "server.pem"
    /// The key's file name inside the certificates folder.
    public static let keyFileName = "server-key.pem"
    /// A leaf expiring sooner than this is replaced.
    public static let renewalWindow: TimeInterval = 30 * 86_400

    /// Ensures `certsFolder/server.pem` + `server-key.pem` (key 0600) hold a
    /// leaf for `names` signed by `ca`; re-issues when missing, unparsable,
    /// signed by another root, expiring within 30 days, or the names differ
    /// (as a set). Names outside the root's constraints are refused with a
    /// ``LocalCAError`` before anything is written.
    public static func ensure(ca: CertificateAuthority, certsFolder: URL, names: [String], now: Date = Date()) throws -> ServerCertificateFiles {
        let wanted = try CertificateName.parseAll(names)
        guard !wanted.isEmpty else {
            throw LocalCAError(.noNames, "The server certificate needs at least one name; pass --name with a host name or an IP address.")
        }
        try ca.checkPermitted(wanted)
        try SecureFile.makeFolder(certsFolder, mode: 0o700)
        let chainPath = certsFolder.appendingPathComponent(chainFileName)
        let keyPath = certsFolder.appendingPathComponent(keyFileName)

        return try SecureFile.withLock(in: certsFolder) {
            var reason = "there was none"
            var kept: CurrentLeaf?
            do {
                if let current = try currentLeaf(chainPath: chainPath, keyPath: keyPath) {
                    if let why = reasonToReissue(current, ca: ca, wanted: wanted, now: now) {
                        reason = why
                    } else {
                        kept = current
                    }
                }
            } catch {
                reason = "the files could not be read (\(error))"
            }
            if let current = kept {
                if let mode = SecureFile.mode(of: keyPath), mode & 0o077 != 0 {
                    // Someone opened the key up; close it again without replacing anything.
                    _ = chmod(keyPath.path, 0o600)
                }
                return ServerCertificateFiles(
                    certificateChainPath: chainPath,
                    keyPath: keyPath,
                    names: wanted.map(\.description),
                    reissued: false,
                    notValidAfter: current.certificate.notValidAfter,
                    reissueReason: nil
                )
            }
            let issued = try ca.issue(names: wanted, now: now)
            // Key first: a crash between the two writes leaves a key that does
            // not match server.pem, which the next run detects and repairs.
            try SecureFile.save(Array((issued.privateKeyPEM ?? "").utf8), to: keyPath, mode: 0o600)
            try SecureFile.save(Array((issued.certificatePEM + ca.pem).utf8), to: chainPath, mode: 0o644)
            return ServerCertificateFiles(
                certificateChainPath: chainPath,
                keyPath: keyPath,
                names: wanted.map(\.description),
                reissued: true,
                notValidAfter: issued.certificate.notValidAfter,
                reissueReason: reason
            )
        }
    }

    /// Re-issues the leaf in `certsFolder` from `ca` for the names it carries
    /// now (after `postern ca rotate`); `nil` when the folder holds no leaf.
    public static func renew(ca: CertificateAuthority, certsFolder: URL, now: Date = Date()) throws -> ServerCertificateFiles? {
        let chainPath = certsFolder.appendingPathComponent(chainFileName)
        let keyPath = certsFolder.appendingPathComponent(keyFileName)
        guard let current = try? currentLeaf(chainPath: chainPath, keyPath: keyPath),
              let sans = try? current.certificate.extensions.subjectAlternativeNames else { return nil }
        let names = sans.compactMap(CertificateName.init).map(\.description)
        return try ensure(ca: ca, certsFolder: certsFolder, names: names, now: now)
    }

    /// What is on disk now.
    struct CurrentLeaf {
        var certificate: Certificate
        var chainTail: [[UInt8]]
        var privateKey: Certificate.PrivateKey
    }

    /// Reads `server.pem` and `server-key.pem`; throws when either is missing or unparsable.
    static func currentLeaf(chainPath: URL, keyPath: URL) throws -> CurrentLeaf? {
        guard let chainBytes = try SecureFile.read(chainPath), let keyBytes = try SecureFile.read(keyPath) else {
            return nil
        }
        let documents = try PEMDocument.parseMultiple(pemString: String(decoding: chainBytes, as: UTF8.self))
        guard let first = documents.first, documents.allSatisfy({ $0.discriminator == "CERTIFICATE" }) else {
            return nil
        }
        return CurrentLeaf(
            certificate: try Certificate(derEncoded: first.derBytes),
            chainTail: documents.dropFirst().map(\.derBytes),
            privateKey: try Certificate.PrivateKey(pemEncoded: String(decoding: keyBytes, as: UTF8.self))
        )
    }

    /// Why the leaf on disk cannot stay, or `nil` when it can.
    static func reasonToReissue(_ current: CurrentLeaf, ca: CertificateAuthority, wanted: [CertificateName], now: Date) -> String? {
        let leaf = current.certificate
        if current.privateKey.publicKey != leaf.publicKey { return "the key does not match the certificate" }
        if leaf.issuer != ca.certificate.subject || !ca.certificate.publicKey.isValidSignature(leaf.signature, for: leaf) {
            return "it was signed by another root"
        }
        if current.chainTail != [ca.der] { return "the chain does not end with the current root" }
        if leaf.notValidAfter.timeIntervalSince(now) < renewalWindow { return "it expires within 30 days" }
        if leaf.notValidBefore > now { return "it is not valid yet" }
        guard let sans = try? leaf.extensions.subjectAlternativeNames else { return "it has no subjectAltName" }
        if Set(sans.compactMap(CertificateName.init)) != Set(wanted) { return "the names differ" }
        return nil
    }
}
