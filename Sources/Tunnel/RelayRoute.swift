import NIOCore
import NIOHTTP1

/// The relay's public routing: `Host: NAME.DOMAIN` goes to that agent's
/// connection as one HTTP/2 stream; anything else is answered by the relay
/// itself, so it never forwards to a host it does not serve (no open proxy).
///
/// It also replaces `X-Forwarded-For`, `-Proto` and `-Host` with what the
/// relay saw, so a public client cannot forge them.
struct RelayRoute: ForwardingRoute {
    let domain: String
    let registry: TunnelRegistry
    let maxStreams: Int
    let rateLimiter: RateLimiter?
    let metrics: RelayMetrics
    let store: TokenStore
    /// The largest request body forwarded (`--max-body`); 0 means no limit.
    let maxBody: Int

    static let forwardedHeaders = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "x-real-ip"]

    /// Whether a public client's header is one the relay replaces (the forwarding
    /// headers) or must not pass on (the upgrade marker, which only the relay sets).
    static func isDropped(_ name: String) -> Bool {
        let first = name.utf8.first.map { $0 | 0x20 }
        guard first == UInt8(ascii: "x") || first == UInt8(ascii: "f") else { return false }
        let lowered = name.lowercased()
        return forwardedHeaders.contains(lowered) || lowered == Upgrade.requestMarker
    }

    func decide(_ head: HTTPRequestHead, remoteIP: @autoclosure () -> String?, on loop: EventLoop) -> ForwardDecision {
        metrics.count(.requests)
        let host = head.headers.first(name: "host")
        guard let name = TunnelName.fromHost(host, domain: domain) else {
            metrics.count(.notFound)
            return .answer(StatusPage(.notFound, title: "No such tunnel",
                                      text: "This relay serves tunnels at NAME.\(domain) only; \(host ?? "this host") is not one of them."))
        }
        let client = remoteIP() ?? "unknown"
        if let rateLimiter, !rateLimiter.allow(client) {
            metrics.count(.rateLimited)
            var headers = HTTPHeaders()
            headers.add(name: "retry-after", value: "1")
            return .answer(StatusPage(.tooManyRequests, title: "Too many requests",
                                      text: "\(client) sent more requests per second than this relay allows; slow down and retry.", headers: headers))
        }
        guard let link = registry.link(for: name, on: loop) else {
            if store.isReserved(name) {
                metrics.count(.badGateway)
                return .answer(StatusPage(.badGateway, title: "Tunnel \(name).\(domain) is offline",
                                          text: "The agent for \(name).\(domain) is not connected right now. It reconnects by itself when it can; retry in a few seconds."))
            }
            metrics.count(.notFound)
            return .answer(StatusPage(.notFound, title: "Tunnel \(name).\(domain) not found",
                                      text: "No agent is connected for \(name).\(domain) right now. Start `postern share` for it, or check the name."))
        }
        if let length = head.headers.first(name: "content-length").flatMap({ Int($0) }),
           let page = oversizedBodyPage(head, received: length) {
            return .answer(page)
        }
        guard link.streams.acquire(limit: maxStreams) else {
            metrics.count(.busy)
            return .answer(StatusPage(.serviceUnavailable, title: "Tunnel \(name).\(domain) is busy",
                                      text: "This tunnel already carries \(maxStreams) requests at once; retry in a moment."))
        }
        var forwarded = head
        // One pass over the client's headers (not one per dropped name): every public request comes here.
        var headers = HTTPHeaders()
        headers.reserveCapacity(head.headers.count + 4)
        var upgrade: String?
        for (name, value) in head.headers {
            if Self.isDropped(name) { continue }
            if upgrade == nil, name.utf8.count == 7, name.lowercased() == "upgrade" { upgrade = value }
            headers.add(name: name, value: value)
        }
        headers.add(name: "x-forwarded-for", value: client)
        headers.add(name: "x-forwarded-proto", value: "https")
        if let host { headers.add(name: "x-forwarded-host", value: host) }
        if let upgrade { headers.add(name: Upgrade.requestMarker, value: upgrade) }
        forwarded.headers = headers
        let metrics = self.metrics
        return .forward(forwarded, open: { sink in
            metrics.count(.forwarded)
            return link.openStream(sink: sink)
        })
    }

    func oversizedBodyPage(_ head: HTTPRequestHead, received: Int) -> StatusPage? {
        guard maxBody > 0, received > maxBody else { return nil }
        metrics.count(.tooLarge)
        return StatusPage(.payloadTooLarge, title: "Request body too large",
                          text: "This relay forwards request bodies of at most \(maxBody) bytes; send a smaller body, or ask the relay's operator to raise --max-body.")
    }

    func failurePage(_ head: HTTPRequestHead) -> StatusPage {
        metrics.count(.badGateway)
        let host = head.headers.first(name: "host") ?? "this tunnel"
        return StatusPage(.badGateway, title: "Tunnel \(host) is not reachable",
                          text: "The agent for \(host) went away or could not answer. It reconnects by itself; retry in a few seconds.")
    }
}
