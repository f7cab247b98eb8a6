import Hummingbird
import ServiceLifecycle
import Synchronization

/// Counts the requests being answered, so that shutdown can wait for them.
final class InFlightRequests: Sendable {
    private let count = Atomic<Int>(0)

    var current: Int { count.load(ordering: .acquiring) }

    func track<T>(_ body: () async throws -> T) async rethrows -> T {
        count.add(1, ordering: .relaxed)
        defer { count.subtract(1, ordering: .releasing) }
        return try await body()
    }
}

/// A responder that counts what passes through it.
struct CountingResponder<Inner: HTTPResponder>: HTTPResponder {
    typealias Context = Inner.Context
    let inner: Inner
    let inFlight: InFlightRequests

    func respond(to request: Request, context: Context) async throws -> Response {
        try await inFlight.track { try await inner.respond(to: request, context: context) }
    }
}

/// Holds a graceful shutdown back until the requests in flight are answered
/// (at most `grace`), before the listeners are told to close.
///
/// `ServiceGroup` shuts services down in reverse order, one after the other,
/// so this service — listed last — finishes first. Hummingbird's own
/// quiescing lets an HTTP/1.1 request finish, but an HTTP/2 connection can be
/// closed under a request whose body is still arriving (an upload from a
/// phone); waiting here covers both.
struct DrainService: Service {
    let inFlight: InFlightRequests
    let grace: Duration
    /// Where the line saying what shutdown waits for goes (stdout, like the rest of `serve`'s lines).
    let output: @Sendable (String) -> Void

    func run() async throws {
        try? await gracefulShutdown()
        let waiting = inFlight.current
        if waiting > 0 {
            output("postern: stopping once \(waiting == 1 ? "the request" : "the \(waiting) requests") in flight \(waiting == 1 ? "is" : "are") answered (at most \(grace.components.seconds) s)")
        }
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while inFlight.current > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
