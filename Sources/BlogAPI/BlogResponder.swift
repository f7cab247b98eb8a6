import Blog
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// The blog API as one Hummingbird responder: routing, content negotiation,
/// the DRF-compatible answers, and `/media/`.
///
/// It is a responder rather than a `Router` because DRF's behaviour hangs on
/// details a router hides: a 301 for a missing trailing slash, 405 with an
/// `Allow` list, format suffixes, and the order in which checks happen
/// (host, then method, then object, then body).
///
/// ```swift
/// let api = BlogResponder(articles: articles, configuration: configuration)
/// let app = Application(responder: api, server: .http2Upgrade(tlsConfiguration: tls))
/// ```
public struct BlogResponder: HTTPResponder {
    public typealias Context = APIRequestContext
    let articles: Articles
    let configuration: BlogAPIConfiguration
    let media: MediaFiles
    let page = BrowsableAPIPage()
    private let cache = RenderedCache()

    public init(articles: Articles, configuration: BlogAPIConfiguration) {
        self.articles = articles
        self.configuration = configuration
        self.media = MediaFiles(root: articles.media.root)
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        var response: Response
        do {
            response = try await route(request, context: context)
        } catch let error as APIError {
            response = Self.errorResponse(error, allow: nil)
        }
        Self.addSecurityHeaders(&response.headers)
        return response
    }

    private func route(_ request: Request, context: Context) async throws -> Response {
        let (origin, hostName) = try configuration.origins.resolve(.init(
            host: request.head.authority,
            forwardedProto: request.headers[.xForwardedProto],
            forwardedHost: request.headers[.xForwardedHost],
            peer: context.peerAddress,
            isTLS: configuration.isTLS
        ))
        let rawPath = request.uri.path
        guard let path = URIEncoding.decodePath(rawPath) else { return try await notFound(request) }
        let route = Route(path: path)
        switch route {
        case .media:
            // Encoded slashes, dot segments and hidden files never reach the file server.
            let lowered = rawPath.lowercased()
            guard !lowered.contains("%2f"), !lowered.contains("%5c"), !lowered.contains("%00"), case .media(let mediaPath) = route,
                  !mediaPath.split(separator: "/").contains(where: { $0.hasPrefix(".") || $0.contains("\\") })
            else { return try await notFound(request) }
            guard request.method == .get || request.method == .head else {
                throw Self.withAllow(.methodNotAllowed(request.method), route.allowedMethods)
            }
            if let file = try await media.serve(path: mediaPath, request: request, context: context) { return file }
            return try await notFound(request)
        case .appendSlash:
            return try await appendSlash(request)
        case .notFound:
            return try await notFound(request)
        case .root, .list, .detail:
            let client = configuration.origins.clientAddress(peer: context.peerAddress, forwardedFor: request.headers[.xForwardedFor])
            let remote = !Self.isLoopback(client) || configuration.origins.isPublicName(hostName)
            return try await api(route, request: request, origin: origin, remote: remote)
        }
    }

    /// A DRF view: every answer carries `Allow` and `Vary: Accept`.
    private func api(_ route: Route, request: Request, origin: String, remote: Bool) async throws -> Response {
        let allow = route.allowedMethods
        let format: String?
        switch route {
        case .root(let f), .list(let f), .detail(_, let f): format = f ?? request.uri.queryParameters["format"].map(String.init)
        default: format = nil
        }
        do {
            let renderer: Renderer
            switch ContentNegotiation.select(format: format, accept: request.headers[.accept]) {
            case .render(let chosen): renderer = chosen
            case .unknownFormat: throw APIError.notFound
            case .notAcceptable: throw APIError.notAcceptable
            }
            let method = request.method
            let isWrite = method == .post || method == .put || method == .patch || method == .delete
            guard allow.split(separator: ",").contains(where: { $0.trimmingSpaces() == method.rawValue }) else {
                throw APIError.methodNotAllowed(method)
            }
            if isWrite, remote, !configuration.remoteWrites {
                throw APIError.authenticationRequired
            }
            let answer = try await handle(route, method: method, request: request, origin: origin)
            var response = render(answer, renderer: renderer, route: route, request: request, origin: origin)
            response.headers[.allow] = allow
            response.headers[.vary] = "Accept"
            return method == .head ? response.createHeadResponse() : response
        } catch let error as APIError {
            var response = Self.errorResponse(error, allow: allow)
            if request.method == .head { response = response.createHeadResponse() }
            return response
        }
    }

    /// What a view produced, before rendering.
    private struct Answer {
        var status: HTTPResponse.Status
        var json: [UInt8]?
    }

    private func handle(_ route: Route, method: HTTPRequest.Method, request: Request, origin: String) async throws -> Answer {
        switch (route, method) {
        case (.root, .options):
            return Answer(status: .ok, json: OptionsMetadata.json(name: "Api Root", action: nil))
        case (.root, _):
            var json = JSONWriter()
            json.object { json in json.key("blog"); json.string("\(origin)/blog/") }
            return Answer(status: .ok, json: json.bytes)
        case (.list, .get), (.list, .head):
            return Answer(status: .ok, json: try await listJSON(origin: origin))
        case (.list, .options):
            return Answer(status: .ok, json: OptionsMetadata.json(name: "Article View Sets List", action: "POST"))
        case (.list, .post):
            let submission = try await reader.read(request)
            let article = try await validating { try await articles.create(submission) }
            return Answer(status: .created, json: ArticleJSON.detail(article, origin: origin))
        case (.detail(let pk, _), _):
            return try await detail(pk: pk, method: method, request: request, origin: origin)
        default:
            throw APIError.methodNotAllowed(method)
        }
    }

    private func detail(pk: String, method: HTTPRequest.Method, request: Request, origin: String) async throws -> Answer {
        // DRF looks the object up before it reads the body; a body is still consumed.
        guard let id = Route.primaryKey(pk) else {
            if method == .options { return Answer(status: .ok, json: OptionsMetadata.json(name: "Article View Sets Instance", action: nil)) }
            try await drain(request)
            throw APIError.notFound
        }
        switch method {
        case .get, .head:
            let generation = articles.generation
            let key = "\(id) \(origin)"
            if let cached = cache.get(key, generation: generation) { return Answer(status: .ok, json: cached) }
            guard let article = try await articles.find(id: id) else { throw APIError.noArticle }
            let json = ArticleJSON.detail(article, origin: origin)
            cache.put(key, generation: generation, json: json)
            return Answer(status: .ok, json: json)
        case .options:
            let exists = try await articles.find(id: id) != nil
            return Answer(status: .ok, json: OptionsMetadata.json(name: "Article View Sets Instance", action: exists ? "PUT" : nil))
        case .put, .patch:
            let submission = try await reader.read(request)
            guard let article = try await validating({ try await articles.update(id: id, submission, partial: method == .patch) }) else {
                throw APIError.noArticle
            }
            return Answer(status: .ok, json: ArticleJSON.detail(article, origin: origin))
        case .delete:
            try await drain(request)
            guard try await articles.delete(id: id) else { throw APIError.noArticle }
            return Answer(status: .noContent, json: nil)
        default:
            throw APIError.methodNotAllowed(method)
        }
    }

    private var reader: SubmissionReader {
        SubmissionReader(media: articles.media, maxBodySize: configuration.maxUploadSize)
    }

    /// Maps the domain's validation failures onto DRF's 400.
    private func validating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let errors as ValidationErrors {
            throw APIError.validation(errors)
        }
    }

    /// The list, encoded once per origin until the next write.
    private func listJSON(origin: String) async throws -> [UInt8] {
        let generation = articles.generation
        if let cached = cache.get(origin, generation: generation) { return cached }
        let json = ArticleJSON.list(try await articles.all(), origin: origin)
        cache.put(origin, generation: generation, json: json)
        return json
    }

    private func render(_ answer: Answer, renderer: Renderer, route: Route, request: Request, origin: String) -> Response {
        guard let json = answer.json else { return Response(status: answer.status) }
        switch renderer {
        case .json:
            return Self.jsonResponse(answer.status, json)
        case .browsableHTML:
            let html = page.render(route: route, method: request.method, path: request.uri.path, status: answer.status, allow: route.allowedMethods, json: json)
            var headers = HTTPFields()
            headers[.contentType] = renderer.contentType
            return Response(status: answer.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }

    /// Django's `APPEND_SLASH`: 301 for GET and HEAD; 308 for the other methods
    /// (Django fails those with a 500; a 308 keeps the method and body).
    private func appendSlash(_ request: Request) async throws -> Response {
        try await drain(request)
        var location = request.uri.path + "/"
        if let query = request.uri.query, !query.isEmpty { location += "?" + query }
        let permanent = request.method == .get || request.method == .head
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.location] = location
        headers[.contentLength] = "0"
        return Response(status: permanent ? .movedPermanently : .permanentRedirect, headers: headers)
    }

    private func notFound(_ request: Request) async throws -> Response {
        try await drain(request)
        var response = Self.errorResponse(.notFound, allow: nil)
        if request.method == .head { response = response.createHeadResponse() }
        return response
    }

    /// Reads and drops a body nobody needs, bounded by the upload limit.
    private func drain(_ request: Request) async throws {
        var seen = 0
        for try await chunk in request.body {
            seen += chunk.readableBytes
            if seen > configuration.maxUploadSize { throw APIError.tooLarge(limit: configuration.maxUploadSize) }
        }
    }

    static func jsonResponse(_ status: HTTPResponse.Status, _ json: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    static func errorResponse(_ error: APIError, allow: String?) -> Response {
        var response = jsonResponse(error.status, error.jsonBody)
        if let allow, !allow.isEmpty {
            response.headers[.allow] = allow
            response.headers[.vary] = "Accept"
        }
        for field in error.headers { response.headers.append(field) }
        return response
    }

    private static func withAllow(_ error: APIError, _ allow: String) -> APIError {
        var error = error
        error.headers[.allow] = allow
        return error
    }

    /// The headers Django's default middleware adds to every answer.
    static func addSecurityHeaders(_ headers: inout HTTPFields) {
        headers[.xFrameOptions] = "DENY"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "same-origin"
        headers[.crossOriginOpenerPolicy] = "same-origin"
    }

    static func isLoopback(_ peer: String?) -> Bool {
        guard let peer else { return true }
        return CIDR.loopback.contains { $0.contains(address: peer) }
    }
}
