import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The names this machine answers to on the local network, for the server's
/// own certificate.
///
/// ```swift
/// let names = LocalNames.serverNames(extra: ["api.test"])
/// // ["localhost", "127.0.0.1", "::1", "laptop.local", "192.168.1.20", "fd12::7", "api.test"]
/// ```
///
/// A phone on the same Wi-Fi reaches the laptop by its LAN address or its
/// mDNS name, so the certificate must carry those too; link-local addresses
/// are left out because they only work together with an interface name.
public enum LocalNames {
    /// `localhost`, `127.0.0.1`, `::1`, `<hostname>.local`, every address of the
    /// machine's interfaces that Postern's name constraints permit
    /// (``NamePolicy/postern``), link-local (169.254/16, fe80::/10) excepted;
    /// then `extra`; de-duplicated, order kept.
    public static func serverNames(extra: [String]) -> [String] {
        serverNames(extra: extra, permittedBy: .postern)
    }

    /// Like ``serverNames(extra:)``, with the interface addresses filtered by
    /// `policy` instead (`nil`: keep every address, for an unconstrained root).
    /// `extra` is never filtered: a name outside the policy is reported when
    /// the certificate is issued.
    public static func serverNames(extra: [String], permittedBy policy: NamePolicy?) -> [String] {
        var candidates = ["localhost", "127.0.0.1", "::1"]
        if let mdns = mDNSName() { candidates.append(mdns) }
        for address in interfaceAddresses() where !address.isLinkLocal {
            if let policy, !policy.permits(.ip(address)) { continue }
            candidates.append(address.description)
        }
        candidates.append(contentsOf: extra)
        return deduplicated(candidates)
    }

    /// `<first label of the host name>.local`, or `nil` when the host name is
    /// not a valid DNS label (Bonjour would then advertise another name).
    static func mDNSName() -> String? {
        let host = UserIdentity.hostName.lowercased()
        guard let label = host.split(separator: ".").first.map(String.init), label != "localhost",
            CertificateName.isHostName(label, wildcard: false)
        else { return nil }
        return label + ".local"
    }

    /// Every IPv4 and IPv6 address of the machine's interfaces, in the order `getifaddrs` lists them.
    public static func interfaceAddresses() -> [IPAddress] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let socketAddress = entry.pointee.ifa_addr else { continue }
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                let bytes = UnsafeRawPointer(socketAddress).withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    var address = $0.pointee.sin_addr
                    return withUnsafeBytes(of: &address) { Array($0) }
                }
                if let ip = IPAddress(bytes: bytes) { addresses.append(ip) }
            case AF_INET6:
                let bytes = UnsafeRawPointer(socketAddress).withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    var address = $0.pointee.sin6_addr
                    return withUnsafeBytes(of: &address) { Array($0) }
                }
                if let ip = IPAddress(bytes: bytes) { addresses.append(ip) }
            default:
                continue
            }
        }
        return addresses
    }

    /// Drops later spellings of a name already listed (`LOCALHOST`, `0::1`),
    /// keeping the first spelling and the order. Unparsable names are kept
    /// as they are, so that issuing reports them.
    static func deduplicated(_ names: [String]) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for name in names {
            let key = (try? CertificateName(parsing: name)).map { "\($0)" } ?? name
            if seen.insert(key).inserted { result.append(name) }
        }
        return result
    }
}
