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
            body = Array(html(pageURL: "http://\(request.head.authority ?? hostName)/ca").utf8)
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

    /// The page: the three downloads, the fingerprint, a QR code of the page itself
    /// (so a laptop screen hands the address to a phone), and the steps per platform.
    private func html(pageURL: String) -> String {
        let qr = (try? QRCode(encoding: pageURL))?.svg(moduleSize: 6) ?? ""
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Postern root certificate</title></head>
        <body style="font-family: system-ui, sans-serif; max-width: 42em; margin: 2em auto; padding: 0 1em; line-height: 1.45">
        <h1>Postern root certificate</h1>
        <p>Install this certificate on a phone or another computer to trust the HTTPS of this Postern server.
        Check that its SHA-256 fingerprint matches what <code>postern ca info</code> prints on the laptop:</p>
        <p><code style="word-break: break-all">\(authority.sha256Fingerprint)</code></p>
        <ul>
        <li><a href="/ca/rootCA.crt">rootCA.crt</a> — DER, for Android</li>
        <li><a href="/ca/postern.mobileconfig">postern.mobileconfig</a> — profile, for iOS and macOS</li>
        <li><a href="/ca/rootCA.pem">rootCA.pem</a> — PEM, for curl, Python, Node (<code>--cacert</code>, <code>verify=</code>, <code>NODE_EXTRA_CA_CERTS</code>)</li>
        </ul>
        <div aria-label="QR code of this page">\(qr)</div>
        <h2>Android</h2>
        <ol>
        <li>Download <a href="/ca/rootCA.crt">rootCA.crt</a>. On Android 11 and later it cannot be installed from the browser: it lands in Downloads.</li>
        <li>Settings › Security &amp; privacy › More security settings › Encryption &amp; credentials › Install a certificate › CA certificate, and pick the file.</li>
        <li>Apps trust user-installed CAs only if they opt in. In a debug build, add <code>res/xml/network_security_config.xml</code> and reference it from the manifest with <code>android:networkSecurityConfig="@xml/network_security_config"</code>:
        <pre style="background:#f4f4f4; padding:.6em; overflow-x:auto">&lt;network-security-config&gt;
          &lt;debug-overrides&gt;
            &lt;trust-anchors&gt;
              &lt;certificates src="system"/&gt;
              &lt;certificates src="user"/&gt;
            &lt;/trust-anchors&gt;
          &lt;/debug-overrides&gt;
        &lt;/network-security-config&gt;</pre></li>
        </ol>
        <h2>iOS and iPadOS</h2>
        <ol>
        <li>Open this page in Safari and tap <a href="/ca/postern.mobileconfig">postern.mobileconfig</a>.</li>
        <li>Settings › Profile Downloaded › Install.</li>
        <li>Settings › General › About › Certificate Trust Settings: turn on full trust for the Postern root.</li>
        </ol>
        <p>Emulators, simulators and more: <code>docs/phones.md</code> in Postern's repository.</p>
        </body></html>
        """
    }
}
