import SwiftASN1
import X509

/// The DNS names and IP addresses a root lets its leaf certificates carry:
/// the content of its NameConstraints extension (RFC 5280 § 4.2.1.10).
///
/// ```swift
/// let policy = NamePolicy.postern
/// policy.permits(.dns("api.test"))              // true
/// policy.permits(try CertificateName(parsing: "example.com"))  // false
/// ```
///
/// ## Why the DNS constraints have no leading dot
///
/// RFC 5280 defines a dNSName constraint as a host name "to which zero or more
/// labels may be added on the left": `test` permits `test` and `foo.test`. The
/// leading-dot form (`.test`) is defined only for e-mail and URI constraints;
/// for DNS it is a widely copied extension that OpenSSL, Go, Chromium and
/// swift-certificates read as "subdomains only". The plain form is therefore
/// the one every verifier reads the same way, and `localhost` alone covers
/// both `localhost` and `*.localhost`.
///
/// ## IP constraints and BoringSSL
///
/// OpenSSL, Chrome, Firefox, Java, Android and Apple platforms check iPAddress
/// constraints. BoringSSL's X.509 verifier (and so SwiftNIO SSL and
/// AsyncHTTPClient) does not implement them and refuses any leaf that carries
/// an IP address under such a root; a leaf with DNS names only is accepted.
/// `postern serve` therefore also keeps a DNS-only leaf for clients that send SNI.
///
/// Types of name that have no permitted subtree (e-mail, URI) stay
/// unrestricted, as the RFC says; Postern's roots only constrain the two kinds
/// a TLS server presents.
public struct NamePolicy: Hashable, Sendable, CustomStringConvertible {
    /// DNS subtrees a name must fall in; empty means DNS names are not restricted.
    public var permittedDNSDomains: [String]
    /// IP ranges an address must fall in; empty means addresses are not restricted.
    public var permittedIPRanges: [IPRange]
    /// DNS subtrees no name may fall in.
    public var excludedDNSDomains: [String]
    /// IP ranges no address may fall in.
    public var excludedIPRanges: [IPRange]

    /// A policy from its parts.
    public init(
        permittedDNSDomains: [String],
        permittedIPRanges: [IPRange],
        excludedDNSDomains: [String] = [],
        excludedIPRanges: [IPRange] = []
    ) {
        self.permittedDNSDomains = permittedDNSDomains
        self.permittedIPRanges = permittedIPRanges
        self.excludedDNSDomains = excludedDNSDomains
        self.excludedIPRanges = excludedIPRanges
    }

    /// The constraints of a root Postern creates: the reserved development
    /// names (RFC 6761 `localhost` and `test`, RFC 6762 `local`, ICANN's
    /// `internal`, RFC 8375 `home.arpa`) and the loopback, private,
    /// link-local and unique-local address blocks.
    public static let postern = NamePolicy(
        permittedDNSDomains: ["localhost", "test", "local", "internal", "home.arpa"],
        permittedIPRanges: [
            "127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
            "169.254.0.0/16", "fc00::/7", "fe80::/10",
        ].map { IPRange(cidr: $0)! }
    )

    /// Reads the policy of a NameConstraints extension. Subtrees of other
    /// kinds (directory names, e-mail, URI) are ignored here.
    public init(_ constraints: NameConstraints) {
        func dns(_ subtrees: [GeneralName]) -> [String] {
            subtrees.compactMap { if case .dnsName(let name) = $0 { return name } else { return nil } }
        }
        func ip(_ subtrees: [GeneralName]) -> [IPRange] {
            subtrees.compactMap {
                if case .ipAddress(let octets) = $0 { return IPRange(constraintBytes: octets.bytes) } else { return nil }
            }
        }
        self.init(
            permittedDNSDomains: dns(constraints.permittedSubtrees),
            permittedIPRanges: ip(constraints.permittedSubtrees),
            excludedDNSDomains: dns(constraints.excludedSubtrees),
            excludedIPRanges: ip(constraints.excludedSubtrees)
        )
    }

    /// The NameConstraints extension value for this policy.
    public var nameConstraints: NameConstraints {
        func ranges(_ ranges: [IPRange]) -> [ASN1OctetString] {
            ranges.map { ASN1OctetString(contentBytes: ArraySlice($0.constraintBytes)) }
        }
        return NameConstraints(
            permittedDNSDomains: permittedDNSDomains,
            excludedDNSDomains: excludedDNSDomains,
            permittedIPRanges: ranges(permittedIPRanges),
            excludedIPRanges: ranges(excludedIPRanges)
        )
    }

    /// Whether a leaf may carry `name`.
    public func permits(_ name: CertificateName) -> Bool {
        switch name {
        case .dns(let host):
            if excludedDNSDomains.contains(where: { Self.dnsName(host, isWithin: $0) }) { return false }
            return permittedDNSDomains.isEmpty || permittedDNSDomains.contains { Self.dnsName(host, isWithin: $0) }
        case .ip(let ip):
            if excludedIPRanges.contains(where: { $0.contains(ip) }) { return false }
            // Like verifiers, an IPv4 address is judged only against IPv4 ranges, IPv6 against IPv6.
            let sameFamily = permittedIPRanges.filter { $0.address.count == ip.bytes.count }
            return permittedIPRanges.isEmpty || sameFamily.contains { $0.contains(ip) }
        case .email, .uri:
            return true
        }
    }

    /// RFC 5280's rule: `name` is `constraint` with zero or more labels added
    /// on the left. A leading dot on the constraint means "subdomains only",
    /// as OpenSSL, Go and Chromium read it. Case-insensitive.
    static func dnsName(_ name: String, isWithin constraint: String) -> Bool {
        let name = name.lowercased()
        var constraint = constraint.lowercased()
        if constraint.hasSuffix(".") { constraint.removeLast() }
        if constraint.isEmpty { return true }
        if constraint.hasPrefix(".") { return name.hasSuffix(constraint) && name.count > constraint.count }
        return name == constraint || name.hasSuffix("." + constraint)
    }

    /// One line for people: `DNS localhost, test, …; IP 127.0.0.0/8, …`.
    public var description: String {
        var parts: [String] = []
        if !permittedDNSDomains.isEmpty { parts.append("DNS " + permittedDNSDomains.joined(separator: ", ")) }
        if !permittedIPRanges.isEmpty { parts.append("IP " + permittedIPRanges.map(\.description).joined(separator: ", ")) }
        if !excludedDNSDomains.isEmpty { parts.append("excluded DNS " + excludedDNSDomains.joined(separator: ", ")) }
        if !excludedIPRanges.isEmpty {
            parts.append("excluded IP " + excludedIPRanges.map(\.description).joined(separator: ", "))
        }
        return parts.isEmpty ? "none" : parts.joined(separator: "; ")
    }
}
