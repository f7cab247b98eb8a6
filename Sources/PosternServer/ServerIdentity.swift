import Foundation
import LocalCA
import NIOSSL

/// The CA and the server certificate `serve` runs with, made or renewed on start,
/// and the TLS configuration built from them (TLS 1.2 and 1.3; HummingbirdHTTP2
/// adds ALPN h2 and http/1.1).
struct ServerIdentity {
    let authority: CertificateAuthority
    let files: ServerCertificateFiles
    let tls: TLSConfiguration

    init(home: URL, extraNames: [String]) throws {
        do {
            authority = try CertificateAuthority.loadOrCreate(caFolder: PosternHome.caFolder(home))
            files = try ServerCertificate.ensure(
                ca: authority,
                certsFolder: PosternHome.certsFolder(home),
                names: LocalNames.serverNames(extra: extraNames)
            )
        } catch {
            throw StartupError("\(error)")
        }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.certificateChainPath.path)
            let key = try NIOSSLPrivateKey(file: files.keyPath.path, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            tls.minimumTLSVersion = .tlsv12
            self.tls = tls
        } catch {
            throw StartupError("Cannot load the server certificate from \(files.certificateChainPath.path): \(error). Delete \(files.certificateChainPath.deletingLastPathComponent().path) to have it made again.")
        }
    }

    /// Host names the server answers to by default: the certificate's names
    /// (IPv6 addresses in brackets, as a Host header writes them).
    var hostNames: [String] {
        files.names.map { $0.contains(":") ? "[\($0)]" : $0.lowercased() }
    }
}
