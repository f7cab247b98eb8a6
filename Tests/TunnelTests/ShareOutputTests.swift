import Foundation
import PosternTestSupport
import Testing

/// What `postern share` prints: the public URL on a line of its own, with a
/// QR code of it above that a phone camera reads.
@Suite struct ShareOutputTests {
    @Test func shareDrawsAQRCodeOfThePublicURLThatDecodesToIt() async throws {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let (agent, url) = try await relay.share(upstream.url, token: try await relay.createToken("phone"), subdomain: "scan",
                                                 extra: ["--inspect-port", "0"])
        defer { agent.stop() }
        let output = agent.stdout
        let urlLine = try #require(output.range(of: "\n" + url + "\n"), "no line with the URL alone:\n\(output)")
        let beforeURL = String(output[..<urlLine.lowerBound])
        let drawing = try #require(TerminalQR.block(in: beforeURL), "no QR code above the URL:\n\(output)")
        guard let decoded = try await TerminalQR.decode(drawing) else {
            print("ShareOutputTests: skipping the decode check, zbarimg is missing (apt-get install zbar-tools)")
            return
        }
        #expect(decoded == url)
    }
}
