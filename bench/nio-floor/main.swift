// nio-floor: the least a SwiftNIO server can spend on a request on this
// machine. Benchmark-only; not part of Postern.
//
// TLS (NIOSSL) with ALPN, then either HTTP/1.1 (NIO's server pipeline) or
// HTTP/2 (swift-nio-http2's stream multiplexer with a stream channel and an
// HTTP/2 ↔ HTTP/1 codec per request, as on a Postern agent link), and one
// handler that answers every request with the same 13 bytes. Nothing else:
// no routing, no logging, no state. `bench/tunnel.sh` measures its CPU a
// request next to the relay's and the agent's: each of them ends two such
// protocols for every request it forwards.
//
//     nio-floor --port 8443 --cert server.pem --key server-key.pem [--plain-port 8080]
//
// `--plain-port` also serves HTTP/1.1 without TLS (what the agent's connections
// to a local upstream speak). Once the sockets are bound it prints
// `listening on https://127.0.0.1:PORT/` (and the plain URL).

import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Answers every request with 200 and a fixed 13-byte body, keep-alive.
final class FixedAnswer: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private static let body = ByteBuffer(string: "tunnel bench\n")

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        var headers = HTTPHeaders()
        headers.add(name: "content-length", value: "\(Self.body.readableBytes)")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(Self.body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

func value(of flag: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

guard let port = value(of: "--port").flatMap(Int.init), let cert = value(of: "--cert"), let key = value(of: "--key") else {
    print("usage: nio-floor --port PORT --cert FILE --key FILE")
    exit(2)
}
var tls = TLSConfiguration.makeServerConfiguration(
    certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
    privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
)
tls.applicationProtocols = ["h2", "http/1.1"]
let context = try NIOSSLContext(configuration: tls)

func configureHTTP1(_ channel: Channel) -> EventLoopFuture<Void> {
    channel.eventLoop.makeCompletedFuture {
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false)
        try channel.pipeline.syncOperations.addHandler(FixedAnswer())
    }
}

let server = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
    .serverChannelOption(.backlog, value: 1024)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            channel.configureHTTP2SecureUpgrade(
                h2ChannelConfigurator: { channel in
                    channel.configureHTTP2Pipeline(mode: .server) { stream in
                        stream.eventLoop.makeCompletedFuture {
                            try stream.pipeline.syncOperations.addHandlers([HTTP2FramePayloadToHTTP1ServerCodec(), FixedAnswer()])
                        }
                    }.map { _ in }
                },
                http1ChannelConfigurator: configureHTTP1
            )
        }
    }
    .bind(host: "127.0.0.1", port: port).wait()
print("listening on https://127.0.0.1:\(server.localAddress?.port ?? port)/")
if let plainPort = value(of: "--plain-port").flatMap(Int.init) {
    let plain = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer(configureHTTP1)
        .bind(host: "127.0.0.1", port: plainPort).wait()
    print("listening on http://127.0.0.1:\(plain.localAddress?.port ?? plainPort)/")
}
try server.closeFuture.wait()
