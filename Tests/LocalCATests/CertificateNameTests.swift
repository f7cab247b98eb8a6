import Foundation
import Testing

@testable import LocalCA

@Suite("Names and policies")
struct CertificateNameTests {
    @Test("names parse into the SAN kind browsers expect")
    func parsing() throws {
        #expect(try CertificateName(parsing: "Foo.Test.") == .dns("foo.test"))
        #expect(try CertificateName(parsing: "*.app.test") == .dns("*.app.test"))
        #expect(try CertificateName(parsing: "192.168.1.20") == .ip(IPAddress("192.168.1.20")!))
        #expect(try CertificateName(parsing: "[::1]") == .ip(IPAddress("::1")!))
        #expect(try CertificateName(parsing: "me@example.test") == .email("me@example.test"))
        #expect(try CertificateName(parsing: "https://app.test/x") == .uri("https://app.test/x"))
        #expect(IPAddress("0:0:0:0:0:0:0:1")?.description == "::1")
        #expect(IPAddress("1.2.3") == nil)
    }

    @Test("DNS constraints follow RFC 5280: labels added on the left only")
    func dnsMatching() {
        #expect(NamePolicy.dnsName("localhost", isWithin: "localhost"))
        #expect(NamePolicy.dnsName("a.b.localhost", isWithin: "localhost"))
        #expect(!NamePolicy.dnsName("notlocalhost", isWithin: "localhost"))
        #expect(!NamePolicy.dnsName("test", isWithin: ".test"))
        #expect(NamePolicy.dnsName("x.test", isWithin: ".test"))
        #expect(NamePolicy.dnsName("X.HOME.ARPA", isWithin: "home.arpa"))
        #expect(!NamePolicy.dnsName("arpa", isWithin: "home.arpa"))
    }

    @Test("the Postern policy permits development names and private addresses only")
    func posternPolicy() throws {
        let policy = NamePolicy.postern
        for name in ["localhost", "a.localhost", "x.test", "printer.local", "db.internal", "nas.home.arpa",
                     "127.0.0.1", "127.8.9.10", "::1", "10.0.0.1", "172.16.0.1", "172.31.255.255",
                     "192.168.0.1", "169.254.1.1", "fd00::1", "fe80::1", "me@anywhere.com"] {
            #expect(policy.permits(try CertificateName(parsing: name)), "\(name)")
        }
        for name in ["example.com", "test.com", "local.example", "8.8.8.8", "172.32.0.1", "192.169.0.1",
                     "::2", "2001:db8::1", "::ffff:127.0.0.1"] {
            #expect(!policy.permits(try CertificateName(parsing: name)), "\(name)")
        }
    }

    @Test("a policy survives the round trip through the extension")
    func roundTrip() {
        #expect(NamePolicy(NamePolicy.postern.nameConstraints) == NamePolicy.postern)
        #expect(IPRange(cidr: "fc00::/7")?.description == "fc00::/7")
        #expect(IPRange(cidr: "10.1.2.3/8")?.description == "10.0.0.0/8")
    }
}
