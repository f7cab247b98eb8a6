import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one error type of `LocalCA`.
///
/// Every error carries a ``description`` written for the person at the
/// keyboard: what went wrong, and what to do next. Callers that need to tell
/// errors apart compare ``code`` with one of the static codes:
///
/// ```swift
/// do {
///     _ = try CertificateAuthority.create(caFolder: folder, constrained: true)
/// } catch let error as LocalCAError where error.code == .authorityExists {
///     print(error)   // "A certificate authority already exists in …"
/// }
/// ```
///
/// The codes are a struct over a private enum (the swift-nio pattern), so
/// new codes can be added without breaking anyone's `switch`.
public struct LocalCAError: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case authorityNotFound
            case authorityExists
            case authorityIncomplete
            case unreadableCertificate
            case unreadablePrivateKey
            case keyDoesNotMatchCertificate
            case notAnAuthority
            case nameOutsideConstraints
            case invalidName
            case invalidRequest
            case noNames
            case fileSystem
            case signing
            case unsupportedKey
            case invalidTrustStore
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        public var description: String { base.rawValue }

        /// `load` found no `rootCA.pem` in the CA folder.
        public static let authorityNotFound = Code(.authorityNotFound)
        /// `create` found a root already in place.
        public static let authorityExists = Code(.authorityExists)
        /// Only one of `rootCA.pem` and `rootCA-key.pem` is present.
        public static let authorityIncomplete = Code(.authorityIncomplete)
        /// A certificate file could not be parsed.
        public static let unreadableCertificate = Code(.unreadableCertificate)
        /// A private key file could not be parsed.
        public static let unreadablePrivateKey = Code(.unreadablePrivateKey)
        /// The root's key is not the key of the root certificate.
        public static let keyDoesNotMatchCertificate = Code(.keyDoesNotMatchCertificate)
        /// The certificate in the CA folder may not issue certificates.
        public static let notAnAuthority = Code(.notAnAuthority)
        /// A requested name is outside the root's name constraints.
        public static let nameOutsideConstraints = Code(.nameOutsideConstraints)
        /// A requested name is neither a DNS name, an IP address, an e-mail address nor a URI.
        public static let invalidName = Code(.invalidName)
        /// A certificate signing request could not be read or its signature does not verify.
        public static let invalidRequest = Code(.invalidRequest)
        /// A certificate was requested for no name at all.
        public static let noNames = Code(.noNames)
        /// Reading or writing a file or folder failed.
        public static let fileSystem = Code(.fileSystem)
        /// Building or signing a certificate failed.
        public static let signing = Code(.signing)
        /// The key type is not one Postern can use.
        public static let unsupportedKey = Code(.unsupportedKey)
        /// A trust store name in `--stores` or `TRUST_STORES` is not one Postern knows.
        public static let invalidTrustStore = Code(.invalidTrustStore)
    }

    /// What kind of failure this is; compare with the static members of ``Code``.
    public let code: Code
    /// A sentence that says what went wrong and what to do next.
    public let description: String

    public var errorDescription: String? { description }

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

extension LocalCAError {
    static func fileSystem(_ action: String, _ url: URL, errno code: Int32) -> LocalCAError {
        let reason = String(cString: strerror(code))
        return LocalCAError(
            .fileSystem,
            "Could not \(action) \(url.path) (\(reason)); check that the folder exists and that you may write to it."
        )
    }

    static func fileSystem(_ action: String, _ url: URL, _ error: any Error) -> LocalCAError {
        LocalCAError(
            .fileSystem,
            "Could not \(action) \(url.path) (\(error)); check that the folder exists and that you may write to it."
        )
    }

    static func signing(_ what: String, _ error: any Error) -> LocalCAError {
        LocalCAError(.signing, "Could not build the \(what) (\(error)); this is a bug in Postern, please report it.")
    }
}
