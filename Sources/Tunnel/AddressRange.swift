import NIOCore

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`, `::1/128`), or one address.
///
/// ```swift
/// let lan = try AddressRange("192.168.0.0/16")
/// lan.contains("192.168.1.20")   // true
/// ```
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    let bytes: [UInt8]
    let prefix: Int

    public init(_ text: String) throws {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let first = parts.first, let address = Self.parse(first) else {
            throw TunnelError.badInput("\(text) is not an address or a network like 203.0.113.0/24 or 2001:db8::/32.")
        }
        let maximum = address.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : maximum
        guard let prefix, (0...maximum).contains(prefix) else {
            throw TunnelError.badInput("The prefix length in \(text) must be between 0 and \(maximum).")
        }
        self.bytes = address
        self.prefix = prefix
    }

    public var description: String { "\(bytes)/\(prefix)" }

    /// Whether `address` (text, as in X-Forwarded-For) is inside the network.
    public func contains(_ address: String) -> Bool {
        guard var other = Self.parse(address) else { return false }
        if other.count == 16 && bytes.count == 4 && other[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] {
            other = Array(other[12...])
        }
        guard other.count == bytes.count else { return false }
        var remaining = prefix
        for index in bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if bytes[index] & mask != other[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    static func parse(_ text: String) -> [UInt8]? {
        guard let address = try? SocketAddress(ipAddress: text, port: 0) else { return nil }
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            return withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        default:
            return nil
        }
    }
}
