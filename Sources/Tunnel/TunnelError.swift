import NIOCore

/// The one error type of the tunnel: relay and agent failures a user can act on.
///
/// Each case carries a sentence that says what went wrong and what to do next;
/// the code is private so new cases never break callers.
///
/// ```swift
/// throw TunnelError.badToken()
/// ```
public struct TunnelError: Error, Sendable, CustomStringConvertible, Equatable {
    enum Code: Sendable, Equatable {
        case badInput, unknownToken, database, handshake, startup, refused, replay, replayTimeout
    }

    let code: Code
    /// The sentence shown to the user.
    public let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    /// Whether the error comes from a value the user gave (exit code 2).
    public var isUsageError: Bool { code == .badInput }
    /// Whether the relay refused the agent for good (a bad token): reconnecting will not help.
    public var isPermanent: Bool { code == .unknownToken || code == .refused }

    static func badInput(_ text: String) -> TunnelError { TunnelError(.badInput, text) }
    static func database(_ text: String) -> TunnelError { TunnelError(.database, text) }
    static func handshake(_ text: String) -> TunnelError { TunnelError(.handshake, text) }
    static func startup(_ text: String) -> TunnelError { TunnelError(.startup, text) }
    static func refused(_ text: String) -> TunnelError { TunnelError(.refused, text) }
    static func replay(_ text: String) -> TunnelError { TunnelError(.replay, text) }
    static func replayTimeout(_ limit: TimeAmount) -> TunnelError {
        TunnelError(.replayTimeout, "The upstream did not finish answering the replay within \(limit.nanoseconds / 1_000_000_000) s; the replay was abandoned.")
    }
    /// Whether a replay was abandoned because the upstream took too long.
    var isTimeout: Bool { code == .replayTimeout }
    static func badToken() -> TunnelError {
        TunnelError(.unknownToken, "The relay does not know this token; create one on the relay with `postern relay token create NAME` and pass it with --token.")
    }
}
