import Foundation
import Testing

@testable import LocalCA

@Suite("Exports")
struct MobileConfigTests {
    @Test("the mobileconfig is a property list with one root payload holding the DER certificate")
    func mobileconfig() throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
            let bytes = try ca.mobileconfig()
            let plist = try PropertyListSerialization.propertyList(from: Data(bytes), format: nil) as? [String: Any]
            let profile = try #require(plist)
            #expect(profile["PayloadType"] as? String == "Configuration")
            #expect(profile["PayloadVersion"] as? Int == 1)
            #expect((profile["PayloadIdentifier"] as? String)?.hasPrefix("dev.postern.ca.") == true)
            #expect(UUID(uuidString: profile["PayloadUUID"] as? String ?? "") != nil)
            let payloads = try #require(profile["PayloadContent"] as? [[String: Any]])
            #expect(payloads.count == 1)
            #expect(payloads[0]["PayloadType"] as? String == "com.apple.security.root")
            #expect(payloads[0]["PayloadContent"] as? Data == Data(ca.der))
            #expect(UUID(uuidString: payloads[0]["PayloadUUID"] as? String ?? "") != nil)
            // The same root gives the same profile, so installing it twice replaces the first copy.
            #expect(try ca.mobileconfig() == bytes)
        }
    }

    @Test("pem and der are the same certificate")
    func pemAndDer() throws {
        try withTemporaryFolder { home in
            let ca = try CertificateAuthority.create(caFolder: home.appendingPathComponent("ca"), constrained: true)
            let body = ca.pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            #expect(Data(base64Encoded: body) == Data(ca.der))
        }
    }
}
