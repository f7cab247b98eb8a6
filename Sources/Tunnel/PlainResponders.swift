import NIOCore
import NIOHTTP1

/// Plain HTTP on the relay's public side: every request is redirected to the
/// same host and path over HTTPS (308 keeps the method and body of a POST).
final class HTTPSRedirectHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let httpsPort: Int
    private var head: HTTPRequestHead?

    init(httpsPort: Int) { self.httpsPort = httpsPort }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            var host = head.headers.first(name: "host") ?? "localhost"
            if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = String(host[..<colon]) }
            let port = httpsPort == 443 ? "" : ":\(httpsPort)"
            let path = head.uri.hasPrefix("/") ? head.uri : "/"
            var headers = HTTPHeaders()
            headers.add(name: "location", value: "https://\(host)\(port)\(path)")
            headers.add(name: "content-length", value: "0")
            let status: HTTPResponseStatus = (head.method == .GET || head.method == .HEAD) ? .movedPermanently : .permanentRedirect
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            if !head.isKeepAlive { context.close(promise: nil) }
            self.head = nil
        }
    }
}

/// The admin port: `GET /metrics` in Prometheus' text format, 404 otherwise.
final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let body: @Sendable () -> String
    private var head: HTTPRequestHead?

    init(body: @escaping @Sendable () -> String) { self.body = body }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            let found = head.uri == "/metrics" || head.uri.hasPrefix("/metrics?")
            let text = found ? body() : "Not found; the relay's metrics are at /metrics.\n"
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: found ? "text/plain; version=0.0.4" : "text/plain")
            headers.add(name: "content-length", value: "\(text.utf8.count)")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: found ? .ok : .notFound, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            if !head.isKeepAlive { context.close(promise: nil) }
            self.head = nil
        }
    }
}
