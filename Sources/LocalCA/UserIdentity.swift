import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Who made a root: `user@host`, as mkcert writes in its subjects, so that a
/// phone's certificate list tells apart the roots of several laptops.
enum UserIdentity {
    /// `user@host` for the current process.
    static var current: String { "\(userName)@\(hostName)" }

    /// The login name of the effective user, else `$USER`, else `user`.
    static var userName: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            let text = String(cString: name)
            if !text.isEmpty { return text }
        }
        return ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "user"
    }

    /// The machine's host name as `gethostname` reports it (may contain dots).
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }

    /// `text` cut to at most `limit` characters; X.520 bounds commonName and
    /// organizationalUnitName at 64, and strict verifiers enforce it.
    static func bounded(_ text: String, _ limit: Int = 64) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
