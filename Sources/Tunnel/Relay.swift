import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// `postern relay`: the public side of the tunnel. Listens for agents on the
/// agent port (TLS, token, then HTTP/2 with the relay as client), for the public
/// on HTTPS (routing `NAME.DOMAIN` to that agent) and plain HTTP (redirect),
/// and serves `/metrics` on 127.0.0.1's admin port.
///
/// ```swift
/// var configuration = RelayConfiguration(domain: "tunnel.localhost", home: home)
/// configuration.port = 8443
/// try await Relay.run(configuration, print: { print($0) })
/// ```
public enum Relay {
    /// Runs until SIGINT or SIGTERM.
    public static func run(_ configuration: RelayConfiguration, print: @escaping @Sendable (String) -> Void) async throws {
        try FileManager.default.createDirectory(at: configuration.home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let store = try TokenStore(path: configuration.storePath.path)
        let identity = try configuration.identity()
        let service = RelayService(configuration: configuration, store: store, identity: identity, print: print)
        var logger = Logger(label: "postern.relay")
        logger.logLevel = .warning
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

struct RelayService: Service {
    let configuration: RelayConfiguration
    let store: TokenStore
    let identity: RelayIdentity
    let print: @Sendable (String) -> Void

    func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let registry = TunnelRegistry()
        let metrics = RelayMetrics()
        var channels: [Channel] = []
        do {
            channels.append(try await bindPublic(group: group, registry: registry, metrics: metrics))
            channels.append(try await bindAgents(group: group, registry: registry, metrics: metrics))
            if configuration.httpPort > 0 { channels.append(try await bindRedirect(group: group)) }
            if configuration.adminPort > 0 { channels.append(try await bindAdmin(group: group, registry: registry, metrics: metrics)) }
        } catch {
            for channel in channels { try? await channel.close() }
            if let error = error as? TunnelError { throw error }
            throw TunnelError.startup("Cannot listen: \(error). Another program may use the port; pick others with --port, --http-port, --agent-port, --admin-port.")
        }
        let display = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        print("Relay for *.\(configuration.domain) listening:")
        print("  public   https://\(display):\(configuration.port)/  (tunnels at https://NAME.\(configuration.domain)\(configuration.port == 443 ? "" : ":\(configuration.port)")/)")
        if configuration.httpPort > 0 { print("  redirect http://\(display):\(configuration.httpPort)/") }
        print("  agents   \(display):\(configuration.agentPort)")
        if configuration.adminPort > 0 { print("  metrics  http://127.0.0.1:\(configuration.adminPort)/metrics") }
        if let root = identity.root { print("Agents and clients trust the relay with --relay-ca \(root.path)") }
        try? await gracefulShutdown()
        print("Relay stopping.")
        for channel in channels { try? await channel.close() }
        for link in registry.all { try? await link.channel.close() }
    }

    private func tls(alpn: [String]) throws -> NIOSSLContext {
        try identity.serverContext(alpn: alpn)
    }

    private func bindPublic(group: EventLoopGroup, registry: TunnelRegistry, metrics: RelayMetrics) async throws -> Channel {
        let context = try tls(alpn: ["h2", "http/1.1"])
        let route = RelayRoute(
            domain: configuration.domain, registry: registry, maxStreams: configuration.maxStreams,
            rateLimiter: configuration.rateLimit > 0 ? RateLimiter(perSecond: configuration.rateLimit) : nil, metrics: metrics, store: store,
            maxBody: configuration.maxBody
        )
        let idleTimeout = configuration.idleTimeout > 0 ? TimeAmount.seconds(Int64(configuration.idleTimeout)) : nil
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                }.flatMap {
                    // Browsers and curl offer HTTP/2 (ALPN): one connection then carries a page's
                    // many requests. Clients that do not (wrk, Python's http.client) get HTTP/1.1.
                    channel.configureHTTP2SecureUpgrade(
                        h2ChannelConfigurator: { channel in
                            channel.eventLoop.makeCompletedFuture { try Self.configureHTTP2(channel, route: route, idleTimeout: idleTimeout) }
                        },
                        http1ChannelConfigurator: { channel in
                            channel.eventLoop.makeCompletedFuture { try Self.configureHTTP1(channel.pipeline.syncOperations, route: route, idleTimeout: idleTimeout) }
                        }
                    )
                }
            }
            .bind(host: configuration.host, port: configuration.port).get()
    }

    /// A public HTTP/1.1 connection: one ``RequestForwarder`` for its requests in turn,
    /// which closes the connection after `idleTimeout` without a request.
    private static func configureHTTP1(_ pipeline: ChannelPipeline.SynchronousOperations, route: RelayRoute, idleTimeout: TimeAmount?) throws {
        // No outbound header validation: every response head written here is the relay's
        // own or came from the agent over HTTP/2, whose decoder already refuses CR, LF and
        // NUL in field values (RFC 9113 § 8.2.1) — the check cost 7 % of the relay's time.
        // No pipelining assistance either: it held each connection's reads until the
        // response ended (two epoll changes a request); RequestForwarder keeps a
        // pipelined request's parts itself and holds reads only then.
        // An answer's head and body leave in one TLS record.
        try pipeline.addHandler(OutboundCoalescer(defersFlushes: false))
        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true, withOutboundHeaderValidation: false)
        try pipeline.addHandler(RequestForwarder(route: route, idleTimeout: idleTimeout))
    }

    /// A public HTTP/2 connection: each stream is one request with its own
    /// ``RequestForwarder``, as on the agent's side of a link; responses that
    /// end in the same event-loop tick leave in one flush. After `idleTimeout`
    /// without an open stream the connection is closed with a GOAWAY.
    private static func configureHTTP2(_ channel: Channel, route: RelayRoute, idleTimeout: TimeAmount?) throws {
        let pipeline = channel.pipeline.syncOperations
        let manager = NIOHTTP2ServerConnectionManagementHandler(
            eventLoop: channel.eventLoop,
            configuration: .init(maxIdleTime: idleTimeout, maxAge: nil, maxGraceTime: .seconds(10), keepalive: nil)
        )
        try pipeline.addHandler(OutboundCoalescer(defersFlushes: true))
        _ = try pipeline.configureHTTP2Pipeline(
            mode: .server,
            connectionConfiguration: TunnelHandshake.connectionConfiguration(maxConcurrentStreams: 100),
            streamConfiguration: TunnelHandshake.streamConfiguration,
            streamDelegate: manager.http2StreamDelegate,
            inboundStreamInitializer: { stream in
                stream.eventLoop.makeCompletedFuture {
                    try HTTP2RequestStopper.configure(stream.pipeline.syncOperations, route: route)
                }
            }
        )
        try pipeline.addHandler(manager)
        // The manager starts its idle timer on channelActive, which came before ALPN chose
        // HTTP/2 (after the TLS handshake): start it now.
        manager.channelActive(context: try pipeline.context(handler: manager))
    }

    private func bindAgents(group: EventLoopGroup, registry: TunnelRegistry, metrics: RelayMetrics) async throws -> Channel {
        let context = try tls(alpn: ["postern-tunnel"])
        let settings = RelayAgentHandler.Settings(
            store: store, registry: registry, metrics: metrics, domain: configuration.domain,
            publicPort: configuration.port, maxTunnels: configuration.maxTunnels, log: print
        )
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(RelayAgentHandler(settings: settings))
                }
            }
            .bind(host: configuration.host, port: configuration.agentPort).get()
    }

    private func bindRedirect(group: EventLoopGroup) async throws -> Channel {
        let port = configuration.port
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(PlainResponder.httpsRedirect(httpsPort: port))
                }
            }
            .bind(host: configuration.host, port: configuration.httpPort).get()
    }

    private func bindAdmin(group: EventLoopGroup, registry: TunnelRegistry, metrics: RelayMetrics) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(PlainResponder.metrics { metrics.text(registry: registry) })
                }
            }
            .bind(host: "127.0.0.1", port: configuration.adminPort).get()
    }
}
