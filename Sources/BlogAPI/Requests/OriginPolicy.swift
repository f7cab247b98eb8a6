import Synchronization

/// Decides which origin (`https://host:port`) a request's absolute URLs use,
/// and which Host names the server answers to at all.
///
/// The origin comes, in order, from:
/// 1. the configured public URL (`--public-url`), when there is one;
/// 2. `X-Forwarded-Proto` / `X-Forwarded-Host`, only when the peer is a
///    trusted proxy (loopback by default). When a header holds a list
///    (`a, b`), the **last** value is taken: it is the one the nearest
///    proxy — the trusted one — wrote; earlier values came from further
///    away and may be forged;
/// 3. the request's own Host, with `https` when it came over TLS.
///    Hummingbird's HTTP/1 head says `http` even under TLS, so the scheme
///    comes from which listener took the connection, never from the head.
///
/// The Host (or the forwarded host) must be on the allow-list, as Django's
/// `ALLOWED_HOSTS`: exact names, `.example.com` for a domain and its
/// subdomains, `*` for any. Anything else is refused before any work is done,
/// which also stops DNS-rebinding pages from reaching the API.
public struct OriginPolicy: Sendable {
    public var publicURL: String?
    public var allowedHosts: [String]
    public var trustedProxies: [CIDR]
    /// Hosts allowed while the server runs (the public name `serve --share` gets from its relay).
    public let learntHosts = LearntHosts()

    public init(publicURL: String?, allowedHosts: [String], trustedProxies: [CIDR] = CIDR.loopback) {
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
        self.trustedProxies = trustedProxies
    }

    /// The address of the client a request is from: the peer, or — when the peer is a
    /// trusted proxy (a relay's agent, nginx) — the last `X-Forwarded-For` value it wrote.
    /// Rules about "remote" clients use this, so a request through a tunnel is remote.
    public func clientAddress(peer: String?, forwardedFor: String?) -> String? {
        guard let peer, trustedProxies.contains(where: { $0.contains(address: peer) }) else { return peer }
        return Self.lastValue(forwardedFor) ?? peer
    }

    /// What one request says about where it was sent.
    public struct RequestFacts: Sendable {
        public var host: String?
        public var forwardedProto: String?
        public var forwardedHost: String?
        /// The peer's address as text, `nil` when unknown.
        public var peer: String?
        public var isTLS: Bool

        public init(host: String?, forwardedProto: String?, forwardedHost: String?, peer: String?, isTLS: Bool) {
            self.host = host
            self.forwardedProto = forwardedProto
            self.forwardedHost = forwardedHost
            self.peer = peer
            self.isTLS = isTLS
        }
    }

    /// The origin for absolute URLs, or `disallowedHost` when the host is not allowed.
    public func origin(for facts: RequestFacts) throws(APIError) -> String {
        try resolve(facts).origin
    }

    /// The origin, and the host name the request was addressed to (after trusted forwarding).
    public func resolve(_ facts: RequestFacts) throws(APIError) -> (origin: String, hostName: String) {
        let trusted = facts.peer.map { peer in trustedProxies.contains { $0.contains(address: peer) } } ?? false
        var host = facts.host ?? ""
        var scheme = facts.isTLS ? "https" : "http"
        if trusted {
            if let forwarded = Self.lastValue(facts.forwardedHost) { host = forwarded }
            if let proto = Self.lastValue(facts.forwardedProto)?.lowercased(), proto == "https" || proto == "http" { scheme = proto }
        }
        guard let name = Self.hostName(host), isAllowed(name) else { throw APIError.disallowedHost(host) }
        if let publicURL { return (publicURL, name) }
        return ("\(scheme)://\(host.lowercased())", name)
    }

    /// Whether a request addressed to `name` came from outside: the public URL's host,
    /// or the name a relay gave `serve --share`. Such a request is remote even when the
    /// hop that delivered it (a tunnel agent, a proxy) is on loopback.
    public func isPublicName(_ name: String) -> Bool {
        if learntHosts.contains(name) { return true }
        guard let publicURL, let host = Self.hostName(String(publicURL.drop(while: { $0 != "/" }).dropFirst(2))) else { return false }
        return host == name
    }

    /// Whether a host name (no port) is on the allow-list.
    public func isAllowed(_ name: String) -> Bool {
        let name = name.hasSuffix(".") ? String(name.dropLast()) : name
        if learntHosts.contains(name) { return true }
        if let publicURL, let host = Self.hostName(String(publicURL.drop(while: { $0 != "/" }).dropFirst(2))), host == name { return true }
        return allowedHosts.contains { pattern in
            pattern == "*" || pattern == name || (pattern.hasPrefix(".") && (name.hasSuffix(pattern) || name == pattern.dropFirst()))
        }
    }

    private static func lastValue(_ header: String?) -> String? {
        guard let header else { return nil }
        let value = header.split(separator: ",").last.map { $0.trimmingSpaces() } ?? ""
        return value.isEmpty ? nil : value
    }

    /// The name part of a Host value, lower-cased; `nil` when it is not a valid host (Django's `host_validation_re`).
    public static func hostName(_ host: String) -> String? {
        let host = host.lowercased()
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let inside = host[host.index(after: host.startIndex)..<close]
            guard !inside.isEmpty, inside.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), inside.contains(":") else { return nil }
            let rest = host[host.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(\.isASCIIDigit) && rest.count > 1) else { return nil }
            return String(host[...close])
        }
        let parts = host.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = parts[0]
        guard !name.isEmpty, name.allSatisfy({ $0.isASCIILetterOrDigit || $0 == "." || $0 == "-" }) else { return nil }
        if parts.count == 2 { guard !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit) else { return nil } }
        return String(name)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetterOrDigit: Bool { isASCII && (isLetter || isNumber) }
}

/// Host names added while the server runs; shared by every copy of the policy.
public final class LearntHosts: Sendable {
    private let names = Mutex<Set<String>>([])

    public init() {}

    public func add(_ name: String) { names.withLock { _ = $0.insert(name.lowercased()) } }

    func contains(_ name: String) -> Bool { names.withLock { $0.contains(name) } }
}
