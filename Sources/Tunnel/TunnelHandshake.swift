import NIOCore
import NIOHTTP2

/// The few bytes agent and relay exchange on a fresh TLS connection before it
/// turns into HTTP/2 (with the relay as the HTTP/2 client).
///
/// ```
/// agent → relay   POSTERN-TUNNEL/1 <token> <name or -> [<session>]\n
/// relay → agent   OK <name> <public URL>\n      (then the relay sends the HTTP/2 preface)
///                 ERR <token|limit|bad> <sentence>\n   (then closes)
/// ```
///
/// An agent opens several connections (one per event loop) under one
/// session id; the relay adds connections of the tunnel's current session and
/// lets a new session replace them (see ``TunnelRegistry``).
///
/// A line protocol rather than an HTTP/1.1 upgrade: it costs one round trip
/// and leaves no HTTP/1 codec to remove before HTTP/2 starts.
enum TunnelHandshake {
    static let version = "POSTERN-TUNNEL/1"
    static let maximumLineLength = 4096

    struct Hello: Equatable {
        var token: String
        var name: String?
        /// The agent's connection set; absent, the connection is a set of its own.
        var session: String? = nil
    }

    enum Answer: Equatable {
        case accepted(name: String, url: String)
        case refused(reason: String, message: String)
    }

    /// A fresh session id for an agent's next set of connections.
    static func newSession() -> String {
        String(UInt64.random(in: .min ... .max), radix: 36)
    }

    static func line(_ hello: Hello) -> String {
        "\(version) \(hello.token) \(hello.name ?? "-")\(hello.session.map { " \($0)" } ?? "")\n"
    }

    static func parseHello(_ line: String) -> Hello? {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3 || parts.count == 4, parts[0] == version else { return nil }
        return Hello(token: parts[1], name: parts[2] == "-" ? nil : parts[2], session: parts.count == 4 ? parts[3] : nil)
    }

    static func line(_ answer: Answer) -> String {
        switch answer {
        case .accepted(let name, let url): return "OK \(name) \(url)\n"
        case .refused(let reason, let message): return "ERR \(reason) \(message.replacingOccurrences(of: "\n", with: " "))\n"
        }
    }

    static func parseAnswer(_ line: String) -> Answer? {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        if parts.count == 3, parts[0] == "OK" { return .accepted(name: parts[1], url: parts[2]) }
        if parts.count >= 2, parts[0] == "ERR" { return .refused(reason: parts[1], message: parts.count == 3 ? parts[2] : "") }
        return nil
    }

    /// Takes one `\n`-terminated line off the front of `buffer`, if complete.
    static func takeLine(_ buffer: inout ByteBuffer) -> String? {
        guard let index = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let length = index - buffer.readerIndex
        let text = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        return text.hasSuffix("\r") ? String(text.dropLast()) : text
    }

    /// HTTP/2 settings for the relay's public connections and for both ends of
    /// a link: 4 MiB windows (the prototype's full-speed size), NIO's stream and
    /// header limits and its guards against abusive peers kept.
    static func connectionConfiguration(maxConcurrentStreams: Int) -> NIOHTTP2Handler.ConnectionConfiguration {
        var configuration = NIOHTTP2Handler.ConnectionConfiguration()
        configuration.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: 64 * 1024),
            HTTP2Setting(parameter: .initialWindowSize, value: windowSize),
        ]
        configuration.targetWindowSize = windowSize
        return configuration
    }

    static var streamConfiguration: NIOHTTP2Handler.StreamConfiguration {
        var configuration = NIOHTTP2Handler.StreamConfiguration()
        configuration.targetWindowSize = windowSize
        configuration.outboundBufferSizeHighWatermark = 256 * 1024
        configuration.outboundBufferSizeLowWatermark = 128 * 1024
        return configuration
    }

    /// ``connectionConfiguration(maxConcurrentStreams:)`` for an agent link.
    ///
    /// NIO's guards against abusive peers are sized for one client's
    /// connection; a link carries every public client's requests, and each
    /// public client that goes away mid-answer becomes a reset stream on it
    /// (and a frame or two arriving for it after: a "stream error"). With NIO's
    /// defaults the 200th such event in the link's life (stream errors) or in
    /// 30 s (resets) made the agent end the link with GOAWAY
    /// ENHANCE_YOUR_CALM, and the tunnel stopped answering: any public client
    /// could do that by aborting downloads. The public connections keep NIO's
    /// guards, one client each; on a link they are raised far past what the
    /// relay can forward (10,000 resets or stream errors a second; no lifetime
    /// count of glitches; 4,096 recently reset streams remembered, so late
    /// frames for them are not errors at all).
    static func linkConnectionConfiguration(maxConcurrentStreams: Int) -> NIOHTTP2Handler.ConnectionConfiguration {
        var configuration = connectionConfiguration(maxConcurrentStreams: maxConcurrentStreams)
        configuration.maximumConnectionGlitches = .max
        configuration.maximumRecentlyResetStreams = 4_096
        return configuration
    }

    /// ``streamConfiguration`` for an agent link (see ``linkConnectionConfiguration(maxConcurrentStreams:)``).
    static var linkStreamConfiguration: NIOHTTP2Handler.StreamConfiguration {
        var configuration = streamConfiguration
        configuration.streamResetFrameRateLimit.maximumCount = 10_000
        configuration.streamResetFrameRateLimit.windowLength = .seconds(1)
        configuration.streamErrorRateLimit.maximumCount = 10_000
        configuration.streamErrorRateLimit.windowLength = .seconds(1)
        return configuration
    }

    static let windowSize = 4 * 1024 * 1024
}
