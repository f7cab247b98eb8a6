import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The agent's inspector on 127.0.0.1 (port 4040 by default), with ngrok's
/// agent API so existing scripts keep working:
///
/// | request | answer |
/// |---|---|
/// | `GET /api/tunnels` | the public URL |
/// | `GET /api/requests/http` (or `/api/requests`) | recent exchanges, newest first (`?limit=N`) |
/// | `GET /api/requests/http/ID` | one exchange (404 if unknown) |
/// | `DELETE /api/requests/http` | forgets them all (204) |
/// | `POST /api/requests/http` `{"id": "ID"}` | replays it to the upstream, recorded as a new exchange (204; 504 when the upstream has not answered within 30 s) |
/// | `GET /` | a page listing them, each with headers, bodies and a Replay button |
///
/// Replay is a write, so a request whose Host is not 127.0.0.1, localhost or
/// [::1] (a DNS-rebinding page) or whose Origin is another site gets 403.
enum Inspector {
    static func bind(port: Int, recorder: RequestRecorder, route: AgentRoute, group: EventLoopGroup) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(InspectorHandler(recorder: recorder, route: route))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
    }

    /// Whether a Host (or Origin's host) names this machine's loopback: `127.0.0.1`, `localhost`, `[::1]`, any port.
    static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") {
            name = String(name.prefix { $0 != "]" }.dropFirst())
        } else if let colon = name.firstIndex(of: ":") {
            name = String(name[..<colon])
        }
        return name == "127.0.0.1" || name == "localhost" || name == "::1"
    }
}

/// One inspector connection: reads a request (a JSON body of at most 64 KiB)
/// and answers it from the ``RequestRecorder``.
final class InspectorHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let recorder: RequestRecorder
    private let route: AgentRoute
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private static let maximumBody = 64 * 1024

    init(recorder: RequestRecorder, route: AgentRoute) {
        self.recorder = recorder
        self.route = route
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var part):
            if body.readableBytes + part.readableBytes <= Self.maximumBody { body.writeBuffer(&part) }
        case .end:
            guard let head else { return }
            self.head = nil
            answer(head, context: context)
        }
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let host = head.headers.first(name: "host"), Inspector.isLoopback(host) else {
            return respond(head, .forbidden, error: "The inspector answers to Host 127.0.0.1, localhost or [::1] only.", context: context)
        }
        if let origin = head.headers.first(name: "origin"), !Inspector.isLoopback(URLComponents(string: origin)?.host ?? origin) {
            return respond(head, .forbidden, error: "The inspector does not answer pages of other sites (Origin \(origin)).", context: context)
        }
        let path = String(head.uri.prefix { $0 != "?" })
        let tunnelName = recorder.tunnel.name
        switch (head.method, path) {
        case (.GET, "/api/tunnels"):
            respond(head, .ok, json: tunnels(), context: context)
        case (.GET, "/api/requests"), (.GET, "/api/requests/http"):
            var entries = recorder.all
            if let limit = URLComponents(string: head.uri)?.queryItems?.first(where: { $0.name == "limit" })?.value.flatMap({ Int($0) }), limit >= 0 {
                entries = Array(entries.suffix(limit))
            }
            respond(head, .ok, json: InspectorJSON.list(entries, tunnelName: tunnelName), context: context)
        case (.DELETE, "/api/requests/http"):
            recorder.clear()
            respond(head, .noContent, body: nil, context: context)
        case (.POST, "/api/requests/http"):
            replay(head, context: context)
        case (.GET, _) where path.hasPrefix("/api/requests/http/"):
            let id = String(path.dropFirst("/api/requests/http/".count))
            guard let entry = recorder.entry(id: id) else {
                return respond(head, .notFound, error: "No recorded request has the id \(id); GET /api/requests/http lists them.", context: context)
            }
            respond(head, .ok, json: InspectorJSON.entry(entry, tunnelName: tunnelName), context: context)
        case (.GET, "/"):
            let page = InspectorPage.render(recorder.all, tunnel: recorder.tunnel, upstream: route.configuration.upstreamDescription)
            respond(head, .ok, body: (ByteBuffer(string: page), "text/html; charset=utf-8"), context: context)
        case (_, "/"), (_, "/api/tunnels"), (_, "/api/requests"), (_, "/api/requests/http"):
            respond(head, .methodNotAllowed, error: "\(head.method.rawValue) is not allowed on \(path).", context: context)
        default:
            respond(head, .notFound, error: "Not found; try /api/tunnels or /api/requests/http.", context: context)
        }
    }

    private func replay(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              let id = object["id"] as? String else {
            return respond(head, .badRequest, error: "Send a JSON object with the id of a recorded request: {\"id\": \"…\"}.", context: context)
        }
        guard let entry = recorder.entry(id: id) else {
            return respond(head, .notFound, error: "No recorded request has the id \(id); GET /api/requests/http lists them.", context: context)
        }
        if let reason = RequestReplay.refusal(entry) {
            return respond(head, .unprocessableEntity, error: reason, context: context)
        }
        RequestReplay.run(entry, route: route, recorder: recorder, on: context.eventLoop).hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
            switch result {
            case .success:
                self.respond(head, .noContent, body: nil, context: context)
            case .failure(let error):
                let reason = (error as? TunnelError)?.description ?? "\(error)"
                let status: HTTPResponseStatus = (error as? TunnelError)?.isTimeout == true ? .gatewayTimeout : .badGateway
                self.respond(head, status, error: "The replay to \(self.route.configuration.upstreamDescription) failed: \(reason)", context: context)
            }
        }
    }

    private func tunnels() -> [String: Any] {
        let tunnel = recorder.tunnel
        guard let url = tunnel.publicURL else { return ["tunnels": [Any](), "uri": "/api/tunnels"] }
        return ["uri": "/api/tunnels", "tunnels": [[
            "name": tunnel.name ?? "", "public_url": url, "proto": "https", "online": tunnel.online,
            "config": ["addr": route.configuration.upstreamDescription, "inspect": true],
        ] as [String: Any]]]
    }

    private func respond(_ head: HTTPRequestHead, _ status: HTTPResponseStatus, error: String, context: ChannelHandlerContext) {
        respond(head, status, json: ["error": error, "status_code": Int(status.code)], context: context)
    }

    private func respond(_ head: HTTPRequestHead, _ status: HTTPResponseStatus, json: Any, context: ChannelHandlerContext) {
        respond(head, status, body: (InspectorJSON.encode(json), "application/json"), context: context)
    }

    private func respond(_ head: HTTPRequestHead, _ status: HTTPResponseStatus, body: (ByteBuffer, String)?, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        if let (buffer, type) = body {
            headers.add(name: "content-type", value: type)
            headers.add(name: "content-length", value: "\(buffer.readableBytes)")
        }
        headers.add(name: "cache-control", value: "no-store")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if let (buffer, _) = body { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        if !head.isKeepAlive { context.close(promise: nil) }
    }
}
