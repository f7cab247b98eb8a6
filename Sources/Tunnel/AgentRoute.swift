import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The agent's routing: every stream the relay opens is forwarded to the local
/// URL over an HTTP/1.1 connection on the stream's own event loop (no hop, no
/// copy) — a kept-alive one from ``UpstreamPool`` when there is one — after
/// the public-side checks (`--basic-auth`, `--allow-cidr`).
struct AgentRoute: ForwardingRoute {
    let configuration: ShareConfiguration
    let tls: NIOSSLContext?
    let recorder: RequestRecorder?
    let pool = UpstreamPool()

    func decide(_ head: HTTPRequestHead, remoteIP: @autoclosure () -> String?, on loop: EventLoop) -> ForwardDecision {
        let client = head.headers.first(name: "x-forwarded-for") ?? remoteIP() ?? ""
        if !configuration.allowedNetworks.isEmpty, !configuration.allowedNetworks.contains(where: { $0.contains(client) }) {
            return .answer(StatusPage(.forbidden, title: "Forbidden", text: "This tunnel does not accept requests from \(client)."))
        }
        if let expected = configuration.basicAuth, !Self.authorized(head, expected: expected) {
            var headers = HTTPHeaders()
            headers.add(name: "www-authenticate", value: "Basic realm=\"postern tunnel\", charset=\"UTF-8\"")
            return .answer(StatusPage(.unauthorized, title: "Authentication required", text: "This tunnel asks for a user name and password.", headers: headers))
        }
        let configuration = self.configuration
        let tls = self.tls
        let pool = self.pool
        return .forward(head, open: { sink in Self.connect(sink: sink, configuration: configuration, tls: tls, pool: pool) })
    }

    func capture(_ head: HTTPRequestHead) -> ExchangeCapture? {
        guard configuration.inspectPort > 0, let recorder else { return nil }
        return ExchangeCapture(head, recorder: recorder)
    }

    func failurePage(_ head: HTTPRequestHead) -> StatusPage {
        StatusPage(.badGateway, title: "The shared server is not answering",
                   text: "The agent could not reach \(configuration.upstreamDescription). Start the local server, or check the URL given to `postern share`.")
    }

    static func authorized(_ head: HTTPRequestHead, expected: String) -> Bool {
        guard let value = head.headers.first(name: "authorization"), value.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(value.dropFirst(6)).trimmingCharacters(in: .whitespaces)) else { return false }
        let given = Array(data), wanted = Array(expected.utf8)
        guard given.count == wanted.count else { return false }
        return zip(given, wanted).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// An upstream connection on the stream's loop with a ``ResponseForwarder``
    /// in it: an idle one from `pool`, else a new one that goes back to `pool`
    /// after its exchange.
    static func connect(sink: ResponseSink, configuration: ShareConfiguration, tls: NIOSSLContext?, pool: UpstreamPool) -> EventLoopFuture<PartnerHandle> {
        if let idle = pool.take(on: sink.eventLoop) {
            idle.forwarder.value.rebind(to: sink)
            return sink.eventLoop.makeSucceededFuture(idle)
        }
        let forwarder = NIOLoopBound(ResponseForwarder(sink: sink, afterResponse: .reuse(pool.giveBack), adjustHead: upstreamHead(configuration)),
                                     eventLoop: sink.eventLoop)
        return dialUpstream(configuration: configuration, tls: tls, handler: forwarder)
            .map { channel in PartnerHandle(channel: channel, forwarder: forwarder) }
    }

    /// What a request head becomes towards the upstream: HTTP/1.1, and with
    /// `--host-header rewrite` the upstream's `host:port` as Host.
    static func upstreamHead(_ configuration: ShareConfiguration) -> @Sendable (inout HTTPRequestHead) -> Void {
        let hostHeader = configuration.hostHeader == .rewrite
            ? (configuration.upstreamHost.contains(":") ? "[\(configuration.upstreamHost)]" : configuration.upstreamHost) + ":\(configuration.upstreamPort)"
            : nil
        return { head in
            head.version = .http1_1
            if let hostHeader { head.headers.replaceOrAdd(name: "host", value: hostHeader) }
        }
    }

    /// Connects to the upstream on `handler`'s loop: TLS for an https URL, an
    /// HTTP/1.1 client codec, then `handler` (forwarded streams and the inspector's replays).
    static func dialUpstream<Handler: ChannelHandler>(configuration: ShareConfiguration, tls: NIOSSLContext?,
                                                      handler: NIOLoopBound<Handler>) -> EventLoopFuture<Channel> {
        let serverName = serverName(for: configuration.upstreamHost)
        return ClientBootstrap(group: handler.eventLoop)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                        try channel.pipeline.syncOperations.addHandler(OutboundCoalescer(defersFlushes: false))
                    }
                    // Request heads arrive over HTTP/2, whose decoder already refuses CR, LF and NUL
                    // in field values; validating them again on the way out is pure cost.
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(leftOverBytesStrategy: .forwardBytes,
                                                                              enableOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(handler.value)
                }
            }
            .connect(host: configuration.upstreamHost, port: configuration.upstreamPort)
    }

    /// The name sent in SNI and checked against the certificate. A loopback
    /// address is dialled as `localhost`: Postern's servers then present their
    /// DNS-only leaf, the one BoringSSL accepts under the name-constrained root.
    static func serverName(for host: String) -> String? {
        if host == "127.0.0.1" || host == "::1" || host.hasPrefix("127.") { return "localhost" }
        return isIPAddress(host) ? nil : host
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    /// TLS towards an https upstream: the system's roots plus Postern's own CA,
    /// or no verification with `--insecure-upstream`.
    static func upstreamTLS(_ configuration: ShareConfiguration) throws -> NIOSSLContext? {
        guard configuration.upstreamScheme == "https" else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.applicationProtocols = ["http/1.1"]
        if configuration.insecureUpstream {
            tls.certificateVerification = .none
        } else if let root = configuration.upstreamCA {
            tls.additionalTrustRoots = [.file(root)]
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw TunnelError.badInput("Cannot set up TLS to \(configuration.upstreamDescription): \(error). Check \(configuration.upstreamCA ?? "the system's trust store").")
        }
    }
}
