import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, as it appears in a certificate's
/// subjectAltName (4 or 16 bytes in network order).
///
/// ```swift
/// let loopback = IPAddress("::1")!          // 16 bytes
/// print(IPAddress("127.0.0.1")!)            // "127.0.0.1"
/// ```
///
/// Parsing and printing go through the C library's `inet_pton` / `inet_ntop`,
/// so every spelling the system accepts is accepted and the printed form is
/// the canonical one (`0:0::1` prints as `::1`).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Parses a literal address; `[::1]` (URL form) is accepted too.
    /// Returns `nil` for anything else, including addresses with a zone (`fe80::1%eth0`).
    public init?(_ text: String) {
        var literal = Substring(text)
        if literal.hasPrefix("["), literal.hasSuffix("]") {
            literal = literal.dropFirst().dropLast()
        }
        guard !literal.isEmpty, !literal.contains("%") else { return nil }
        let string = String(literal)
        var v4 = in_addr()
        if inet_pton(AF_INET, string, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, string, &v6) == 1 {
            self.bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// Wraps 4 or 16 bytes in network order; `nil` for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = Array(bytes)
    }

    /// Whether this is an IPv4 address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// Whether this is a link-local address (169.254.0.0/16 or fe80::/10),
    /// which is only meaningful together with an interface and so never put
    /// in a certificate by ``LocalNames``.
    public var isLinkLocal: Bool {
        if isIPv4 { return bytes[0] == 169 && bytes[1] == 254 }
        return bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80
    }

    /// The canonical text form (`127.0.0.1`, `::1`).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = isIPv4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return bytes.map { String($0) }.joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A block of IP addresses written in CIDR form (`10.0.0.0/8`, `fc00::/7`),
/// as a name constraint holds it: an address and a mask of the same length.
public struct IPRange: Hashable, Sendable, CustomStringConvertible {
    /// The network address (host bits zero), 4 or 16 bytes.
    public let address: [UInt8]
    /// The mask, as many bytes as ``address``.
    public let mask: [UInt8]

    /// Parses `ADDRESS/PREFIX`; `nil` if either half is malformed.
    public init?(cidr: String) {
        let parts = cidr.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let ip = IPAddress(String(parts[0])), let prefix = Int(parts[1]),
            prefix >= 0, prefix <= ip.bytes.count * 8
        else { return nil }
        var mask = [UInt8](repeating: 0, count: ip.bytes.count)
        for bit in 0..<prefix { mask[bit / 8] |= 0x80 >> UInt8(bit % 8) }
        self.mask = mask
        self.address = zip(ip.bytes, mask).map { $0 & $1 }
    }

    /// Reads the `address ‖ mask` octets of a name constraint (8 or 32 bytes).
    public init?(constraintBytes: some Collection<UInt8>) {
        let bytes = Array(constraintBytes)
        guard bytes.count == 8 || bytes.count == 32 else { return nil }
        let half = bytes.count / 2
        self.address = Array(bytes[..<half])
        self.mask = Array(bytes[half...])
    }

    /// The `address ‖ mask` octets RFC 5280 § 4.2.1.10 puts in a name constraint.
    public var constraintBytes: [UInt8] { address + mask }

    /// Whether `ip` lies in this range (an IPv4 address never lies in an IPv6 range).
    public func contains(_ ip: IPAddress) -> Bool {
        guard ip.bytes.count == address.count else { return false }
        for index in address.indices where ip.bytes[index] & mask[index] != address[index] & mask[index] {
            return false
        }
        return true
    }

    /// The prefix length: the number of leading one bits of the mask.
    public var prefixLength: Int {
        mask.reduce(0) { $0 + $1.nonzeroBitCount }
    }

    public var description: String {
        let network = IPAddress(bytes: address).map { "\($0)" } ?? "?"
        return "\(network)/\(prefixLength)"
    }
}
