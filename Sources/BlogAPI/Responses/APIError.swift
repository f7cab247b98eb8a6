import Blog
import HTTPTypes
import Hummingbird

/// An answer other than success, in DRF's shape: `{"detail": "…"}` or, for
/// validation, the field-by-field errors. The message is DRF's own wording
/// wherever DRF has one, since clients display or match it.
public struct APIError: Error, Sendable {
    private enum Code: Sendable { case detail, validation }
    private let code: Code
    public let status: HTTPResponse.Status
    public let detail: String
    public let validationErrors: ValidationErrors?
    /// Extra headers such as `Location`.
    public var headers: HTTPFields = [:]

    private init(_ status: HTTPResponse.Status, detail: String, validationErrors: ValidationErrors? = nil) {
        self.code = validationErrors == nil ? .detail : .validation
        self.status = status
        self.detail = detail
        self.validationErrors = validationErrors
    }

    public static func validation(_ errors: ValidationErrors) -> APIError {
        APIError(.badRequest, detail: "", validationErrors: errors)
    }

    public static func badRequest(_ detail: String) -> APIError { APIError(.badRequest, detail: detail) }
    public static let notFound = APIError(.notFound, detail: "Not found.")
    public static let noArticle = APIError(.notFound, detail: "No Article matches the given query.")
    public static func methodNotAllowed(_ method: HTTPRequest.Method) -> APIError {
        APIError(.methodNotAllowed, detail: "Method \"\(method.rawValue)\" not allowed.")
    }
    public static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(.unsupportedMediaType, detail: "Unsupported media type \"\(contentType)\" in request.")
    }
    public static let notAcceptable = APIError(.notAcceptable, detail: "Could not satisfy the request Accept header.")
    public static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, detail: "Request body is larger than the server's limit of \(ByteSize.describe(limit)). Send a smaller file, or raise the limit with --max-upload.")
    }
    public static func disallowedHost(_ host: String) -> APIError {
        APIError(.badRequest, detail: "Invalid HTTP_HOST header: '\(host)'. Add it with --allowed-host \(host.isEmpty ? "NAME" : host) (or POSTERN_ALLOWED_HOST) if this server should answer to it.")
    }
    public static let authenticationRequired = APIError(.forbidden, detail: "Authentication credentials were not provided.")

    /// The JSON body DRF would send.
    public var jsonBody: [UInt8] {
        var json = JSONWriter()
        if code == .validation, let validationErrors {
            json.object { json in
                for field in validationErrors.fields {
                    json.key(field.name)
                    json.array { json in for message in field.messages { json.string(message) } }
                }
            }
        } else {
            json.object { json in
                json.key("detail")
                json.string(detail)
            }
        }
        return json.bytes
    }
}

/// Byte sizes as users write them on the command line (`10MiB`, `512k`, `200000`).
public enum ByteSize {
    /// Parses `N`, `NK`/`NKiB`/`NKB`, `NM…`, `NG…` (binary multiples); `nil` when not a size.
    public static func parse(_ text: String) -> Int? {
        let lower = text.trimmingSpaces().lowercased()
        let digits = lower.prefix(while: { $0.isNumber })
        guard !digits.isEmpty, let value = Int(digits) else { return nil }
        let unit = lower.dropFirst(digits.count).trimmingSpaces()
        let multiplier: Int
        switch unit {
        case "", "b": multiplier = 1
        case "k", "kb", "kib": multiplier = 1 << 10
        case "m", "mb", "mib": multiplier = 1 << 20
        case "g", "gb", "gib": multiplier = 1 << 30
        default: return nil
        }
        let (result, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : result
    }

    /// `10 MiB`, `512 KiB`, `100 bytes`.
    public static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 30, bytes % (1 << 30) == 0 { return "\(bytes >> 30) GiB" }
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }
}
