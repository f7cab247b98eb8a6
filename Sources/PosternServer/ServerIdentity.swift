import Foundation
import LocalCA
import NIOCore
import NIOSSL

/// The CA and the server certificates `serve` runs with, made or renewed on
/// start, and the TLS configuration built from them (TLS 1.2 and 1.3;
/// HummingbirdHTTP2 adds ALPN h2 and http/1.1).
///
/// Two leaves are kept. `certs/server.pem` names everything, addresses
/// included, and is what a client that connects by address gets.
/// `certs/by-name/server.pem` names only DNS names, and is what a client gets
/// when it sends a server name (SNI), i.e. connects by name: BoringSSL — and so
/// SwiftNIO SSL and AsyncHTTPClient — refuses any leaf carrying an IP address
/// under a root with IP name constraints (it does not implement them), while
/// OpenSSL, Chrome, Firefox, Java, Android and Apple platforms do.
struct ServerIdentity {
    let authority: CertificateAuthority
    let files: ServerCertificateFiles
    let byName: ServerCertificateFiles
    let tls: TLSConfiguration

    init(home: URL, extraNames: [String]) throws {
        let certs = PosternHome.certsFolder(home)
        do {
            authority = try CertificateAuthority.loadOrCreate(caFolder: PosternHome.caFolder(home))
            // An unconstrained root (`postern ca create --unconstrained`) may also name public addresses.
            let names = LocalNames.serverNames(extra: extraNames, permittedBy: authority.namePolicy)
            let dnsNames = names.filter { IPAddress($0) == nil }
            files = try ServerCertificate.ensure(ca: authority, certsFolder: certs, names: names)
            byName = try ServerCertificate.ensure(ca: authority, certsFolder: PosternHome.byNameCertsFolder(home), names: dnsNames)
        } catch {
            throw StartupError("\(error)")
        }
        do {
            let (chain, key) = try Self.load(files)
            let (nameChain, nameKey) = try Self.load(byName)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: key)
            tls.minimumTLSVersion = .tlsv12
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = nameChain
            override.privateKey = nameKey
            tls.sslContextCallback = { [override] values, promise in
                promise.succeed(values.serverHostname == nil ? .noChanges : override)
            }
            self.tls = tls
        } catch {
            throw StartupError("Cannot load the server certificate from \(certs.path): \(error). Delete \(certs.path) to have it made again.")
        }
    }

    private static func load(_ files: ServerCertificateFiles) throws -> ([NIOSSLCertificateSource], NIOSSLPrivateKeySource) {
        let chain = try NIOSSLCertificate.fromPEMFile(files.certificateChainPath.path)
        let key = try NIOSSLPrivateKey(file: files.keyPath.path, format: .pem)
        return (chain.map { .certificate($0) }, .privateKey(key))
    }

    /// Host names the server answers to by default: the certificate's names
    /// (IPv6 addresses in brackets, as a Host header writes them).
    var hostNames: [String] {
        files.names.map { $0.contains(":") ? "[\($0)]" : $0.lowercased() }
    }
}
