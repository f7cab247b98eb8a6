import Blog
import BlogAPI
import Foundation
import Hummingbird
import LocalCA
import HummingbirdHTTP2
import Logging
import NIOCore
import ServiceLifecycle
import Tunnel

/// `postern serve`: makes what is missing in the data folder (database,
/// media folder, CA, server certificate), then runs the HTTPS API and the
/// plain-HTTP redirect in one `ServiceGroup` until SIGINT or SIGTERM, when
/// listeners stop accepting and in-flight requests get up to
/// ``shutdownGrace`` to finish.
///
/// ```swift
/// try await PosternServe.run(try ServeSettings.resolve(ServeInput()))
/// ```
public enum PosternServe {
    public static let shutdownGrace: Duration = .seconds(10)

    public static func run(_ settings: ServeSettings, output: @escaping @Sendable (String) -> Void = Console.line) async throws {
        try PosternHome.prepare(settings.home)
        let identity = try ServerIdentity(home: settings.home, extraNames: settings.extraNames)
        let articles = try openArticles(settings)

        var allowed = ["localhost", "127.0.0.1", "[::1]"] + identity.hostNames + settings.extraAllowedHosts
        if let publicURL = settings.publicURL, let host = URL(string: publicURL)?.host { allowed.append(host.contains(":") ? "[\(host)]" : host) }
        let origins = OriginPolicy(publicURL: settings.publicURL, allowedHosts: allowed, trustedProxies: settings.trustedProxies)

        var logger = Logger(label: "postern")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning

        let ready = Readiness(expected: settings.httpPort == nil ? 1 : 2) {
            output(Self.banner(settings: settings, identity: identity))
        }
        let inFlight = InFlightRequests()
        let api = CountingResponder(inner: BlogResponder(articles: articles, configuration: BlogAPIConfiguration(
            origins: origins, maxUploadSize: settings.maxUpload, isTLS: true, remoteWrites: settings.openWrites)), inFlight: inFlight)
        var services: [any Service] = [
            Listener(name: "HTTPS", host: settings.host, port: settings.port, app: Application(
                responder: api,
                // Each HTTP/2 answer ends with its last DATA frame (see EndStreamCoalescer: curl
                // otherwise resets every stream, and the 201st request on a connection fails).
                server: try .http2Upgrade(tlsConfiguration: identity.tls, configuration: .init(
                    streamConfiguration: .init(additionalChannelHandlers: [EndStreamCoalescer.Installer()]))),
                configuration: .init(address: .hostname(settings.host, port: settings.port)),
                onServerRunning: { _ in await ready.arrive() },
                logger: logger
            )),
        ]
        if let httpPort = settings.httpPort {
            let plain = PlainHTTPResponder(httpsPort: settings.port, origins: origins, caPage: CAPage(authority: identity.authority))
            services.append(Listener(name: "HTTP", host: settings.host, port: httpPort, app: Application(
                responder: plain,
                configuration: .init(address: .hostname(settings.host, port: httpPort)),
                onServerRunning: { _ in await ready.arrive() },
                logger: logger
            )))
        }
        if let share = settings.share {
            services.append(try ShareService(settings: settings, share: share, origins: origins, output: output))
        }
        services.append(DrainService(inFlight: inFlight, grace: shutdownGrace, output: output))
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = shutdownGrace
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
        output("postern: stopped")
    }

    /// What `serve` prints once every listener is up: one line per URL, then the CA.
    static func banner(settings: ServeSettings, identity: ServerIdentity) -> String {
        let wildcard = settings.host == "0.0.0.0" || settings.host == "::"
        var hosts = wildcard ? identity.hostNames.filter { !$0.hasPrefix("*") } : [settings.host.contains(":") ? "[\(settings.host)]" : settings.host]
        if settings.host == "127.0.0.1" { hosts.append("localhost") }
        var lines = hosts.map { "https://\($0):\(settings.port)/" }
        if let publicURL = settings.publicURL { lines.append("\(publicURL)/") }
        if let httpPort = settings.httpPort {
            lines.append("http://\(hosts[0]):\(httpPort)/ redirects to HTTPS; http://\(hosts[0]):\(httpPort)/ca serves the root certificate to phones")
        }
        lines.append("Root certificate: \(identity.authority.rootCertificatePath.path)")
        if wildcard, let httpPort = settings.httpPort {
            // Reachable from the LAN: a phone's camera can read where to fetch the root.
            let page = CAPageURL.lan(port: httpPort)
            if let qr = try? QRCode(encoding: page) { lines.append(qr.halfBlockText()) }
            lines.append("Phones: scan the code, or open \(page)")
        }
        lines.append("  trust it here with `postern ca install`, or pass it to clients: curl --cacert \(identity.authority.rootCertificatePath.path)")
        return lines.joined(separator: "\n")
    }
}

/// One listening application, whose bind failure is turned into a sentence
/// that names the port.
struct Listener<App: ApplicationProtocol>: Service {
    let name: String
    let host: String
    let port: Int
    let app: App

    func run() async throws {
        do {
            try await app.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw StartupError("The \(name) port \(port) on \(host) is already in use. Stop what listens there, or pick another port with --\(name == "HTTPS" ? "port" : "http-port").")
        } catch let error as IOError where error.errnoCode == EACCES {
            throw StartupError("Not allowed to listen on \(host) port \(port) (\(name)). Ports below 1024 need root; pick another with --\(name == "HTTPS" ? "port" : "http-port").")
        } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL {
            throw StartupError("\(host) is not an address of this machine. Pass one of its addresses with --host, or 0.0.0.0 for all.")
        }
    }
}

/// Calls `action` once `expected` listeners have reported that they are up.
actor Readiness {
    private var remaining: Int
    private let action: @Sendable () -> Void

    init(expected: Int, action: @escaping @Sendable () -> Void) {
        remaining = expected
        self.action = action
    }

    func arrive() {
        remaining -= 1
        if remaining == 0 { action() }
    }
}

extension PosternServe {
    /// Opens the database, which runs any migration it lacks.
    public static func migrate(_ settings: ServeSettings) throws {
        try PosternHome.prepare(settings.home)
        _ = try openStore(settings)
    }

    static func openStore(_ settings: ServeSettings) throws(StartupError) -> SQLiteArticleStore {
        let result = Result { () throws(BlogError) in try SQLiteArticleStore(path: settings.databasePath) }
        switch result {
        case .success(let store): return store
        case .failure(let error): throw StartupError(error.description)
        }
    }

    static func openArticles(_ settings: ServeSettings) throws(StartupError) -> Articles {
        let media = Result { () throws(BlogError) in try MediaStore(root: settings.mediaPath) }
        switch media {
        case .success(let media): return Articles(store: try openStore(settings), media: media)
        case .failure(let error): throw StartupError(error.description)
        }
    }
}
