import Foundation
import Testing

/// The agent's inspector end to end: what it captures of each exchange,
/// ngrok's JSON API (list, one, clear, replay) and its page, and its refusal
/// of requests that do not come from this machine's own pages.
@Suite(.serialized) struct InspectorTests {
    /// A relay, an upstream and an agent with its inspector on a free port.
    private func start() async throws -> (RelayFixture, PythonUpstream, ChildProcess, InspectorClient) {
        let relay = try await RelayFixture()
        let upstream = try await PythonUpstream()
        let inspectPort = try ChildProcess.freePort()
        let (agent, _) = try await relay.share(upstream.url, token: try await relay.createToken("laptop"), subdomain: "inspected",
                                               extra: ["--inspect-port", "\(inspectPort)"])
        return (relay, upstream, agent, InspectorClient(port: inspectPort))
    }

    @Test func aJSONRequestIsRecordedWithItsHeadersAndBothBodies() async throws {
        let (relay, upstream, agent, inspector) = try await start()
        _ = upstream
        defer { agent.stop() }
        let json = #"{"title":"<b>hello</b>","n":1}"#
        let sent = try await relay.curl(relay.publicURL("inspected", path: "/echo?x=1"), ["-H", "Content-Type: application/json", "--data-binary", json])
        #expect(sent.status == 200 && sent.body == json)

        let entry = try #require(try await inspector.waitForRequests(1).first)
        let id = try #require(entry["id"] as? String)
        #expect(entry["uri"] as? String == "/api/requests/http/\(id)")
        #expect(entry["remote_addr"] as? String == "127.0.0.1")
        #expect((entry["duration"] as? Int ?? 0) > 0)
        let request = try #require(entry["request"] as? [String: Any])
        #expect(request["method"] as? String == "POST")
        #expect(request["uri"] as? String == "/echo?x=1")
        #expect((request["headers"] as? [String: [String]])?["Content-Type"] == ["application/json"])
        let rawRequest = InspectorClient.raw(request)
        #expect(rawRequest.hasPrefix("POST /echo?x=1 HTTP/1.1\r\n") && rawRequest.hasSuffix("\r\n\r\n" + json))
        let response = try #require(entry["response"] as? [String: Any])
        #expect(response["status_code"] as? Int == 200)
        #expect(response["status"] as? String == "200 OK")
        #expect(InspectorClient.raw(response).hasSuffix("\r\n\r\n" + json))

        let one = try await inspector.object("/api/requests/http/\(id)")
        #expect(one["id"] as? String == id)
        let page = try await inspector.call("/")
        #expect(page.status == 200)
        #expect(page.body.contains("&lt;b&gt;hello&lt;/b&gt;") && !page.body.contains("<b>hello"))
        #expect(page.body.contains("data-id=\"\(id)\""))
    }

    @Test func replayingARequestHitsTheUpstreamAgainAndRecordsIt() async throws {
        let (relay, upstream, agent, inspector) = try await start()
        defer { agent.stop() }
        let json = #"{"replay":"me"}"#
        #expect(try await relay.curl(relay.publicURL("inspected", path: "/echo"), ["-H", "Content-Type: application/json", "--data-binary", json]).status == 200)
        let original = try #require(try await inspector.waitForRequests(1).first)
        let id = try #require(original["id"] as? String)
        #expect(try await upstream.stats().hits == 1)

        let replayed = try await inspector.call("/api/requests/http", method: "POST", json: #"{"id":"\#(id)"}"#)
        #expect(replayed.status == 204, "\(replayed.body)")
        let stats = try await upstream.stats()
        #expect(stats.hits == 2 && stats.uploads == 2)
        let entries = try await inspector.waitForRequests(2)
        #expect(entries.count == 2)
        let newest = entries[0]
        #expect(newest["id"] as? String != id)
        #expect((newest["request"] as? [String: Any])?["uri"] as? String == "/echo")
        #expect(InspectorClient.raw(newest["request"]).hasSuffix(json))
        #expect(InspectorClient.raw(newest["response"]).hasSuffix(json))

        let unknown = try await inspector.call("/api/requests/http", method: "POST", json: #"{"id":"nope"}"#)
        #expect(unknown.status == 404 && unknown.body.contains("\"error\""))
        #expect(try await inspector.call("/api/requests/http/nope", method: "GET").status == 404)
        #expect(try await inspector.call("/api/requests/http", method: "POST", json: "not json").status == 400)
        #expect(try await upstream.stats().hits == 2)
    }

    @Test func aRequestWhoseBodyWasTruncatedIsNotReplayed() async throws {
        let (relay, upstream, agent, inspector) = try await start()
        defer { agent.stop() }
        let body = String(repeating: "0123456789abcdef", count: 100_000 / 16)
        #expect(try await relay.curl(relay.publicURL("inspected", path: "/upload"), ["--data-binary", body]).status == 200)
        let entry = try #require(try await inspector.waitForRequests(1).first)
        let request = try #require(entry["request"] as? [String: Any])
        #expect(request["truncated"] as? Bool == true)
        #expect(InspectorClient.raw(request).hasSuffix(String(body.prefix(64 * 1024))))

        let refused = try await inspector.call("/api/requests/http", method: "POST", json: #"{"id":"\#(entry["id"] as? String ?? "")"}"#)
        #expect(refused.status == 422 && refused.body.contains("cannot be replayed"))
        #expect(try await upstream.stats().hits == 1)
    }

    @Test func foreignHostsAndOriginsAreRefusedAndDeleteClears() async throws {
        let (relay, upstream, agent, inspector) = try await start()
        defer { agent.stop() }
        #expect(try await relay.curl(relay.publicURL("inspected")).status == 200)
        let id = try #require(try await inspector.waitForRequests(1).first?["id"] as? String)

        #expect(try await inspector.call("/api/requests/http", headers: ["Host: evil.example"]).status == 403)
        #expect(try await inspector.call("/", headers: ["Host: attacker.test:\(inspector.port)"]).status == 403)
        #expect(try await inspector.call("/api/requests/http", method: "POST", json: #"{"id":"\#(id)"}"#, headers: ["Host: rebound.example"]).status == 403)
        #expect(try await inspector.call("/api/requests/http", method: "POST", json: #"{"id":"\#(id)"}"#, headers: ["Origin: https://evil.example"]).status == 403)
        #expect(try await upstream.stats().hits == 1)
        #expect(try await inspector.call("/api/requests/http", headers: ["Host: localhost:\(inspector.port)"]).status == 200)
        #expect(try await inspector.call("/api/tunnels", headers: ["Host: [::1]:\(inspector.port)"]).status == 200)

        #expect(try await inspector.call("/api/requests/http", method: "DELETE").status == 204)
        #expect(try await inspector.requests().isEmpty)
    }
}
