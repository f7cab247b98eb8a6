import Crypto
import Foundation

extension CertificateAuthority {
    /// The root as an Apple configuration profile (`.mobileconfig`) with one
    /// `com.apple.security.root` payload, for installing on iOS and macOS.
    ///
    /// ```swift
    /// try Data(ca.mobileconfig()).write(to: URL(fileURLWithPath: "postern.mobileconfig"))
    /// ```
    ///
    /// The profile is an XML property list. Its UUIDs are derived from the
    /// root's fingerprint rather than drawn at random, so exporting the same
    /// root twice gives the same profile, and installing it again replaces the
    /// first copy instead of adding a second. After installing, iOS still asks
    /// the user to enable full trust under Settings › General › About ›
    /// Certificate Trust Settings; the profile's description says so.
    public func mobileconfig() throws -> [UInt8] {
        let digest = Array(SHA256.hash(data: der))
        let profileUUID = Self.uuid(from: digest[0..<16])
        let payloadUUID = Self.uuid(from: digest[16..<32])
        let name = certificate.subject.commonNameText ?? "Postern development CA"
        let identifierSuffix = digest.prefix(8).map { String(format: "%02x", $0) }.joined()
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            .split(separator: "\n").map { "\t\t\t\($0)" }.joined(separator: "\n")

        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
            <plist version="1.0">
            <dict>
            \t<key>PayloadContent</key>
            \t<array>
            \t\t<dict>
            \t\t\t<key>PayloadCertificateFileName</key>
            \t\t\t<string>rootCA.cer</string>
            \t\t\t<key>PayloadContent</key>
            \t\t\t<data>
            \(base64)
            \t\t\t</data>
            \t\t\t<key>PayloadDescription</key>
            \t\t\t<string>Adds a CA root certificate</string>
            \t\t\t<key>PayloadDisplayName</key>
            \t\t\t<string>\(Self.xmlEscaped(name))</string>
            \t\t\t<key>PayloadIdentifier</key>
            \t\t\t<string>com.apple.security.root.\(payloadUUID)</string>
            \t\t\t<key>PayloadType</key>
            \t\t\t<string>com.apple.security.root</string>
            \t\t\t<key>PayloadUUID</key>
            \t\t\t<string>\(payloadUUID)</string>
            \t\t\t<key>PayloadVersion</key>
            \t\t\t<integer>1</integer>
            \t\t</dict>
            \t</array>
            \t<key>PayloadDescription</key>
            \t<string>Trusts the Postern development CA of \(Self.xmlEscaped(certificate.subject.organizationalUnitText ?? "this computer")) for HTTPS to development servers. After installing, turn on full trust in Settings › General › About › Certificate Trust Settings. SHA-256 \(sha256Fingerprint)</string>
            \t<key>PayloadDisplayName</key>
            \t<string>\(Self.xmlEscaped(name))</string>
            \t<key>PayloadIdentifier</key>
            \t<string>dev.postern.ca.\(identifierSuffix)</string>
            \t<key>PayloadOrganization</key>
            \t<string>Postern</string>
            \t<key>PayloadRemovalDisallowed</key>
            \t<false/>
            \t<key>PayloadType</key>
            \t<string>Configuration</string>
            \t<key>PayloadUUID</key>
            \t<string>\(profileUUID)</string>
            \t<key>PayloadVersion</key>
            \t<integer>1</integer>
            </dict>
            </plist>

            """
        return Array(xml.utf8)
    }

    /// An RFC 4122 version-4-shaped UUID string from 16 bytes.
    static func uuid(from bytes: ArraySlice<UInt8>) -> String {
        var b = Array(bytes)
        b[6] = b[6] & 0x0F | 0x40
        b[8] = b[8] & 0x3F | 0x80
        let uuid = UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
        return uuid.uuidString
    }

    static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
