import BlogAPI
import Foundation

/// What `postern serve` was asked for, as given: each flag's value, or `nil`.
/// ``ServeSettings/resolve(_:environment:)`` fills the gaps from `POSTERN_*`
/// variables and defaults, and checks every value.
public struct ServeInput: Sendable {
    public var host: String?
    public var port: String?
    public var httpPort: String?
    public var home: String?
    public var database: String?
    public var media: String?
    public var publicURL: String?
    public var allowedHosts: [String] = []
    public var trustedProxies: [String] = []
    public var maxUpload: String?
    public var names: [String] = []
    public var openWrites = false
    /// `--share`: also connect to a relay and serve the public URL it gives.
    public var share = false
    public var relay: String?
    public var token: String?
    public var subdomain: String?
    public var relayCA: String?
    public var inspectPort: String?

    public init() {}
}

/// Where `serve --share` connects, checked.
public struct ShareSettings: Sendable {
    public var relay: String
    public var token: String
    public var subdomain: String?
    public var relayCA: String?
    /// The share inspector's port on 127.0.0.1; 0 turns it off.
    public var inspectPort: Int
}

/// The checked settings of `postern serve`.
public struct ServeSettings: Sendable {
    public var host: String
    public var port: Int
    /// `nil` when the plain-HTTP listener is off (`--http-port 0`).
    public var httpPort: Int?
    public var home: URL
    public var databasePath: String
    public var mediaPath: String
    public var publicURL: String?
    public var extraAllowedHosts: [String]
    public var trustedProxies: [CIDR]
    public var maxUpload: Int
    public var extraNames: [String]
    public var openWrites: Bool
    public var share: ShareSettings?

    /// Applies flags, then `POSTERN_*` variables, then defaults; a bad value is a ``ConfigurationError``.
    public static func resolve(_ input: ServeInput, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> ServeSettings {
        func value(_ flag: String?, _ variable: String) -> (String, String)? {
            if let flag { return (flag, "--\(variable.lowercased().replacingOccurrences(of: "_", with: "-"))") }
            if let env = environment["POSTERN_\(variable)"], !env.isEmpty { return (env, "POSTERN_\(variable)") }
            return nil
        }
        func list(_ flags: [String], _ variable: String) -> [String] {
            if !flags.isEmpty { return flags }
            return (environment["POSTERN_\(variable)"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        func port(_ raw: (String, String)?, default fallback: Int, allowZero: Bool) throws(ConfigurationError) -> Int {
            guard let (text, source) = raw else { return fallback }
            guard let number = Int(text), (allowZero ? 0 : 1)...65535 ~= number else {
                throw ConfigurationError("\(source) must be a port number from \(allowZero ? 0 : 1) to 65535\(allowZero ? " (0 turns it off)" : ""), not \"\(text)\".")
            }
            return number
        }

        let home = PosternHome.resolve(input.home, environment: environment)
        let host = value(input.host, "HOST")?.0 ?? "127.0.0.1"
        guard !host.isEmpty, CIDR.addressBytes(host) != nil || host == "localhost" else {
            throw ConfigurationError("--host must be an IP address to listen on (127.0.0.1, ::1, 0.0.0.0 or ::), not \"\(host)\".")
        }
        let httpsPort = try port(value(input.port, "PORT"), default: 8443, allowZero: false)
        let httpPort = try port(value(input.httpPort, "HTTP_PORT"), default: 8080, allowZero: true)
        if httpPort == httpsPort {
            throw ConfigurationError("--port and --http-port are both \(httpsPort); give the plain-HTTP listener another port, or 0 to turn it off.")
        }

        var publicURL: String?
        if let (text, source) = value(input.publicURL, "PUBLIC_URL") {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
                  let urlHost = url.host, !urlHost.isEmpty, url.path.isEmpty || url.path == "/", url.query == nil
            else {
                throw ConfigurationError("\(source) must be an origin such as https://api.example.test (scheme, host, optional port, no path), not \"\(text)\".")
            }
            publicURL = "\(scheme)://\(url.host!.lowercased())\(url.port.map { ":\($0)" } ?? "")"
        }

        var proxies: [CIDR] = CIDR.loopback
        let proxyTexts = list(input.trustedProxies, "TRUSTED_PROXY")
        if !proxyTexts.isEmpty {
            proxies = []
            for text in proxyTexts where text.lowercased() != "none" {
                guard let cidr = CIDR(text) else {
                    throw ConfigurationError("--trusted-proxy must be an address or network such as 10.0.0.0/8 or ::1 (or \"none\"), not \"\(text)\".")
                }
                proxies.append(cidr)
            }
        }

        var maxUpload = 10 << 20
        if let (text, source) = value(input.maxUpload, "MAX_UPLOAD") {
            guard let size = ByteSize.parse(text), size > 0 else {
                throw ConfigurationError("\(source) must be a size such as 10MiB, 512KiB or 1048576, not \"\(text)\".")
            }
            maxUpload = size
        }

        let allowed = list(input.allowedHosts, "ALLOWED_HOST")
        for name in allowed where name != "*" && !name.hasPrefix(".") && OriginPolicy.hostName(name) == nil {
            throw ConfigurationError("--allowed-host must be a host name, an address, .domain or *, not \"\(name)\".")
        }
        let names = list(input.names, "NAME")
        for name in names where !ServeSettings.isCertificateName(name) {
            throw ConfigurationError("--name must be a DNS name or an IP address for the certificate, not \"\(name)\".")
        }

        var share: ShareSettings?
        if input.share || ["1", "true", "yes"].contains(environment["POSTERN_SHARE"]?.lowercased() ?? "") {
            guard let relay = value(input.relay, "RELAY")?.0 else {
                throw ConfigurationError("--share needs --relay HOST:PORT, the relay's agent port (e.g. tunnel.example.com:7443).")
            }
            guard let token = value(input.token, "TOKEN")?.0 else {
                throw ConfigurationError("--share needs --token, made on the relay with `postern relay token create NAME`.")
            }
            share = ShareSettings(relay: relay, token: token, subdomain: value(input.subdomain, "SUBDOMAIN")?.0.lowercased(),
                                  relayCA: value(input.relayCA, "RELAY_CA")?.0,
                                  inspectPort: try port(value(input.inspectPort, "INSPECT_PORT"), default: 4040, allowZero: true))
        }
        let openWrites = input.openWrites || ["1", "true", "yes"].contains(environment["POSTERN_OPEN_WRITES"]?.lowercased() ?? "")
        let database = value(input.database, "DATABASE")?.0 ?? PosternHome.database(home).path
        let media = value(input.media, "MEDIA")?.0 ?? PosternHome.media(home).path
        return ServeSettings(
            host: host, port: httpsPort, httpPort: httpPort == 0 ? nil : httpPort, home: home,
            databasePath: Self.absolute(database), mediaPath: Self.absolute(media), publicURL: publicURL,
            extraAllowedHosts: allowed.map { $0.lowercased() }, trustedProxies: proxies, maxUpload: maxUpload,
            extraNames: names, openWrites: openWrites, share: share
        )
    }

    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    static func isCertificateName(_ name: String) -> Bool {
        if CIDR.addressBytes(name) != nil { return true }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return !name.isEmpty && name.count <= 253 && labels.enumerated().allSatisfy { index, label in
            (label == "*" && index == 0 && labels.count > 2) ||
                (!label.isEmpty && label.count <= 63 && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } && !label.hasPrefix("-") && !label.hasSuffix("-"))
        }
    }
}

