@testable import BlogAPI
import Blog
import Testing

@Suite struct RouteTests {
    @Test func mapsDRFRouterPaths() {
        #expect(Route(path: "/") == .root(format: nil))
        #expect(Route(path: "/.json") == .root(format: "json"))
        #expect(Route(path: "/blog/") == .list(format: nil))
        #expect(Route(path: "/blog") == .appendSlash)
        #expect(Route(path: "/blog.json") == .list(format: "json"))
        #expect(Route(path: "/blog/12/") == .detail(pk: "12", format: nil))
        #expect(Route(path: "/blog/12") == .appendSlash)
        #expect(Route(path: "/blog/12.json") == .detail(pk: "12", format: "json"))
        #expect(Route(path: "/blog/abc/") == .detail(pk: "abc", format: nil))
        #expect(Route(path: "/media/article-images/a.png") == .media(path: "/article-images/a.png"))
        #expect(Route(path: "/blog/1/2/") == .notFound)
        #expect(Route(path: "/admin/") == .notFound)
    }

    @Test func primaryKeysFollowPythonInt() {
        #expect(Route.primaryKey("42") == 42)
        #expect(Route.primaryKey("+7") == 7)
        #expect(Route.primaryKey("-1") == -1)
        #expect(Route.primaryKey("1_000") == 1000)
        #expect(Route.primaryKey("abc") == nil)
        #expect(Route.primaryKey("1__0") == nil)
        #expect(Route.primaryKey("_1") == nil)
        #expect(Route.primaryKey("99999999999999999999999") == nil)
    }
}

@Suite struct ContentNegotiationTests {
    @Test func followsDRFPrecedence() {
        #expect(ContentNegotiation.select(format: nil, accept: nil) == .render(.json))
        #expect(ContentNegotiation.select(format: nil, accept: "*/*") == .render(.json))
        #expect(ContentNegotiation.select(format: nil, accept: "text/html") == .render(.browsableHTML))
        #expect(ContentNegotiation.select(format: nil, accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8") == .render(.browsableHTML))
        #expect(ContentNegotiation.select(format: nil, accept: "text/html, application/json") == .render(.json))
        #expect(ContentNegotiation.select(format: nil, accept: "text/*") == .render(.browsableHTML))
        #expect(ContentNegotiation.select(format: nil, accept: "image/png") == .notAcceptable)
        #expect(ContentNegotiation.select(format: "json", accept: "text/html") == .render(.json))
        #expect(ContentNegotiation.select(format: "api", accept: nil) == .render(.browsableHTML))
        #expect(ContentNegotiation.select(format: "xml", accept: nil) == .unknownFormat)
    }
}

@Suite struct OriginPolicyTests {
    let policy = OriginPolicy(publicURL: nil, allowedHosts: ["localhost", "127.0.0.1", "[::1]", ".example.test"])

    private func facts(host: String?, proto: String? = nil, forwardedHost: String? = nil, peer: String? = "127.0.0.1", tls: Bool = true) -> OriginPolicy.RequestFacts {
        .init(host: host, forwardedProto: proto, forwardedHost: forwardedHost, peer: peer, isTLS: tls)
    }

    @Test func usesTheHostAndTheListenersScheme() throws {
        #expect(try policy.origin(for: facts(host: "127.0.0.1:8443")) == "https://127.0.0.1:8443")
        #expect(try policy.origin(for: facts(host: "LOCALHOST:8443", tls: false)) == "http://localhost:8443")
        #expect(try policy.origin(for: facts(host: "[::1]:8443")) == "https://[::1]:8443")
        #expect(try policy.origin(for: facts(host: "api.example.test")) == "https://api.example.test")
    }

    @Test func refusesHostsOffTheList() {
        #expect(throws: APIError.self) { try policy.origin(for: facts(host: "evil.example")) }
        #expect(throws: APIError.self) { try policy.origin(for: facts(host: nil)) }
        #expect(throws: APIError.self) { try policy.origin(for: facts(host: "localhost:80:80")) }
        #expect(throws: APIError.self) { try policy.origin(for: facts(host: "local host")) }
        #expect(throws: APIError.self) { try policy.origin(for: facts(host: "localhost", forwardedHost: "evil.example")) }
    }

    @Test func believesForwardedHeadersOnlyFromTrustedProxiesAndTakesTheLastValue() throws {
        #expect(try policy.origin(for: facts(host: "localhost:8443", proto: "http")) == "http://localhost:8443")
        #expect(try policy.origin(for: facts(host: "localhost:8443", proto: "https, http", forwardedHost: "evil.example, a.example.test")) == "http://a.example.test")
        #expect(try policy.origin(for: facts(host: "localhost:8443", proto: "http", forwardedHost: "a.example.test", peer: "192.168.1.9")) == "https://localhost:8443")
    }

    @Test func thePublicURLWins() throws {
        let shared = OriginPolicy(publicURL: "https://abc.tunnel.test/", allowedHosts: ["localhost", "abc.tunnel.test"])
        #expect(try shared.origin(for: facts(host: "localhost:8443")) == "https://abc.tunnel.test")
        #expect(throws: APIError.self) { try shared.origin(for: facts(host: "evil.example")) }
    }

    @Test func wildcardOpensEveryHost() throws {
        let open = OriginPolicy(publicURL: nil, allowedHosts: ["*"])
        #expect(try open.origin(for: facts(host: "anything.example:1")) == "https://anything.example:1")
    }
}

@Suite struct CIDRTests {
    @Test func matchesNetworks() throws {
        let ten = try #require(CIDR("10.0.0.0/8"))
        #expect(ten.contains(address: "10.255.0.1") && !ten.contains(address: "11.0.0.1"))
        #expect(CIDR.loopback.contains { $0.contains(address: "127.8.9.10") })
        #expect(CIDR.loopback.contains { $0.contains(address: "::1") })
        #expect(CIDR.loopback.contains { $0.contains(address: "::ffff:127.0.0.1") })
        #expect(!CIDR.loopback.contains { $0.contains(address: "192.168.0.1") })
        #expect(try #require(CIDR("fc00::/7")).contains(address: "fd12::1"))
        #expect(CIDR("10.0.0.0/33") == nil && CIDR("nonsense") == nil)
        #expect(CIDR("10.1.2.3/8")?.description == "10.0.0.0/8")
    }
}

@Suite struct BodyFormatTests {
    @Test func formFieldsLastValueWinsAndEmptyImageIsNull() {
        let fields = FormURLEncoded.parse(Array("title=a+b%21&title=c%20d&content=x&image=".utf8))
        let submission = SubmissionReader.formSubmission(fields)
        guard case .text("c d")? = submission.title, case .text("x")? = submission.content, case .null? = submission.image else {
            Issue.record("unexpected \(submission)"); return
        }
    }

    @Test func jsonBodiesMapTypesAsDRF() throws {
        let submission = try SubmissionReader.jsonSubmission(Array(#"{"title": 5, "content": true, "image": ""}"#.utf8))
        guard case .text("5")? = submission.title, case .notText? = submission.content, case .text("")? = submission.image else {
            Issue.record("unexpected \(submission)"); return
        }
        #expect(throws: APIError.self) { try SubmissionReader.jsonSubmission(Array("[1]".utf8)) }
    }

    @Test func sizesParse() {
        #expect(ByteSize.parse("10MiB") == 10 << 20)
        #expect(ByteSize.parse("512k") == 512 << 10)
        #expect(ByteSize.parse("2000") == 2000)
        #expect(ByteSize.parse("ten") == nil && ByteSize.parse("5 parsecs") == nil)
        #expect(ByteSize.describe(10 << 20) == "10 MiB")
    }

    @Test func headerParameters() {
        let type = MediaTypeHeader(#"multipart/form-data; boundary="a;b"; charset=utf-8"#)
        #expect(type.essence == "multipart/form-data" && type.parameters["boundary"] == "a;b" && type.parameters["charset"] == "utf-8")
    }
}

@Suite struct RemoteClientTests {
    @Test func theClientBehindATrustedProxyIsTheLastForwardedAddress() {
        let policy = OriginPolicy(publicURL: nil, allowedHosts: ["localhost"])
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: "203.0.113.9") == "203.0.113.9")
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: "10.0.0.1, 198.51.100.7") == "198.51.100.7")
        #expect(policy.clientAddress(peer: "192.168.1.5", forwardedFor: "127.0.0.1") == "192.168.1.5")
        #expect(policy.clientAddress(peer: "127.0.0.1", forwardedFor: nil) == "127.0.0.1")
    }

    @Test func publicNamesAreLearntOrConfigured() throws {
        let policy = OriginPolicy(publicURL: "https://api.example.test:8443", allowedHosts: ["localhost"])
        #expect(policy.isPublicName("api.example.test") && policy.isAllowed("api.example.test"))
        #expect(!policy.isPublicName("localhost"))
        #expect(!policy.isAllowed("blog.tunnel.localhost"))
        policy.learntHosts.add("blog.tunnel.localhost")
        #expect(policy.isPublicName("blog.tunnel.localhost") && policy.isAllowed("blog.tunnel.localhost"))
        #expect(try policy.resolve(.init(host: "localhost:1", forwardedProto: "https", forwardedHost: "blog.tunnel.localhost:9", peer: "127.0.0.1", isTLS: true)).hostName == "blog.tunnel.localhost")
    }
}
