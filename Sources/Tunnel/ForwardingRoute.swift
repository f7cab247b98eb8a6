import NIOCore
import NIOHTTP1

/// What a ``RequestForwarder`` does with a request head: answer it itself
/// (a status page) or forward it to a partner channel that a closure opens.
///
/// The relay's route opens an HTTP/2 stream on an agent's connection; the
/// agent's route opens a connection to the local server.
enum ForwardDecision {
    case answer(StatusPage)
    case forward(HTTPRequestHead, open: @Sendable (ResponseSink) -> EventLoopFuture<PartnerHandle>)
}

/// Decides, per request, where a ``RequestForwarder`` sends it.
protocol ForwardingRoute: Sendable {
    /// `remoteIP` is the requester's peer address as text (evaluated only when asked for);
    /// `loop` is the requester's event loop: a partner on it is reached without a hop.
    func decide(_ head: HTTPRequestHead, remoteIP: @autoclosure () -> String?, on loop: EventLoop) -> ForwardDecision
    /// The page sent when the partner fails before answering.
    func failurePage(_ head: HTTPRequestHead) -> StatusPage
    /// A tap that records this exchange for the inspector (the agent's route), or nil.
    func capture(_ head: HTTPRequestHead) -> ExchangeCapture?
    /// The page refusing a request whose body reached `received` bytes, when that is past
    /// the route's limit (the relay's `--max-body`); nil while the body may go on.
    func oversizedBodyPage(_ head: HTTPRequestHead, received: Int) -> StatusPage?
}

extension ForwardingRoute {
    func capture(_ head: HTTPRequestHead) -> ExchangeCapture? { nil }
    func oversizedBodyPage(_ head: HTTPRequestHead, received: Int) -> StatusPage? { nil }
}

/// A small response the forwarder writes itself: status, a few headers, an HTML body.
struct StatusPage: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders = HTTPHeaders()
    var body: String

    init(_ status: HTTPResponseStatus, title: String, text: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.headers = headers
        let escaped = [title, text].map(\.htmlEscaped)
        self.body = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>\(status.code) \(escaped[0])</title></head>
        <body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto">
        <h1>\(escaped[0])</h1>
        <p>\(escaped[1])</p>
        <p><small>postern tunnel</small></p>
        </body></html>

        """
    }
}

/// The partner channel of a forwarded request, with its ``ResponseForwarder``
/// bound to the partner's event loop.
struct PartnerHandle: Sendable {
    let channel: Channel
    let forwarder: NIOLoopBound<ResponseForwarder>

    /// What a requester tells its partner.
    enum Event: Sendable {
        case send([HTTPClientRequestPart])
        case requesterWritable(Bool)
    }

    /// Hands `event` to the partner: at once when on its loop (no closure is
    /// made on that, the common, path), else as a task on its loop.
    func deliver(_ event: Event) {
        let forwarder = self.forwarder
        guard forwarder.eventLoop.inEventLoop else {
            return forwarder.eventLoop.execute { forwarder.value.handle(event) }
        }
        forwarder.value.handle(event)
    }
}

/// How a ``ResponseForwarder`` hands response parts back to the
/// ``RequestForwarder`` that asked, on that one's loop.
struct ResponseSink: Sendable {
    let requestID: Int
    let forwarder: NIOLoopBound<RequestForwarder>

    var eventLoop: EventLoop { forwarder.eventLoop }

    /// What a partner tells its requester.
    enum Event: Sendable {
        case response(HTTPClientResponsePart)
        /// The partner's current batch of reads ended.
        case readComplete
        case failed
        case partnerWritable(Bool)
    }

    /// Hands `event` to the requester: at once when on its loop (no closure
    /// is made on that, the common, path), else as a task on its loop.
    func deliver(_ event: Event) {
        let (forwarder, id) = (self.forwarder, requestID)
        guard forwarder.eventLoop.inEventLoop else {
            return forwarder.eventLoop.execute { forwarder.value.handle(event, requestID: id) }
        }
        forwarder.value.handle(event, requestID: id)
    }
}

extension ByteBuffer {
    /// A copy with its own storage, so a slice of a decoder's buffer is not held across loops.
    func detached() -> ByteBuffer { ByteBuffer(bytes: self.readableBytesView) }
}
