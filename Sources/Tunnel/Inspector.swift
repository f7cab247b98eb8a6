import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The agent's inspector on 127.0.0.1 (port 4040 by default): ngrok's JSON
/// paths, so existing scripts keep working — `/api/tunnels` (the public URL)
/// and `/api/requests` (recent requests; `/api/requests/http` too) — and a
/// page at `/` that lists them and refreshes itself.
enum Inspector {
    static func bind(port: Int, recorder: RequestRecorder, upstream: String, group: EventLoopGroup) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(InspectorHandler(recorder: recorder, upstream: upstream))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
    }
}

final class InspectorHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let recorder: RequestRecorder
    private let upstream: String
    private var head: HTTPRequestHead?

    init(recorder: RequestRecorder, upstream: String) {
        self.recorder = recorder
        self.upstream = upstream
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let path = String(head.uri.prefix { $0 != "?" })
            let (status, type, body): (HTTPResponseStatus, String, String)
            switch path {
            case "/api/tunnels": (status, type, body) = (.ok, "application/json", json(tunnels()))
            case "/api/requests", "/api/requests/http": (status, type, body) = (.ok, "application/json", json(requests()))
            case "/": (status, type, body) = (.ok, "text/html; charset=utf-8", page())
            default: (status, type, body) = (.notFound, "application/json", json(["error": "not found; try /api/tunnels or /api/requests"]))
            }
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: type)
            headers.add(name: "content-length", value: "\(body.utf8.count)")
            headers.add(name: "cache-control", value: "no-store")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            if !head.isKeepAlive { context.close(promise: nil) }
        }
    }

    private func tunnels() -> [String: Any] {
        let tunnel = recorder.tunnel
        guard let url = tunnel.publicURL else { return ["tunnels": [Any]()] }
        return ["tunnels": [[
            "name": tunnel.name ?? "", "public_url": url, "proto": "https", "online": tunnel.online,
            "config": ["addr": upstream, "inspect": true],
        ] as [String: Any]]]
    }

    private func requests() -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let list: [[String: Any]] = recorder.all.reversed().map { entry in
            [
                "start": formatter.string(from: entry.time), "remote_addr": entry.clientAddress,
                "request": ["method": entry.method, "uri": entry.uri, "host": entry.host],
                "response": ["status_code": entry.status],
            ]
        }
        return ["requests": list, "uri": "/api/requests/http"]
    }

    private func json(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private func page() -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        let tunnel = recorder.tunnel
        let rows = recorder.all.reversed().prefix(100).map { entry in
            "<tr><td>\(entry.time.formatted(date: .omitted, time: .standard))</td><td>\(escape(entry.method))</td><td>\(escape(entry.uri))</td><td>\(entry.status)</td><td>\(escape(entry.clientAddress))</td></tr>"
        }.joined(separator: "\n")
        return """
        <!doctype html>
        <html><head><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>postern share inspector</title></head>
        <body style="font-family: system-ui, sans-serif; margin: 2em">
        <h1>\(escape(tunnel.publicURL ?? "not connected")) → \(escape(upstream))</h1>
        <p>\(tunnel.online ? "online" : "offline") · JSON at <a href="/api/tunnels">/api/tunnels</a> and <a href="/api/requests">/api/requests</a></p>
        <table cellpadding="4"><tr><th>time</th><th>method</th><th>path</th><th>status</th><th>client</th></tr>
        \(rows)
        </table></body></html>

        """
    }
}
