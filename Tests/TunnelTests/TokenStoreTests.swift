import Foundation
import Testing
@testable import Tunnel

@Suite struct TokenStoreTests {
    let folder: URL
    let store: TokenStore

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("postern-tokens-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try TokenStore(path: folder.appendingPathComponent("relay.sqlite").path)
    }

    @Test func theStoreKeepsOnlyTheHash() throws {
        let token = try store.create(name: "laptop")
        #expect(token.hasPrefix("pt_") && token.count > 40)
        let bytes = try Data(contentsOf: folder.appendingPathComponent("relay.sqlite"))
        #expect(bytes.range(of: Data(token.utf8)) == nil)
        #expect(bytes.range(of: Data(TokenStore.hash(token).utf8)) != nil)
        #expect(try store.authenticate(token) != nil)
        #expect(try store.authenticate(token + "x") == nil)
    }

    @Test func hashIsSHA256Hex() {
        #expect(TokenStore.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func aRequestedNameIsReservedForItsToken() throws {
        let a = try #require(try store.authenticate(try store.create(name: "a")))
        let b = try #require(try store.authenticate(try store.create(name: "b")))
        #expect(try store.assignName(tokenID: a, requested: "my-app") == "my-app")
        #expect(try store.assignName(tokenID: a, requested: "my-app") == "my-app")
        let other = try store.assignName(tokenID: b, requested: "my-app")
        #expect(other != "my-app" && TunnelName.isValid(other))
        #expect(try store.list().first { $0.name == "a" }?.reservedNames == ["my-app"])
    }

    @Test func namesSurviveReopening() throws {
        let token = try store.create(name: "a")
        let id = try #require(try store.authenticate(token))
        let name = try store.assignName(tokenID: id, requested: nil)
        let reopened = try TokenStore(path: folder.appendingPathComponent("relay.sqlite").path)
        #expect(try reopened.assignName(tokenID: id, requested: name) == name)
    }

    @Test func revokingFreesTheNames() throws {
        let a = try #require(try store.authenticate(try store.create(name: "a")))
        _ = try store.assignName(tokenID: a, requested: "shared")
        #expect(try store.revoke(name: "a"))
        #expect(try store.revoke(name: "a") == false)
        let b = try #require(try store.authenticate(try store.create(name: "b")))
        #expect(try store.assignName(tokenID: b, requested: "shared") == "shared")
    }

    @Test func reservedNamesAreReadOnceForManyLookupsAndFollowChanges() throws {
        let a = try #require(try store.authenticate(try store.create(name: "a")))
        _ = try store.assignName(tokenID: a, requested: "kept")
        for index in 0..<1_000 {
            #expect(store.isReserved(index.isMultiple(of: 2) ? "kept" : "unknown-\(index)") == index.isMultiple(of: 2))
        }
        #expect(store.reservedNameReads.withLockedValue { $0 } == 1)

        // This process's own changes show at once.
        _ = try store.assignName(tokenID: a, requested: "added")
        #expect(store.isReserved("added"))
        #expect(try store.revoke(name: "a"))
        #expect(!store.isReserved("kept"))

        // Another process's (another store on the same file) within the cache's age.
        let other = try TokenStore(path: folder.appendingPathComponent("relay.sqlite").path)
        let b = try #require(try other.authenticate(try other.create(name: "b")))
        _ = try other.assignName(tokenID: b, requested: "elsewhere")
        let deadline = Date().addingTimeInterval(5)
        while !store.isReserved("elsewhere"), Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(store.isReserved("elsewhere"))
    }

    @Test func duplicateTokenNamesAreRefused() throws {
        _ = try store.create(name: "a")
        #expect(throws: TunnelError.self) { try store.create(name: "a") }
        #expect(throws: TunnelError.self) { try store.create(name: "") }
    }
}

@Suite struct TunnelNameTests {
    @Test func validNames() {
        #expect(TunnelName.isValid("my-app"))
        #expect(TunnelName.isValid("a1"))
        #expect(!TunnelName.isValid("-a"))
        #expect(!TunnelName.isValid("a-"))
        #expect(!TunnelName.isValid("My"))
        #expect(!TunnelName.isValid("a.b"))
        #expect(!TunnelName.isValid(String(repeating: "a", count: 64)))
        #expect(TunnelName.isValid(TunnelName.random()))
    }

    @Test func namesFromHosts() {
        let domain = "tunnel.localhost"
        #expect(TunnelName.fromHost("app.tunnel.localhost", domain: domain) == "app")
        #expect(TunnelName.fromHost("APP.Tunnel.Localhost:8443", domain: domain) == "app")
        #expect(TunnelName.fromHost("app.tunnel.localhost.", domain: domain) == "app")
        #expect(TunnelName.fromHost("a.b.tunnel.localhost", domain: domain) == nil)
        #expect(TunnelName.fromHost("tunnel.localhost", domain: domain) == nil)
        #expect(TunnelName.fromHost("example.com", domain: domain) == nil)
        #expect(TunnelName.fromHost("apptunnel.localhost", domain: domain) == nil)
        #expect(TunnelName.fromHost("127.0.0.1:8443", domain: domain) == nil)
        #expect(TunnelName.fromHost(nil, domain: domain) == nil)
    }
}

@Suite struct HandshakeTests {
    @Test func helloRoundTrips() {
        let hello = TunnelHandshake.Hello(token: "pt_x", name: "app")
        #expect(TunnelHandshake.parseHello(String(TunnelHandshake.line(hello).dropLast())) == hello)
        let anonymous = TunnelHandshake.Hello(token: "pt_x", name: nil)
        #expect(TunnelHandshake.parseHello(String(TunnelHandshake.line(anonymous).dropLast())) == anonymous)
        #expect(TunnelHandshake.parseHello("GET / HTTP/1.1") == nil)
    }

    @Test func answersRoundTrip() {
        let ok = TunnelHandshake.Answer.accepted(name: "app", url: "https://app.t.localhost:8443/")
        #expect(TunnelHandshake.parseAnswer(String(TunnelHandshake.line(ok).dropLast())) == ok)
        let refused = TunnelHandshake.Answer.refused(reason: "token", message: "Unknown token, sorry.")
        #expect(TunnelHandshake.parseAnswer(String(TunnelHandshake.line(refused).dropLast())) == refused)
    }
}

@Suite struct AddressRangeTests {
    @Test func contains() throws {
        #expect(try AddressRange("10.0.0.0/8").contains("10.1.2.3"))
        #expect(try !AddressRange("10.0.0.0/8").contains("11.1.2.3"))
        #expect(try AddressRange("127.0.0.1").contains("127.0.0.1"))
        #expect(try AddressRange("::1/128").contains("::1"))
        #expect(try AddressRange("192.168.0.0/16").contains("::ffff:192.168.1.1"))
        #expect(throws: TunnelError.self) { try AddressRange("10.0.0.0/33") }
        #expect(throws: TunnelError.self) { try AddressRange("nonsense") }
    }

    @Test func rateLimiterAllowsABurstThenRefuses() {
        let limiter = RateLimiter(perSecond: 3)
        let results = (0..<4).map { _ in limiter.allow("1.2.3.4", now: 100) }
        #expect(results == [true, true, true, false])
        #expect(limiter.allow("5.6.7.8", now: 100))
        #expect(limiter.allow("1.2.3.4", now: 101))
    }
}
