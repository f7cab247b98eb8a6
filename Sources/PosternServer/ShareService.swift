import BlogAPI
import Foundation
import ServiceLifecycle
import Tunnel

/// `serve --share`: the tunnel agent as one more service of `serve`.
///
/// It forwards the relay's streams to this server by name (`localhost`, so the
/// TLS client gets the DNS-only leaf), and allows the public host it is given,
/// so answers to tunnelled requests carry `https://NAME.DOMAIN` (from the
/// relay's `X-Forwarded-Host`, believed because the agent is on loopback) and
/// count as remote (from the relay's `X-Forwarded-For`).
struct ShareService: Service {
    let configuration: ShareConfiguration
    let origins: OriginPolicy
    let output: @Sendable (String) -> Void

    init(settings: ServeSettings, share: ShareSettings, origins: OriginPolicy, output: @escaping @Sendable (String) -> Void) throws {
        var configuration: ShareConfiguration
        do {
            configuration = try ShareConfiguration(upstream: "https://localhost:\(settings.port)", relay: share.relay, token: share.token, home: settings.home)
        } catch {
            throw ConfigurationError("\(error)")
        }
        configuration.subdomain = share.subdomain
        configuration.relayCA = share.relayCA
        configuration.inspectPort = share.inspectPort
        self.configuration = configuration
        self.origins = origins
        self.output = output
    }

    func run() async throws {
        let learnt = origins.learntHosts
        let code = PublicURLCode()
        let output = self.output
        try await cancelWhenGracefulShutdown {
            try await ShareAgent.run(configuration, print: output) { url in
                if let host = URL(string: url)?.host { learnt.add(host) }
                for line in code.lines(for: url) { output(line) }
            }
        }
    }
}
