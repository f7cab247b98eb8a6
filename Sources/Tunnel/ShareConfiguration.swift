import Foundation

/// Everything `postern share` runs with, already checked by the command line.
///
/// ```swift
/// let configuration = try ShareConfiguration(
///     upstream: "https://127.0.0.1:8443", relay: "tunnel.example.com:7443", token: token, home: home)
/// try await ShareAgent.run(configuration, print: { print($0) })
/// ```
public struct ShareConfiguration: Sendable {
    /// What the Host header of a forwarded request carries.
    public enum HostHeader: String, Sendable, CaseIterable {
        /// The public name (`NAME.DOMAIN`), as the client sent it.
        case keep
        /// The upstream's `host:port`, for dev servers that check Host.
        case rewrite
    }

    public var upstreamScheme: String
    public var upstreamHost: String
    public var upstreamPort: Int
    public var relayHost: String
    public var relayPort: Int
    public var token: String
    public var subdomain: String?
    public var relayCA: String?
    public var insecureUpstream = false
    public var hostHeader = HostHeader.keep
    /// Postern's root, trusted for an https upstream besides the system's roots.
    public var upstreamCA: String?
    /// `user:pass` every public request must present.
    public var basicAuth: String?
    /// The inspector's port on 127.0.0.1; 0 turns it off.
    public var inspectPort = 4040
    /// Client networks let through (empty: everyone).
    public var allowedNetworks: [AddressRange] = []

    /// Parses the upstream URL and the relay's `HOST:PORT`; a bad value throws a sentence.
    public init(upstream: String, relay: String, token: String, home: URL) throws {
        guard let url = URLComponents(string: upstream), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw TunnelError.badInput("The URL to share must look like https://127.0.0.1:8443 or http://localhost:3000; got \(upstream).")
        }
        upstreamScheme = scheme
        upstreamHost = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        upstreamPort = url.port ?? (scheme == "https" ? 443 : 80)
        guard let (relayHost, relayPort) = Self.hostAndPort(relay) else {
            throw TunnelError.badInput("--relay must be HOST:PORT, e.g. tunnel.example.com:7443; got \(relay).")
        }
        self.relayHost = relayHost
        self.relayPort = relayPort
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
            throw TunnelError.badInput("--token must be the token `postern relay token create` printed.")
        }
        self.token = token
        let root = home.appendingPathComponent("ca/rootCA.pem").path
        upstreamCA = FileManager.default.fileExists(atPath: root) ? root : nil
    }

    /// `host:port` or `[v6]:port`.
    static func hostAndPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }

    var upstreamDescription: String {
        let host = upstreamHost.contains(":") ? "[\(upstreamHost)]" : upstreamHost
        return "\(upstreamScheme)://\(host):\(upstreamPort)"
    }
}
