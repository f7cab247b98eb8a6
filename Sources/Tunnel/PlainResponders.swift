import NIOCore
import NIOHTTP1

/// A small HTTP/1 responder for the relay's side ports: it waits for each
/// request's end (ignoring any body) and writes the answer `respond` gives
/// for its head, keeping the connection open when the client asked to.
final class PlainResponder: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// What to send back: status, headers (content-length is added) and body.
    struct Answer {
        var status: HTTPResponseStatus
        var headers = HTTPHeaders()
        var body = ""
    }

    private let respond: @Sendable (HTTPRequestHead) -> Answer
    private var head: HTTPRequestHead?

    init(_ respond: @escaping @Sendable (HTTPRequestHead) -> Answer) { self.respond = respond }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            var answer = respond(head)
            answer.headers.replaceOrAdd(name: "content-length", value: "\(answer.body.utf8.count)")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: answer.status, headers: answer.headers))), promise: nil)
            if !answer.body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer.body)))), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            if !head.isKeepAlive { context.close(promise: nil) }
        }
    }

    /// Plain HTTP on the public side: every request is redirected to the same
    /// host and path over HTTPS (308 keeps the method and body of a POST).
    static func httpsRedirect(httpsPort: Int) -> PlainResponder {
        PlainResponder { head in
            var host = head.headers.first(name: "host") ?? "localhost"
            if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = String(host[..<colon]) }
            let port = httpsPort == 443 ? "" : ":\(httpsPort)"
            let path = head.uri.hasPrefix("/") ? head.uri : "/"
            var headers = HTTPHeaders()
            headers.add(name: "location", value: "https://\(host)\(port)\(path)")
            let status: HTTPResponseStatus = (head.method == .GET || head.method == .HEAD) ? .movedPermanently : .permanentRedirect
            return Answer(status: status, headers: headers)
        }
    }

    /// The admin port: `GET /metrics` in Prometheus' text format, 404 otherwise.
    static func metrics(_ text: @escaping @Sendable () -> String) -> PlainResponder {
        PlainResponder { head in
            let found = head.uri == "/metrics" || head.uri.hasPrefix("/metrics?")
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: found ? "text/plain; version=0.0.4" : "text/plain")
            return Answer(status: found ? .ok : .notFound, headers: headers,
                          body: found ? text() : "Not found; the relay's metrics are at /metrics.\n")
        }
    }
}
