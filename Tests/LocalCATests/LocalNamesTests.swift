import Foundation
import Testing

@testable import LocalCA

@Suite("Local names")
struct LocalNamesTests {
    @Test("serverNames starts with the loopback names, has no link-local address, and ends with the extras")
    func serverNames() throws {
        let names = LocalNames.serverNames(extra: ["api.test", "LOCALHOST", "10.9.8.7"])
        #expect(Array(names.prefix(3)) == ["localhost", "127.0.0.1", "::1"])
        #expect(Array(names.suffix(2)) == ["api.test", "10.9.8.7"])
        #expect(names.filter { $0.lowercased() == "localhost" }.count == 1)
        #expect(Set(names).count == names.count)
        for name in names {
            let parsed = try CertificateName(parsing: name)
            if case .ip(let ip) = parsed { #expect(!ip.isLinkLocal, "\(name)") }
            #expect(NamePolicy.postern.permits(parsed), "\(name)")
        }
    }

    @Test("the mDNS name is the host's first label under .local")
    func mdnsName() throws {
        let names = LocalNames.serverNames(extra: [])
        if let mdns = LocalNames.mDNSName() {
            #expect(mdns.hasSuffix(".local"))
            #expect(names.contains(mdns))
        }
    }

    @Test("the interface addresses include loopback and pass through the policy filter")
    func interfaceAddresses() throws {
        let addresses = LocalNames.interfaceAddresses()
        #expect(addresses.contains(IPAddress("127.0.0.1")!))
        // With no policy every non-link-local address is kept; with Postern's only private ones.
        let everything = LocalNames.serverNames(extra: [], permittedBy: nil)
        let constrained = LocalNames.serverNames(extra: [])
        #expect(Set(constrained).isSubset(of: Set(everything)))
    }

    @Test("duplicates are dropped by meaning, first spelling kept")
    func deduplication() {
        #expect(LocalNames.deduplicated(["::1", "0:0::1", "Foo.test", "foo.test.", "x"]) == ["::1", "Foo.test", "x"])
    }
}
