import Foundation
import SwiftASN1
import X509

/// One name a leaf certificate is issued for, in the form it takes in the
/// certificate's subjectAltName extension.
///
/// ```swift
/// try CertificateName(parsing: "Foo.Test.")   // .dns("foo.test")
/// try CertificateName(parsing: "192.168.1.20") // .ip(192.168.1.20)
/// try CertificateName(parsing: "*.app.test")   // .dns("*.app.test")
/// ```
///
/// The parsing rules follow mkcert's: an IP literal becomes an IP address
/// (never a DNS name, which browsers refuse to match against an address),
/// a string with `@` an e-mail address, a string with `://` a URI, and
/// anything else a host name, lower-cased and without a trailing dot.
/// Internationalised names must be given in their `xn--` form.
public enum CertificateName: Hashable, Sendable, CustomStringConvertible {
    /// A host name, possibly a wildcard (`*.app.test`), lower-case, no trailing dot.
    case dns(String)
    /// An IPv4 or IPv6 address.
    case ip(IPAddress)
    /// An e-mail address (`rfc822Name`), for client and S/MIME certificates.
    case email(String)
    /// A URI (`uniformResourceIdentifier`).
    case uri(String)

    /// Parses one name as typed by a user; throws a ``LocalCAError`` with code
    /// ``LocalCAError/Code/invalidName`` when it is none of the four kinds.
    public init(parsing text: String) throws {
        // Trimmed by hand: Foundation's `trimmingCharacters(in:)` goes through NSString, and
        // lazy wrappers (reversed, drop(while:)) cost a generic instantiation each at start-up.
        var start = text.startIndex, end = text.endIndex
        while start < end, text[start].isWhitespace { start = text.index(after: start) }
        while end > start, text[text.index(before: end)].isWhitespace { end = text.index(before: end) }
        let trimmed = String(text[start..<end])
        if let ip = IPAddress(trimmed) {
            self = .ip(ip)
        } else if trimmed.contains("://") {
            guard let url = URL(string: trimmed), url.scheme != nil else {
                throw Self.invalid(text, "it is not a valid URI")
            }
            self = .uri(url.absoluteString)
        } else if trimmed.contains("@") {
            let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, Self.isHostName(parts[1].lowercased(), wildcard: false) else {
                throw Self.invalid(text, "it is not a valid e-mail address")
            }
            self = .email(trimmed)
        } else {
            var host = trimmed.lowercased()
            if host.hasSuffix(".") { host.removeLast() }
            if host.contains("%") || host.contains(":") {
                throw Self.invalid(text, "an address with a zone or a port is not a name; give the bare address or host")
            }
            guard host.unicodeScalars.allSatisfy(\.isASCII) else {
                throw Self.invalid(text, "internationalised names must be given in their ASCII (xn--) form")
            }
            guard Self.isHostName(host, wildcard: true) else {
                throw Self.invalid(text, "it is not an IP address and not a valid host name (letters, digits, '-', '_' and '.', optionally starting with '*.')")
            }
            self = .dns(host)
        }
    }

    /// Reads a subjectAltName entry; `nil` for the kinds Postern never issues.
    init?(_ generalName: GeneralName) {
        switch generalName {
        case .dnsName(let name): self = .dns(name.lowercased())
        case .ipAddress(let octets):
            guard let ip = IPAddress(bytes: octets.bytes) else { return nil }
            self = .ip(ip)
        case .rfc822Name(let address): self = .email(address)
        case .uniformResourceIdentifier(let uri): self = .uri(uri)
        default: return nil
        }
    }

    /// The subjectAltName entry for this name.
    var generalName: GeneralName {
        switch self {
        case .dns(let name): return .dnsName(name)
        case .ip(let ip): return .ipAddress(.init(contentBytes: ArraySlice(ip.bytes)))
        case .email(let address): return .rfc822Name(address)
        case .uri(let uri): return .uniformResourceIdentifier(uri)
        }
    }

    /// The name as a user would type it (`foo.test`, `::1`).
    public var description: String {
        switch self {
        case .dns(let name): return name
        case .ip(let ip): return ip.description
        case .email(let address): return address
        case .uri(let uri): return uri
        }
    }

    /// Parses every name, dropping duplicates (`::1` and `0::1` are the same) and keeping the order.
    public static func parseAll(_ texts: [String]) throws -> [CertificateName] {
        // A handful of names: a linear search, not a Set (whose first use costs `cert` a conformance scan).
        var names: [CertificateName] = []
        for text in texts {
            let name = try CertificateName(parsing: text)
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    private static func invalid(_ text: String, _ reason: String) -> LocalCAError {
        LocalCAError(.invalidName, "Cannot issue a certificate for “\(text)”: \(reason).")
    }

    /// RFC 1123 host names, with `_` allowed as mkcert does, and a leading
    /// `*.` label when `wildcard` is true. The last label may not be all digits
    /// (that is an IP address that failed to parse, such as `1.2.3`).
    static func isHostName(_ host: String, wildcard: Bool) -> Bool {
        var labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard !labels.isEmpty, host.utf8.count <= 253 else { return false }
        if wildcard, labels.first == "*" {
            labels.removeFirst()
            guard !labels.isEmpty else { return false }
        }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-") else {
                return false
            }
            for byte in label.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "-"), UInt8(ascii: "_"):
                    continue
                default:
                    return false
                }
            }
        }
        return !labels.last!.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
