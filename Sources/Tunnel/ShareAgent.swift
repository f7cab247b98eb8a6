import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// `postern share`: dials the relay, prints the public URL, forwards each
/// stream to the local URL, and after any drop reconnects with jittered
/// backoff (capped at 5 s) asking for the same name, printing each state change.
///
/// ```swift
/// try await ShareAgent.run(configuration, print: { print($0) })
/// ```
public enum ShareAgent {
    /// Longest wait between two reconnection attempts.
    static let maximumBackoff = 5.0
    /// Most connections an agent opens to the relay.
    static let maximumLinks = 4

    /// Runs until cancelled (then closes its connection and returns), or until
    /// the relay refuses the token (throws a ``TunnelError``).
    /// `onOnline` gets the public URL each time the relay accepts the agent (`serve --share` allows its host).
    public static func run(_ configuration: ShareConfiguration, print: @escaping @Sendable (String) -> Void,
                           onOnline: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let relayTLS = try relayContext(configuration)
        let recorder = RequestRecorder()
        let route = AgentRoute(configuration: configuration, tls: try AgentRoute.upstreamTLS(configuration), recorder: recorder)
        let group = MultiThreadedEventLoopGroup.singleton
        // One link per event loop (up to maximumLinks): streams are served on
        // the loop their link lives on, so every core forwards.
        let loops = Array(group.makeIterator().prefix(maximumLinks))
        var inspector: Channel?
        if configuration.inspectPort > 0 {
            do {
                inspector = try await Inspector.bind(port: configuration.inspectPort, recorder: recorder, route: route, group: group)
                print("share: inspector on http://127.0.0.1:\(configuration.inspectPort)/")
            } catch {
                print("share: no inspector: port \(configuration.inspectPort) is taken (\(error)); pass another with --inspect-port, or 0")
            }
        }
        defer { inspector?.close(promise: nil) }
        var name = configuration.subdomain
        var attempt = 0
        let relay = "\(configuration.relayHost):\(configuration.relayPort)"
        while !Task.isCancelled {
            print("share: connecting to relay \(relay)")
            do {
                let session = TunnelHandshake.newSession()
                let (channel, accepted) = try await connect(configuration, route: route, name: name, session: session,
                                                            tls: relayTLS, on: loops[0])
                attempt = 0
                if let wanted = name, wanted != accepted.name {
                    print("share: the name \(wanted) belongs to another token; the relay gave \(accepted.name)")
                }
                name = accepted.name
                let links = [channel] + (await extraLinks(configuration, route: route, accepted: accepted, session: session,
                                                          tls: relayTLS, on: loops.dropFirst()))
                recorder.update { $0 = RequestRecorder.Tunnel(name: accepted.name, publicURL: accepted.url, online: true) }
                onOnline(accepted.url)
                print("share: online, forwarding \(accepted.url) to \(configuration.upstreamDescription)")
                print(accepted.url)
                // Any link lost ends the set; cancelling the task (e.g. `serve --share` shutting down) closes them.
                await withTaskCancellationHandler {
                    await firstClose(of: links)
                } onCancel: {
                    for link in links { link.close(promise: nil) }
                }
                for link in links { link.close(promise: nil) }
                if Task.isCancelled { return }
                recorder.update { $0.online = false }
                print("share: connection to the relay lost")
            } catch let error as TunnelError where error.isPermanent {
                throw error
            } catch {
                print("share: cannot connect to the relay: \(describe(error))")
            }
            let delay = min(maximumBackoff, 0.2 * pow(2, Double(attempt))) * Double.random(in: 0.5...1)
            attempt = min(attempt + 1, 10)
            print("share: reconnecting in \(String(format: "%.1f", delay)) s")
            do { try await Task.sleep(for: .milliseconds(Int(delay * 1000))) } catch { return }
        }
    }

    /// The set's further links, on `loops`, dialled at once (a far relay costs
    /// one handshake's time, not one per link); one the relay refuses or names
    /// differently is closed and left out (the set works with fewer).
    static func extraLinks(_ configuration: ShareConfiguration, route: AgentRoute, accepted: AgentHandshakeHandler.Accepted,
                           session: String, tls: NIOSSLContext, on loops: ArraySlice<EventLoop>) async -> [Channel] {
        await withTaskGroup(of: Channel?.self) { group in
            for loop in loops {
                group.addTask {
                    guard let (channel, again) = try? await connect(configuration, route: route, name: accepted.name, session: session,
                                                                    tls: tls, on: loop) else { return nil }
                    if again.name == accepted.name { return channel }
                    channel.close(promise: nil)
                    return nil
                }
            }
            var links: [Channel] = []
            for await link in group { if let link { links.append(link) } }
            return links
        }
    }

    /// Waits until one of `channels` closes.
    static func firstClose(of channels: [Channel]) async {
        let closed = channels[0].eventLoop.makePromise(of: Void.self)
        let once = NIOLockedValueBox(false)
        for channel in channels {
            channel.closeFuture.whenComplete { _ in
                if once.withLockedValue({ done in defer { done = true }; return !done }) { closed.succeed() }
            }
        }
        try? await closed.futureResult.get()
    }

    static func connect(_ configuration: ShareConfiguration, route: AgentRoute, name: String?, session: String,
                        tls: NIOSSLContext, on loop: EventLoop) async throws -> (Channel, AgentHandshakeHandler.Accepted) {
        let promise = loop.makePromise(of: AgentHandshakeHandler.Accepted.self)
        let hello = TunnelHandshake.Hello(token: configuration.token, name: name, session: session)
        let serverName = AgentRoute.serverName(for: configuration.relayHost)
        let channel: Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(10))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                        try channel.pipeline.syncOperations.addHandler(AgentHandshakeHandler(hello: hello, route: route, promise: promise))
                    }
                }
                .connect(host: configuration.relayHost, port: configuration.relayPort).get()
        } catch {
            promise.fail(error)
            throw error
        }
        let timeout = loop.scheduleTask(in: .seconds(15)) {
            promise.fail(TunnelError.handshake("The relay did not answer within 15 s."))
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        return (channel, try await promise.futureResult.get())
    }

    static func relayContext(_ configuration: ShareConfiguration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.applicationProtocols = ["postern-tunnel"]
        if let ca = configuration.relayCA {
            guard FileManager.default.isReadableFile(atPath: ca) else {
                throw TunnelError.badInput("--relay-ca \(ca) cannot be read; pass the relay's root certificate (its HOME/ca/rootCA.pem).")
            }
            tls.trustRoots = .file(ca)
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw TunnelError.badInput("Cannot use --relay-ca \(configuration.relayCA ?? ""): \(error). It must be a PEM certificate.")
        }
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? TunnelError { return error.description }
        if let error = error as? NIOSSLError { return "TLS failed (\(error)); check --relay-ca and that --relay names the relay's host." }
        if let error = error as? NIOSSLExtraError { return "TLS failed (\(error)); check --relay-ca and that --relay names the relay's host." }
        return "\(error)"
    }
}
