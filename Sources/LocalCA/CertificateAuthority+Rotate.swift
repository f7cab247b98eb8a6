import Foundation

extension CertificateAuthority {
    /// The folder inside the CA folder where replaced roots' certificates are
    /// kept (never their keys), so a user can still tell which root to remove
    /// from a phone.
    public static let retiredFolderName = "retired"

    /// Replaces the root in `caFolder` with a new one and returns both.
    ///
    /// The old root's certificate is kept as `retired/rootCA-<fingerprint>.pem`;
    /// its key is overwritten by the new key and gone. The new root is
    /// name-constrained unless `constrained` is false. Trust stores and
    /// server certificates are the caller's business (`postern ca rotate`
    /// does both), because which stores to touch is the user's choice.
    public static func rotate(caFolder: URL, constrained: Bool) throws -> (old: CertificateAuthority, new: CertificateAuthority) {
        try rotate(caFolder: caFolder, constrained: constrained, now: Date())
    }

    static func rotate(caFolder: URL, constrained: Bool, now: Date) throws -> (old: CertificateAuthority, new: CertificateAuthority) {
        let old = try load(caFolder: caFolder)
        return try SecureFile.withLock(in: caFolder) {
            // Another process may have rotated while this one waited for the lock.
            let current = try load(caFolder: caFolder)
            guard current.der == old.der else {
                throw LocalCAError(.authorityExists, "The root in \(caFolder.path) changed while rotating; run `postern ca info` and try again.")
            }
            let retired = caFolder.appendingPathComponent(retiredFolderName, isDirectory: true)
            try SecureFile.makeFolder(retired, mode: 0o700)
            try SecureFile.save(Array(old.pem.utf8), to: old.retiredCertificatePath, mode: 0o644)
            let (new, keyPEM) = try makeRoot(caFolder: caFolder, constrained: constrained, now: now)
            try new.write(keyPEM: keyPEM)
            return (old, new)
        }
    }

    /// Where ``rotate(caFolder:constrained:)`` keeps this root's certificate once it is replaced.
    public var retiredCertificatePath: URL {
        caFolder.appendingPathComponent(Self.retiredFolderName, isDirectory: true)
            .appendingPathComponent("rootCA-\(shortFingerprint).pem")
    }
}
