import HTTPTypes
import Hummingbird
import LocalCA
import NIOCore

/// `/ca` on the plain-HTTP listener: what a phone opens to get the root
/// certificate before it trusts anything (expanded by the phone work).
struct CAPage: Sendable {
    let authority: CertificateAuthority

    func response(path: String, method: HTTPRequest.Method, hostName: String, request: Request) -> Response? {
        guard method == .get || method == .head else { return nil }
        let body: [UInt8], contentType: String
        var disposition: String?
        switch path {
        case "/ca", "/ca/":
            body = Array(html().utf8)
            contentType = "text/html; charset=utf-8"
        case "/ca/rootCA.pem":
            body = Array(authority.pem.utf8)
            contentType = "application/x-pem-file"
            disposition = "attachment; filename=\"postern-rootCA.pem\""
        case "/ca/rootCA.crt":
            body = authority.der
            contentType = "application/x-x509-ca-cert"
            disposition = "attachment; filename=\"postern-rootCA.crt\""
        case "/ca/postern.mobileconfig":
            guard let profile = try? authority.mobileconfig() else { return nil }
            body = profile
            contentType = "application/x-apple-aspen-config"
            disposition = "attachment; filename=\"postern.mobileconfig\""
        default:
            return nil
        }
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        if let disposition { headers[.contentDisposition] = disposition }
        let response = Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        return method == .head ? response.createHeadResponse() : response
    }

    private func html() -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Postern root certificate</title></head>
        <body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em">
        <h1>Postern root certificate</h1>
        <p>SHA-256 fingerprint:<br><code style="word-break: break-all">\(authority.sha256Fingerprint)</code></p>
        <ul>
        <li><a href="/ca/rootCA.crt">rootCA.crt</a> (DER, for Android)</li>
        <li><a href="/ca/postern.mobileconfig">postern.mobileconfig</a> (profile, for iOS and macOS)</li>
        <li><a href="/ca/rootCA.pem">rootCA.pem</a> (PEM)</li>
        </ul>
        </body></html>
        """
    }
}
