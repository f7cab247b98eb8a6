import Foundation
import NIOCore
import NIOHTTP1

/// The inspector's page at `/`: one expandable row per recent exchange with
/// its headers and bodies (escaped; binary ones as a size and type note) and a
/// Replay button. Self-contained: no external scripts, styles or fonts. It
/// reloads every 2 s while no row is open.
enum InspectorPage {
    static func render(_ entries: [RequestRecorder.Entry], tunnel: RequestRecorder.Tunnel, upstream: String) -> String {
        let rows = entries.reversed().prefix(100).map(row).joined(separator: "\n")
        return """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>postern share inspector</title>
        <style>
        body { font-family: system-ui, sans-serif; margin: 2em }
        summary { cursor: pointer; padding: .3em 0 }
        .exchange { display: flex; gap: 2em; flex-wrap: wrap }
        .exchange section { flex: 1; min-width: 24em }
        pre { background: #f4f4f4; padding: .5em; white-space: pre-wrap; word-break: break-all; max-height: 30em; overflow: auto }
        .note { color: #666 }
        </style></head>
        <body>
        <h1>\(tunnel.publicURL?.htmlEscaped ?? "not connected") → \(upstream.htmlEscaped)</h1>
        <p>\(tunnel.online ? "online" : "offline") · JSON at <a href="/api/tunnels">/api/tunnels</a> and <a href="/api/requests/http">/api/requests/http</a></p>
        \(rows.isEmpty ? "<p class=\"note\">No requests yet.</p>" : rows)
        <script>
        function replay(button) {
          button.disabled = true;
          fetch('/api/requests/http', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({id: button.dataset.id})})
            .then(r => r.ok ? location.reload() : r.json().then(j => { button.textContent = j.error; }))
            .catch(e => { button.textContent = String(e); });
        }
        setInterval(() => { if (!document.querySelector('details[open]')) location.reload(); }, 2000);
        </script>
        </body></html>

        """
    }

    private static func row(_ entry: RequestRecorder.Entry) -> String {
        let status = entry.response.map { "\($0.status.code)" } ?? "no response"
        let milliseconds = String(format: "%.1f ms", Double(entry.durationNanoseconds) / 1_000_000)
        let replay = RequestReplay.refusal(entry).map { "<p class=\"note\">\($0.htmlEscaped)</p>" }
            ?? "<button data-id=\"\(entry.id.htmlEscaped)\" onclick=\"replay(this)\">Replay</button>"
        let response = entry.response.map { head in
            "<pre>HTTP/\(head.version.major).\(head.version.minor) \(head.status.code) \(head.status.reasonPhrase.htmlEscaped)\n\(headerLines(head.headers))</pre>"
                + body(entry.responseBody, headers: head.headers)
        } ?? "<p class=\"note\">The upstream did not answer.</p>"
        return """
        <details><summary><code>\(entry.start.formatted(date: .omitted, time: .standard))</code> \
        <b>\(entry.request.method.rawValue.htmlEscaped)</b> \(entry.request.uri.htmlEscaped) → \(status) \
        <span class="note">\(milliseconds) · \(entry.clientAddress.htmlEscaped)</span></summary>
        <div class="exchange"><section><h3>Request</h3>
        <pre>\(entry.request.method.rawValue.htmlEscaped) \(entry.request.uri.htmlEscaped) HTTP/1.1\n\(headerLines(entry.request.headers))</pre>
        \(body(entry.requestBody, headers: entry.request.headers))
        \(replay)</section>
        <section><h3>Response</h3>\(response)</section></div></details>
        """
    }

    private static func headerLines(_ headers: HTTPHeaders) -> String {
        headers.map { "\(InspectorJSON.canonical($0.name)): \($0.value)".htmlEscaped }.joined(separator: "\n")
    }

    /// The body as escaped text when it is text, else a note with its size and type.
    static func body(_ body: CapturedBody, headers: HTTPHeaders) -> String {
        guard body.size > 0 else { return "<p class=\"note\">No body.</p>" }
        let type = headers.first(name: "content-type") ?? "no content type"
        let truncated = body.truncated ? "<p class=\"note\">First \(body.bytes.readableBytes) of \(body.size) bytes.</p>" : ""
        let encoded = headers.first(name: "content-encoding").map { $0.lowercased() != "identity" } ?? false
        if !encoded, let text = text(body) {
            return "<pre>\(text.htmlEscaped)</pre>\(truncated)"
        }
        return "<p class=\"note\">\(body.size) bytes of \(type.htmlEscaped), binary: not shown.</p>"
    }

    /// The bytes as text, if they are UTF-8 without control characters (a
    /// truncated body may end inside a character).
    private static func text(_ body: CapturedBody) -> String? {
        let bytes = body.bytes.readableBytesView
        for cut in 0...(body.truncated ? 3 : 0) where cut < bytes.count {
            guard let text = String(validating: bytes.dropLast(cut), as: UTF8.self) else { continue }
            let control = text.unicodeScalars.contains { ($0.value < 0x20 && !"\t\n\r".unicodeScalars.contains($0)) || $0.value == 0x7f }
            return control ? nil : text
        }
        return nil
    }
}
