import Foundation
import LocalCA
import NIOSSL

/// Everything `postern relay` runs with, already checked by the command line.
///
/// ```swift
/// let configuration = RelayConfiguration(domain: "tunnel.localhost", home: home)
/// try await Relay.run(configuration)
/// ```
public struct RelayConfiguration: Sendable {
    public var domain: String
    public var host = "0.0.0.0"
    public var port = 443
    /// Plain-HTTP port that redirects to HTTPS; 0 turns it off.
    public var httpPort = 80
    public var agentPort = 7443
    /// Prometheus `/metrics` on 127.0.0.1; 0 turns it off.
    public var adminPort = 9090
    public var certificatePath: String?
    public var keyPath: String?
    public var home: URL
    /// Requests per second per client address (a burst of one second's worth);
    /// 0 turns the limit off. The default leaves a browser loading a
    /// development server's hundreds of modules alone but stops one address
    /// from flooding a laptop through its public URL.
    public var rateLimit = 200
    /// Concurrent requests per tunnel; 0 means no limit. By default more than
    /// a local development server usually serves at once, fewer than would
    /// bury it.
    public var maxStreams = 256
    /// Live tunnels per token; 0 means no limit.
    public var maxTunnels = 16
    /// Largest request body forwarded to an agent, in bytes (413 past it); 0 means no limit.
    public var maxBody = 0
    /// Seconds a public connection may sit idle between requests (HTTP/1.1) or without
    /// open streams (HTTP/2) before the relay closes it; 0 means never.
    public var idleTimeout = 75

    public init(domain: String, home: URL) {
        self.domain = domain.lowercased()
        self.home = home
    }

    var storePath: URL { home.appendingPathComponent("relay.sqlite") }
    var caFolder: URL { home.appendingPathComponent("ca", isDirectory: true) }
    var certsFolder: URL { home.appendingPathComponent("certs/relay", isDirectory: true) }

    /// The relay's certificates: `--cert`/`--key`, or leaves issued by the
    /// home's CA. Those are two, as `postern serve` keeps them: one for DOMAIN,
    /// *.DOMAIN, localhost, 127.0.0.1 and ::1 for clients that connect by
    /// address, and a DNS-only one sent to clients that give a server name
    /// (SNI), because BoringSSL (SwiftNIO SSL, so `postern share`) refuses a
    /// leaf carrying an IP address under a root with IP name constraints.
    func identity() throws -> RelayIdentity {
        if let certificatePath {
            guard let keyPath else { throw TunnelError.badInput("--cert needs --key (and --key needs --cert).") }
            return RelayIdentity(main: try Self.load(certificatePath, keyPath), byName: nil, root: nil)
        }
        do {
            let ca = try CertificateAuthority.loadOrCreate(caFolder: caFolder)
            let all = try ServerCertificate.ensure(ca: ca, certsFolder: certsFolder,
                                                   names: [domain, "*.\(domain)", "localhost", "127.0.0.1", "::1"])
            let byName = try ServerCertificate.ensure(ca: ca, certsFolder: certsFolder.appendingPathComponent("by-name", isDirectory: true),
                                                      names: [domain, "*.\(domain)", "localhost"])
            return RelayIdentity(
                main: try Self.load(all.certificateChainPath.path, all.keyPath.path),
                byName: try Self.load(byName.certificateChainPath.path, byName.keyPath.path),
                root: ca.rootCertificatePath
            )
        } catch let error as TunnelError {
            throw error
        } catch {
            throw TunnelError.startup("Cannot issue the relay's certificate for \(domain) from \(caFolder.path): \(error) Pass --cert and --key for a public domain.")
        }
    }

    private static func load(_ chainPath: String, _ keyPath: String) throws -> ([NIOSSLCertificate], NIOSSLPrivateKey) {
        do {
            return (try NIOSSLCertificate.fromPEMFile(chainPath), try NIOSSLPrivateKey(file: keyPath, format: .pem))
        } catch {
            throw TunnelError.startup("Cannot load the certificate \(chainPath) with key \(keyPath): \(error). Check both files are PEM and belong together.")
        }
    }
}

/// The relay's TLS identity: its leaf (or two, see ``RelayConfiguration/identity()``).
struct RelayIdentity: Sendable {
    let main: ([NIOSSLCertificate], NIOSSLPrivateKey)
    let byName: ([NIOSSLCertificate], NIOSSLPrivateKey)?
    /// The root that issued them, when the relay made them itself.
    let root: URL?

    func serverContext(alpn: [String]) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: main.0.map { .certificate($0) }, privateKey: .privateKey(main.1))
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = alpn
        if let byName {
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = byName.0.map { .certificate($0) }
            override.privateKey = .privateKey(byName.1)
            tls.sslContextCallback = { [override] values, promise in
                promise.succeed(values.serverHostname == nil ? .noChanges : override)
            }
        }
        return try NIOSSLContext(configuration: tls)
    }
}
