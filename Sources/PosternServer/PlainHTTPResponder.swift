import BlogAPI
import HTTPTypes
import Hummingbird
import NIOCore

/// The plain-HTTP listener: everything is redirected (308, method and body
/// kept) to the same path on HTTPS, except the CA page a phone needs before
/// it can trust HTTPS at all.
struct PlainHTTPResponder: HTTPResponder {
    typealias Context = APIRequestContext
    let httpsPort: Int
    let origins: OriginPolicy
    let caPage: CAPage

    func respond(to request: Request, context: Context) async throws -> Response {
        let host = request.head.authority ?? ""
        guard let name = OriginPolicy.hostName(host), origins.isAllowed(name) else {
            return Self.json(.badRequest, "{\"detail\":\"Invalid HTTP_HOST header: '\(host)'. Add it with --allowed-host if this server should answer to it.\"}")
        }
        if let response = caPage.response(path: request.uri.path, method: request.method, hostName: name, request: request) {
            return response
        }
        var location = "https://\(name):\(httpsPort)\(request.uri.path)"
        if let query = request.uri.query, !query.isEmpty { location += "?\(query)" }
        var headers = HTTPFields()
        headers[.location] = location
        headers[.contentLength] = "0"
        return Response(status: .permanentRedirect, headers: headers)
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
