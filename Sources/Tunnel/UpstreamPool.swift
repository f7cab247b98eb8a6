import NIOConcurrencyHelpers
import NIOCore

/// The agent's idle keep-alive connections to its upstream, kept per event
/// loop so an HTTP/2 stream and the connection serving it share a thread.
///
/// A new TCP (and TLS) connection per request cost the upstream and the agent
/// more than the request itself (`bench/tunnel.sh`); a connection that ended
/// its exchange cleanly comes back here (see ``ResponseForwarder``) and the
/// next stream on the same loop takes it.
///
/// A connection idle for longer than ``idleLimit`` is closed instead of
/// reused: servers close idle keep-alive connections on their own schedule
/// (Node's default is 5 s), and a request sent just as the server closes is
/// lost. No timers run: stale and closed connections are dropped when met.
final class UpstreamPool: Sendable {
    /// How long a connection may sit idle and still be reused.
    static let idleLimit = TimeAmount.seconds(2)
    /// Idle connections kept per event loop; more are closed.
    static let capacityPerLoop = 64

    private struct Idle {
        let connection: PartnerHandle
        let since: NIODeadline
    }

    private let idle = NIOLockedValueBox([ObjectIdentifier: [Idle]]())

    /// An open connection on `loop` that has been idle less than ``idleLimit``, if any.
    func take(on loop: EventLoop) -> PartnerHandle? {
        let now = NIODeadline.now()
        var stale: [Channel] = []
        let found: PartnerHandle? = idle.withLockedValue { idle in
            let key = ObjectIdentifier(loop)
            while let last = idle[key]?.popLast() {
                if last.connection.channel.isActive, now - last.since < Self.idleLimit { return last.connection }
                stale.append(last.connection.channel)
            }
            return nil
        }
        for channel in stale { channel.close(promise: nil) }
        return found
    }

    /// Keeps `connection` for the next exchange on its loop.
    func giveBack(_ connection: PartnerHandle) {
        let kept = idle.withLockedValue { idle in
            let key = ObjectIdentifier(connection.channel.eventLoop)
            guard idle[key, default: []].count < Self.capacityPerLoop else { return false }
            idle[key, default: []].append(Idle(connection: connection, since: .now()))
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }
}
