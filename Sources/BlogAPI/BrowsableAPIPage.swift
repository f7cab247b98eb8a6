import Foundation
import HTTPTypes
import Mustache

/// The HTML face of the API (DRF's "browsable API"): the answer pretty-printed,
/// with forms to create, change and delete articles from a browser.
struct BrowsableAPIPage: Sendable {
    private let template: MustacheTemplate

    init() {
        // The template ships inside the package; a missing one is a packaging fault.
        guard let url = Bundle.module.url(forResource: "browsable", withExtension: "mustache", subdirectory: "Templates"),
              let text = try? String(contentsOf: url, encoding: .utf8),
              let template = try? MustacheTemplate(string: text)
        else { preconditionFailure("BlogAPI resource Templates/browsable.mustache is missing from the build") }
        self.template = template
    }

    func render(route: Route, method: HTTPRequest.Method, path: String, status: HTTPResponse.Status, allow: String, json: [UInt8]) -> String {
        let name: String
        switch route {
        case .root: name = "Api Root"
        case .list: name = "Article View Sets List"
        default: name = "Article View Sets Instance"
        }
        let pretty = (try? JSONParser.parse(json)).map { PrettyJSON.format($0) } ?? String(decoding: json, as: UTF8.self)
        let context: [String: Any] = [
            "name": name,
            "method": method.rawValue,
            "path": path,
            "status": "\(status.code) \(status.reasonPhrase)",
            "allow": allow,
            "body": pretty,
            "canPost": route.isList,
            "canEdit": route.isDetail && status == .ok,
        ]
        return template.render(context)
    }
}

extension Route {
    var isList: Bool { if case .list = self { true } else { false } }
    var isDetail: Bool { if case .detail = self { true } else { false } }
}

/// JSON indented by four spaces, as the browsable API shows it.
enum PrettyJSON {
    static func format(_ value: JSONValue, indent: Int = 0) -> String {
        let pad = String(repeating: " ", count: indent + 4), closing = String(repeating: " ", count: indent)
        switch value {
        case .object(let members):
            if members.isEmpty { return "{}" }
            let lines = members.map { key, value in pad + quoted(key) + ": " + format(value, indent: indent + 4) }
            return "{\n" + lines.joined(separator: ",\n") + "\n" + closing + "}"
        case .array(let elements):
            if elements.isEmpty { return "[]" }
            return "[\n" + elements.map { pad + format($0, indent: indent + 4) }.joined(separator: ",\n") + "\n" + closing + "]"
        case .string(let text): return quoted(text)
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        }
    }

    private static func quoted(_ text: String) -> String {
        var json = JSONWriter()
        json.string(text)
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
