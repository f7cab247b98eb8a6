/// The two ways the API renders an answer, in DRF's default order.
enum Renderer: Equatable {
    case json
    case browsableHTML

    var mediaType: String {
        switch self {
        case .json: "application/json"
        case .browsableHTML: "text/html"
        }
    }

    var contentType: String {
        switch self {
        case .json: "application/json"
        case .browsableHTML: "text/html; charset=utf-8"
        }
    }

    var format: String {
        switch self {
        case .json: "json"
        case .browsableHTML: "api"
        }
    }

    static let all: [Renderer] = [.json, .browsableHTML]
}

/// DRF's `DefaultContentNegotiation`: a `?format=` or `.json` suffix picks
/// the renderer outright; otherwise `Accept` is read by precedence (most
/// specific first, q-values ignored as DRF ignores them) and, within one
/// level, the renderers' order decides.
enum ContentNegotiation {
    enum Outcome: Equatable {
        case render(Renderer)
        /// A format no renderer has: DRF answers 404.
        case unknownFormat
        case notAcceptable
    }

    static func select(format: String?, accept: String?) -> Outcome {
        if let format {
            return Renderer.all.first(where: { $0.format == format }).map(Outcome.render) ?? .unknownFormat
        }
        let accepted = (accept ?? "*/*").split(separator: ",").map { MediaTypeHeader(String($0)) }.filter { !$0.essence.isEmpty }
        if accepted.isEmpty { return .render(.json) }
        for level in [3, 2, 1, 0] {
            let set = accepted.filter { precedence($0) == level }
            for renderer in Renderer.all where set.contains(where: { matches(renderer.mediaType, $0.essence) }) {
                return .render(renderer)
            }
        }
        return .notAcceptable
    }

    /// 3: type/subtype with parameters, 2: type/subtype, 1: type/*, 0: */*.
    private static func precedence(_ type: MediaTypeHeader) -> Int {
        if type.essence == "*/*" { return 0 }
        if type.essence.hasSuffix("/*") { return 1 }
        return type.parameters.keys.contains(where: { $0 != "q" }) ? 3 : 2
    }

    private static func matches(_ offered: String, _ accepted: String) -> Bool {
        if accepted == "*/*" || accepted == "*" { return true }
        if accepted.hasSuffix("/*") { return offered.hasPrefix(accepted.dropLast()) }
        return offered == accepted
    }
}
