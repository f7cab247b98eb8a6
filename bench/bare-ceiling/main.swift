// bare-ceiling: the fastest a Hummingbird 2 server can answer the blog API's
// detail request on this machine. Benchmark-only; not part of Postern.
//
// It serves the same transport as `postern serve` (TLS 1.2/1.3, ALPN h2 and
// http/1.1 through HummingbirdHTTP2's `.http2Upgrade` server, Hummingbird's
// router) but answers every GET with one fixed DRF-style detail body kept in
// memory: no database, no JSON encoding, no file system. `bench/api.sh` runs
// wrk against it; the distance between Postern and this number is what
// Postern's own code costs.
//
//     bare-ceiling --port 8443 --cert certs/server.pem --key certs/server-key.pem
//
// `--port 0` picks a free port. Once the socket is bound it prints
// `listening on https://127.0.0.1:PORT/` on standard output. SIGINT/SIGTERM
// stop it (Hummingbird's service lifecycle handles both).

import Foundation
import Hummingbird
import HummingbirdHTTP2
import NIOSSL

/// Command-line options.
struct Options {
    var port: Int
    var certPath: String
    var keyPath: String
    var host = "127.0.0.1"

    /// Prints `message` and the usage line to standard error, then exits with status 2.
    static func usageExit(_ message: String) -> Never {
        FileHandle.standardError.write(Data("""
            bare-ceiling: \(message)
            usage: bare-ceiling --port PORT --cert CHAIN.pem --key KEY.pem [--host 127.0.0.1]

            """.utf8))
        exit(2)
    }

    /// Parses `--flag value` pairs; exits with a usage message on anything else.
    static func parse(_ arguments: [String]) -> Options {
        var port: Int?, cert: String?, key: String?, host = "127.0.0.1"
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { usageExit("\(flag) needs a value") }
            switch flag {
            case "--port":
                guard let p = Int(value), (0...65535).contains(p) else { usageExit("bad port \(value)") }
                port = p
            case "--cert": cert = value
            case "--key": key = value
            case "--host": host = value
            default: usageExit("unknown option \(flag)")
            }
        }
        guard let port, let cert, let key else { usageExit("--port, --cert and --key are required") }
        return Options(port: port, certPath: cert, keyPath: key, host: host)
    }
}

/// The one response body.
enum Fixed {
    /// What `GET /blog/1/` returns from the Django reference after the probe's
    /// first upload (DRF's key order, microsecond date, absolute image URL).
    /// Encoded once; every response shares this buffer's storage.
    static let detailBody = ByteBuffer(string: #"{"id":1,"title":"Blog 1","content":"Content for post 1","date":"2026-11-25T10:28:52.917105Z","image":"https://127.0.0.1:8443/media/article-images/baking.png"}"#)

    /// Route handler: the fixed body as application/json. Hummingbird adds
    /// Content-Length from the buffer's size.
    @Sendable static func detail(_ request: Request, _ context: BasicRequestContext) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: detailBody)
        )
    }
}

/// Loads the certificate chain and key; TLS 1.2 and 1.3 only.
func makeTLSConfiguration(_ options: Options) -> TLSConfiguration {
    do {
        // The chain file may hold the leaf followed by intermediates; send them all.
        let chain = try NIOSSLCertificate.fromPEMFile(options.certPath).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: options.keyPath, format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        tls.maximumTLSVersion = .tlsv13
        // ALPN (h2, http/1.1) is filled in by `.http2Upgrade`.
        return tls
    } catch {
        Options.usageExit("cannot load certificate \(options.certPath) / key \(options.keyPath): \(error)")
    }
}

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
let (host, port) = (options.host, options.port)

let router = Router()
// The parameterised route costs what Postern's `/blog/:id/` costs to match;
// the catch-all answers every other path the same way.
router.get("/blog/:id/", use: Fixed.detail)
router.get("**", use: Fixed.detail)

let app = Application(
    router: router,
    server: try .http2Upgrade(tlsConfiguration: makeTLSConfiguration(options)),
    configuration: .init(address: .hostname(host, port: port)),
    onServerRunning: { channel in
        // The bound port (differs from --port when that is 0). FileHandle
        // writes straight to fd 1, so a pipe sees the line at once.
        let line = "listening on https://\(host):\(channel.localAddress?.port ?? port)/\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }
)
try await app.runService()
