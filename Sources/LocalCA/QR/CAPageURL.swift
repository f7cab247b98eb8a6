/// The address a phone on the same network opens to fetch the root:
/// `http://<first LAN address>:<port>/ca`.
///
/// ```swift
/// let url = CAPageURL.lan(port: 8080)   // "http://192.168.1.20:8080/ca"
/// ```
public enum CAPageURL {
    /// The first IPv4 address that is neither loopback nor link-local (then
    /// the first such IPv6 address, in brackets); `localhost` when there is none.
    public static func lan(port: Int, addresses: [IPAddress] = LocalNames.interfaceAddresses()) -> String {
        let usable = addresses.filter { !$0.isLinkLocal && !isLoopback($0) }
        let host = usable.first(where: \.isIPv4).map(\.description)
            ?? usable.first.map { "[\($0)]" }
            ?? "localhost"
        return "http://\(host):\(port)/ca"
    }

    static func isLoopback(_ address: IPAddress) -> Bool {
        address.isIPv4 ? address.bytes[0] == 127 : address.bytes == [UInt8](repeating: 0, count: 15) + [1]
    }
}
