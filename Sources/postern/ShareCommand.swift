import ArgumentParser
import Foundation
import PosternServer
import Tunnel

/// `postern share`: connects a local server to a relay and prints its public URL.
struct ShareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "share",
        abstract: "Give a local server a public HTTPS URL through a `postern relay`.",
        discussion: """
        Every option can also be set with an environment variable: --some-name is POSTERN_SOME_NAME. \
        The agent reconnects by itself after any drop and keeps its URL.
        """
    )

    @Argument(help: "The local server to share. (default https://127.0.0.1:8443)")
    var url: String?
    @Option(help: "The relay's agent address, HOST:PORT. (POSTERN_RELAY)")
    var relay: String?
    @Option(help: "Token from `postern relay token create`. (POSTERN_TOKEN)")
    var token: String?
    @Option(help: "Name to ask for: NAME.DOMAIN. (POSTERN_SUBDOMAIN)")
    var subdomain: String?
    @Option(name: .customLong("relay-ca"), help: "Root certificate the relay's certificate must chain to (PEM). (POSTERN_RELAY_CA)")
    var relayCA: String?
    @Option(help: "Data folder, whose CA is trusted for an https upstream. (POSTERN_HOME)")
    var home: String?
    @Option(name: .customLong("inspect-port"), help: "Port of the inspector on 127.0.0.1 (/api/tunnels, /api/requests); 0 turns it off. (POSTERN_INSPECT_PORT, default 4040)")
    var inspectPort: String?
    @Flag(name: .customLong("insecure-upstream"), help: "Do not verify the local server's certificate. (POSTERN_INSECURE_UPSTREAM=1)")
    var insecureUpstream = false
    @Option(name: .customLong("host-header"), help: "keep: send the public Host; rewrite: send the local server's host:port. (POSTERN_HOST_HEADER, default keep)")
    var hostHeader: String?
    @Option(name: .customLong("basic-auth"), help: "USER:PASS every public request must present. (POSTERN_BASIC_AUTH)")
    var basicAuth: String?
    @Option(name: .customLong("allow-cidr"), help: "Client network let through, e.g. 203.0.113.0/24; repeatable. (POSTERN_ALLOW_CIDR, comma-separated)")
    var allowCIDR: [String] = []

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let relay = TunnelSetting.string(relay, "RELAY") else {
            throw ConfigurationError("postern share needs --relay HOST:PORT, the relay's agent port (e.g. tunnel.example.com:7443).")
        }
        guard let token = TunnelSetting.string(token, "TOKEN") else {
            throw ConfigurationError("postern share needs --token, made on the relay with `postern relay token create NAME`.")
        }
        let home = PosternHome.resolve(TunnelSetting.string(home, "HOME"))
        try await TunnelSetting.mapErrors {
            var configuration = try ShareConfiguration(
                upstream: url ?? environment["POSTERN_URL"] ?? "https://127.0.0.1:8443", relay: relay, token: token, home: home
            )
            if let subdomain = TunnelSetting.string(subdomain, "SUBDOMAIN") {
                guard TunnelName.isValid(subdomain.lowercased()) else {
                    throw ConfigurationError("--subdomain must be one DNS label: letters, digits and inner hyphens, at most 63; got \(subdomain).")
                }
                configuration.subdomain = subdomain.lowercased()
            }
            configuration.relayCA = TunnelSetting.string(relayCA, "RELAY_CA")
            configuration.inspectPort = try TunnelSetting.port(inspectPort, "INSPECT_PORT", flag: "--inspect-port", default: 4040, allowZero: true)
            configuration.insecureUpstream = insecureUpstream || ["1", "true", "yes"].contains(environment["POSTERN_INSECURE_UPSTREAM"]?.lowercased() ?? "")
            if let text = TunnelSetting.string(hostHeader, "HOST_HEADER") {
                guard let mode = ShareConfiguration.HostHeader(rawValue: text) else {
                    throw ConfigurationError("--host-header must be keep or rewrite; got \(text).")
                }
                configuration.hostHeader = mode
            }
            if let auth = TunnelSetting.string(basicAuth, "BASIC_AUTH") {
                guard auth.contains(":"), !auth.hasPrefix(":") else {
                    throw ConfigurationError("--basic-auth must be USER:PASS, e.g. --basic-auth demo:s3cret.")
                }
                configuration.basicAuth = auth
            }
            let networks = allowCIDR.isEmpty ? (environment["POSTERN_ALLOW_CIDR"]?.split(separator: ",").map(String.init) ?? []) : allowCIDR
            configuration.allowedNetworks = try networks.map { try AddressRange($0.trimmingCharacters(in: .whitespaces)) }
            let code = PublicURLCode()
            try await ShareAgent.run(configuration, print: Console.line) { url in
                for line in code.lines(for: url) { Console.line(line) }
            }
        }
    }
}
