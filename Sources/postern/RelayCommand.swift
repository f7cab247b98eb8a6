import ArgumentParser
import Foundation
import PosternServer
import Tunnel

/// `postern relay`: the public side of the tunnel (``RelayRunCommand``, the
/// default), and `postern relay token …` to manage the tokens agents use.
///
/// The run options live in a default subcommand so that `--home` after
/// `token create` belongs to `token create`, not to the relay.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Run a tunnel relay: public HTTPS for NAME.DOMAIN, forwarded to `postern share` agents.",
        subcommands: [RelayRunCommand.self, RelayTokenCommand.self],
        defaultSubcommand: RelayRunCommand.self
    )
}

/// `postern relay --domain DOMAIN …`: runs the relay until SIGINT or SIGTERM.
struct RelayRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the relay (the default: `postern relay --domain D` is `postern relay run --domain D`).",
        discussion: """
        Every option can also be set with an environment variable: --some-name is POSTERN_SOME_NAME. \
        The flag wins. Without --cert, the relay issues its certificate from HOME/ca for DOMAIN, *.DOMAIN, \
        localhost, 127.0.0.1 and ::1 (fine for --domain tunnel.localhost).
        """
    )

    @Option(help: "Domain the tunnels live under: NAME.DOMAIN. (POSTERN_DOMAIN)")
    var domain: String?
    @Option(help: "Address to listen on. (POSTERN_HOST, default 0.0.0.0)")
    var host: String?
    @Option(help: "Public HTTPS port. (POSTERN_PORT, default 443)")
    var port: String?
    @Option(name: .customLong("http-port"), help: "Public plain-HTTP port that redirects to HTTPS; 0 turns it off. (POSTERN_HTTP_PORT, default 80)")
    var httpPort: String?
    @Option(name: .customLong("agent-port"), help: "Port agents connect to over TLS. (POSTERN_AGENT_PORT, default 7443)")
    var agentPort: String?
    @Option(name: .customLong("admin-port"), help: "Port of /metrics on 127.0.0.1; 0 turns it off. (POSTERN_ADMIN_PORT, default 9090)")
    var adminPort: String?
    @Option(help: "Certificate chain (PEM) for DOMAIN and *.DOMAIN. (POSTERN_CERT)")
    var cert: String?
    @Option(help: "Private key (PEM) of --cert. (POSTERN_KEY)")
    var key: String?
    @Option(help: "Data folder. (POSTERN_HOME, default $XDG_DATA_HOME/postern or ~/.local/share/postern)")
    var home: String?
    @Option(name: .customLong("rate-limit"), help: "Requests per second per client IP; 0 turns it off. (POSTERN_RATE_LIMIT, default 200)")
    var rateLimit: String?
    @Option(name: .customLong("max-streams"), help: "Concurrent requests per tunnel; 0 = no limit. (POSTERN_MAX_STREAMS, default 256)")
    var maxStreams: String?
    @Option(name: .customLong("max-tunnels"), help: "Tunnels open at once per token; 0 = no limit. (POSTERN_MAX_TUNNELS, default 16)")
    var maxTunnels: String?
    @Option(name: .customLong("max-body"), help: "Largest request body forwarded, in bytes; larger ones get 413. 0 = no limit. (POSTERN_MAX_BODY, default 0)")
    var maxBody: String?
    @Option(name: .customLong("idle-timeout"), help: "Seconds a public connection may stay idle between requests before it is closed; 0 = never. (POSTERN_IDLE_TIMEOUT, default 75)")
    var idleTimeout: String?

    func run() async throws {
        guard let domain = TunnelSetting.string(domain, "DOMAIN")?.lowercased(), !domain.isEmpty else {
            throw ConfigurationError("postern relay needs --domain DOMAIN (or POSTERN_DOMAIN), e.g. --domain tunnel.localhost.")
        }
        guard domain.split(separator: ".").count >= 2, domain.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else {
            throw ConfigurationError("--domain must be a DNS name with at least two labels, like tunnel.example.com; got \(domain).")
        }
        var configuration = RelayConfiguration(domain: domain, home: PosternHome.resolve(TunnelSetting.string(home, "HOME")))
        configuration.host = TunnelSetting.string(host, "HOST") ?? "0.0.0.0"
        configuration.port = try TunnelSetting.port(port, "PORT", flag: "--port", default: 443, allowZero: false)
        configuration.httpPort = try TunnelSetting.port(httpPort, "HTTP_PORT", flag: "--http-port", default: 80, allowZero: true)
        configuration.agentPort = try TunnelSetting.port(agentPort, "AGENT_PORT", flag: "--agent-port", default: 7443, allowZero: false)
        configuration.adminPort = try TunnelSetting.port(adminPort, "ADMIN_PORT", flag: "--admin-port", default: 9090, allowZero: true)
        configuration.certificatePath = TunnelSetting.string(cert, "CERT")
        configuration.keyPath = TunnelSetting.string(key, "KEY")
        if (configuration.certificatePath == nil) != (configuration.keyPath == nil) {
            throw ConfigurationError("--cert and --key go together: pass both, or neither to use a certificate from Postern's CA.")
        }
        configuration.rateLimit = try TunnelSetting.count(rateLimit, "RATE_LIMIT", flag: "--rate-limit", default: configuration.rateLimit)
        configuration.maxStreams = try TunnelSetting.count(maxStreams, "MAX_STREAMS", flag: "--max-streams", default: configuration.maxStreams)
        configuration.maxTunnels = try TunnelSetting.count(maxTunnels, "MAX_TUNNELS", flag: "--max-tunnels", default: configuration.maxTunnels)
        configuration.maxBody = try TunnelSetting.count(maxBody, "MAX_BODY", flag: "--max-body", default: configuration.maxBody)
        configuration.idleTimeout = try TunnelSetting.count(idleTimeout, "IDLE_TIMEOUT", flag: "--idle-timeout", default: configuration.idleTimeout)
        try await TunnelSetting.mapErrors {
            try await Relay.run(configuration, print: Console.line)
        }
    }
}

/// `postern relay token create NAME | list | revoke NAME`.
struct RelayTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage the tokens agents use to open tunnels on this relay.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; it is printed once, alone on the last line.")
        @Argument(help: "A label for the token, e.g. the laptop or person it is for.") var name: String
        @Option(help: "Data folder. (POSTERN_HOME)") var home: String?

        func run() async throws {
            try await TunnelSetting.mapErrors {
                let store = try TunnelSetting.store(home)
                let token = try store.create(name: name)
                Console.line("Token \(name) created. Keep it secret: the relay stores only its hash and cannot show it again.")
                Console.line("Use it with: postern share --relay HOST:PORT --token TOKEN")
                Console.line(token)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens and the names they reserved.")
        @Option(help: "Data folder. (POSTERN_HOME)") var home: String?

        func run() async throws {
            try await TunnelSetting.mapErrors {
                let entries = try TunnelSetting.store(home).list()
                if entries.isEmpty { Console.line("No tokens; create one with `postern relay token create NAME`.") }
                let formatter = ISO8601DateFormatter()
                for entry in entries {
                    let names = entry.reservedNames.isEmpty ? "-" : entry.reservedNames.joined(separator: ",")
                    Console.line("\(entry.name)\tcreated \(formatter.string(from: entry.created))\tnames \(names)")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a token and free its names (agents using it are refused from their next connection).")
        @Argument(help: "The token's label.") var name: String
        @Option(help: "Data folder. (POSTERN_HOME)") var home: String?

        func run() async throws {
            try await TunnelSetting.mapErrors {
                guard try TunnelSetting.store(home).revoke(name: name) else {
                    throw ConfigurationError("There is no token named \(name); `postern relay token list` shows them.")
                }
                Console.line("Token \(name) revoked.")
            }
        }
    }
}

/// Flag-or-environment values for the tunnel commands, with one-sentence errors.
enum TunnelSetting {
    static func string(_ flag: String?, _ variable: String) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = ProcessInfo.processInfo.environment["POSTERN_\(variable)"], !value.isEmpty { return value }
        return nil
    }

    static func port(_ flag: String?, _ variable: String, flag name: String, default value: Int, allowZero: Bool) throws -> Int {
        guard let text = string(flag, variable) else { return value }
        guard let port = Int(text), (allowZero ? 0 : 1)...65535 ~= port else {
            throw ConfigurationError("\(name) must be a port number between \(allowZero ? 0 : 1) and 65535; got \(text).")
        }
        return port
    }

    /// A whole number of 0 or more from the flag or its variable, else `defaultValue`.
    static func count(_ flag: String?, _ variable: String, flag name: String, default defaultValue: Int = 0) throws -> Int {
        guard let text = string(flag, variable) else { return defaultValue }
        guard let count = Int(text), count >= 0 else {
            throw ConfigurationError("\(name) must be a whole number, 0 or more (0 = no limit); got \(text).")
        }
        return count
    }

    static func store(_ home: String?) throws -> TokenStore {
        let folder = PosternHome.resolve(string(home, "HOME"))
        try PosternHome.prepare(folder)
        return try TokenStore(path: folder.appendingPathComponent("relay.sqlite").path)
    }

    /// Maps the tunnel's errors onto the command line's exit codes: a bad value 2, a failure 1.
    static func mapErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as TunnelError {
            if error.isUsageError { throw ConfigurationError(error.description) }
            throw StartupError(error.description)
        }
    }
}
