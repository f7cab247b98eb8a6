import Foundation
import Testing

/// `postern serve --share`: the API with its public URL, through a real relay.
@Suite(.serialized) struct ServeShareTests {
    private func serve(_ relay: RelayFixture, token: String, extra: [String] = []) async throws -> (ChildProcess, String) {
        let home = try ChildProcess.temporaryFolder("serve")
        let port = try ChildProcess.freePort()
        let serve = try ChildProcess.postern(["serve", "--home", home.path, "--port", "\(port)", "--http-port", "0", "--share",
                                              "--relay", "localhost:\(relay.agentPort)", "--token", token, "--subdomain", "blog",
                                              "--relay-ca", relay.caFile.path, "--inspect-port", "0"] + extra)
        let url = try await serve.waitForLine(timeout: .seconds(60)) { $0.hasPrefix("https://blog.") }
        return (serve, url)
    }

    @Test func anArticleWithAnImageMadeThroughThePublicURLCarriesThePublicOrigin() async throws {
        let relay = try await RelayFixture()
        let (server, url) = try await serve(relay, token: try await relay.createToken("laptop"), extra: ["--open-writes"])
        defer { server.stop() }
        #expect(url == relay.publicURL("blog"))
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89])
        let file = try ChildProcess.temporaryFolder("img").appendingPathComponent("phone.png")
        try png.write(to: file)
        let created = try await relay.curl(relay.publicURL("blog", path: "/blog/"), ["-F", "title=From the phone", "-F", "content=via the relay", "-F", "image=@\(file.path)"])
        #expect(created.status == 201, "\(created.body)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])
        let image = try #require(object["image"] as? String)
        #expect(image == relay.publicURL("blog", path: "/media/article-images/phone.png"))
        let download = try ChildProcess.temporaryFolder("dl").appendingPathComponent("got.png")
        let fetched = try await relay.curl(image, ["-o", download.path])
        #expect(fetched.status == 200)
        #expect(try Data(contentsOf: download) == png)
        #expect(try await relay.curl(relay.publicURL("blog", path: "/")).body == "{\"blog\":\"\(relay.publicURL("blog", path: "/blog/"))\"}")
    }

    @Test func tunnelledRequestsAreRemoteSoWritesNeedOpenWrites() async throws {
        let relay = try await RelayFixture()
        let (server, _) = try await serve(relay, token: try await relay.createToken("laptop"))
        defer { server.stop() }
        // The curl below runs on this machine, and the agent reaches serve over loopback:
        // the request is still remote, because it came through the public name.
        let refused = try await relay.curl(relay.publicURL("blog", path: "/blog/"), ["-H", "Content-Type: application/json", "--data-binary", #"{"title":"x","content":"y"}"#])
        #expect(refused.status == 403)
        #expect(try await relay.curl(relay.publicURL("blog", path: "/blog/")).status == 200)
    }
}
