/// A tunnel's name: one DNS label under the relay's domain (`NAME.DOMAIN`).
///
/// Names are lowercase letters, digits and inner hyphens, 1 to 63 characters,
/// so that `NAME.DOMAIN` is a host name every client accepts and a wildcard
/// certificate for `*.DOMAIN` covers it.
///
/// ```swift
/// TunnelName.isValid("my-app")                                  // true
/// TunnelName.fromHost("my-app.tunnel.localhost:8443", domain: "tunnel.localhost") // "my-app"
/// ```
public enum TunnelName {
    /// Whether `name` is a label the relay hands out.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count), bytes.first != UInt8(ascii: "-"), bytes.last != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") }
    }

    /// A fresh random name: 10 lowercase letters and digits (about 51 bits).
    public static func random() -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<10).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }

    /// The tunnel name a `Host` header points at, or `nil` when the host is not
    /// exactly one label under `domain` (the relay then answers itself, never
    /// forwarding: it is not an open proxy).
    public static func fromHost(_ host: String?, domain: String) -> String? {
        // On the host's bytes: the relay asks this for every public request.
        guard let host, !host.isEmpty else { return nil }
        var bytes = Array(host.utf8)
        if bytes.first == UInt8(ascii: "[") { return nil }
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            guard bytes[(colon + 1)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            bytes.removeSubrange(colon...)
        }
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        let suffix = Array(("." + domain).utf8)
        guard bytes.count > suffix.count,
              zip(bytes[(bytes.count - suffix.count)...], suffix).allSatisfy({ lowercased($0) == lowercased($1) }) else { return nil }
        let name = String(decoding: bytes[..<(bytes.count - suffix.count)].map(lowercased), as: UTF8.self)
        return isValid(name) ? name : nil
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
