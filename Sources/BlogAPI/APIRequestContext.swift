import Hummingbird
import NIOCore

/// The request context of Postern's HTTP services: Hummingbird's core
/// storage plus the peer's address, which origin resolution and the
/// write rule need (an HTTP/2 stream reports its connection's peer).
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address as text, `nil` when the channel has none (a Unix socket, a test).
    public let peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Uploads are bounded by ``BlogAPIConfiguration/maxUploadSize`` while they stream, not here.
    public var maxUploadSize: Int { .max }
}
