import Foundation
import NIOCore
import NIOHTTP1

/// ngrok's agent-API shapes for recorded exchanges (`/api/requests/http`).
///
/// `raw` is, as in ngrok, the base64 of the whole HTTP/1.1 message — request
/// or status line, headers, blank line, body — rebuilt from the parsed head
/// (header names in canonical case) and the captured body, which stops at
/// ``ExchangeCapture/bodyLimit``; `truncated` (not in ngrok) says when it did.
enum InspectorJSON {
    static func list(_ entries: [RequestRecorder.Entry], tunnelName: String?) -> [String: Any] {
        ["uri": "/api/requests/http", "requests": entries.reversed().map { entry($0, tunnelName: tunnelName) }]
    }

    static func entry(_ entry: RequestRecorder.Entry, tunnelName: String?) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let request = entry.request
        let requestLine = "\(request.method.rawValue) \(request.uri) HTTP/1.1"
        var object: [String: Any] = [
            "uri": "/api/requests/http/\(entry.id)", "id": entry.id, "tunnel_name": tunnelName ?? "",
            "remote_addr": entry.clientAddress, "start": formatter.string(from: entry.start),
            "duration": entry.durationNanoseconds,
            "request": [
                "method": request.method.rawValue, "proto": "HTTP/1.1", "uri": request.uri,
                "headers": headers(request.headers), "raw": raw(requestLine, request.headers, entry.requestBody),
                "truncated": entry.requestBody.truncated,
            ] as [String: Any],
        ]
        if let response = entry.response {
            let status = "\(response.status.code) \(response.status.reasonPhrase)"
            let proto = "HTTP/\(response.version.major).\(response.version.minor)"
            object["response"] = [
                "status": status, "status_code": Int(response.status.code), "proto": proto,
                "headers": headers(response.headers), "raw": raw("\(proto) \(status)", response.headers, entry.responseBody),
                "truncated": entry.responseBody.truncated,
            ] as [String: Any]
        } else {
            object["response"] = NSNull()
        }
        return object
    }

    /// Headers as ngrok gives them: canonical name → values in order.
    static func headers(_ headers: HTTPHeaders) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for (name, value) in headers { out[canonical(name), default: []].append(value) }
        return out
    }

    /// `content-type` → `Content-Type` (Go's canonical form, which ngrok shows).
    static func canonical(_ name: String) -> String {
        name.lowercased().split(separator: "-", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
    }

    private static func raw(_ firstLine: String, _ headers: HTTPHeaders, _ body: CapturedBody) -> String {
        var message = ByteBuffer(string: firstLine + "\r\n")
        for (name, value) in headers { message.writeString("\(canonical(name)): \(value)\r\n") }
        message.writeString("\r\n")
        message.writeImmutableBuffer(body.bytes)
        return Data(message.readableBytesView).base64EncodedString()
    }

    static func encode(_ value: Any) -> ByteBuffer {
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]
        guard var data = try? JSONSerialization.data(withJSONObject: value, options: options) else { return ByteBuffer(string: "{}\n") }
        data.append(UInt8(ascii: "\n"))
        return ByteBuffer(bytes: data)
    }
}
