/// The API's URL space, as DRF's `DefaultRouter` lays it out with format
/// suffixes: `/`, `/blog/`, `/blog/{pk}/`, each also as `.json` / `.api`,
/// and `/media/…`. A path that lacks only its trailing slash is a redirect,
/// as Django's `APPEND_SLASH` makes it.
enum Route: Equatable {
    case root(format: String?)
    case list(format: String?)
    /// `pk` as written in the path (`[^/.]+`); it may not be a number.
    case detail(pk: String, format: String?)
    case media(path: String)
    case appendSlash
    case notFound

    init(path: String) {
        if path.hasPrefix("/media/") {
            self = .media(path: String(path.dropFirst("/media".count)))
            return
        }
        let trailingSlash = path.hasSuffix("/")
        let trimmed = trailingSlash ? String(path.dropLast()) : path
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        switch segments.count {
        case 0:
            self = .root(format: nil)
        case 1:
            let (name, format) = Route.splitFormat(String(segments[segments.startIndex]))
            if name.isEmpty, let format {
                self = .root(format: format)
            } else if name == "blog" {
                self = trailingSlash || format != nil ? .list(format: format) : .appendSlash
            } else {
                self = .notFound
            }
        case 2 where segments.first == "blog":
            let (pk, format) = Route.splitFormat(String(segments[segments.index(after: segments.startIndex)]))
            guard !pk.isEmpty, !pk.contains(".") else { self = .notFound; return }
            self = trailingSlash || format != nil ? .detail(pk: pk, format: format) : .appendSlash
        default:
            self = .notFound
        }
    }

    /// `name.fmt` → (`name`, `fmt`) when `fmt` is `[a-z0-9]+`.
    private static func splitFormat(_ segment: String) -> (String, String?) {
        guard let dot = segment.lastIndex(of: ".") else { return (segment, nil) }
        let format = segment[segment.index(after: dot)...]
        guard !format.isEmpty, format.allSatisfy({ ($0.isASCII && $0.isLowercase) || $0.isASCIIDigit }) else { return (segment, nil) }
        return (String(segment[..<dot]), String(format))
    }

    /// The methods a route answers, in the order DRF lists them in `Allow`.
    var allowedMethods: String {
        switch self {
        case .root: "GET, HEAD, OPTIONS"
        case .list: "GET, POST, HEAD, OPTIONS"
        case .detail: "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
        case .media: "GET, HEAD"
        case .appendSlash, .notFound: ""
        }
    }

    /// Python's `int()` on a primary key: optional sign, digits, single underscores between digits.
    static func primaryKey(_ text: String) -> Int64? {
        var body = Substring(text.trimmingPythonSpaces())
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        guard let first = body.first, let last = body.last, first.isASCIIDigit, last.isASCIIDigit,
              !body.contains("__"), body.allSatisfy({ $0.isASCIIDigit || $0 == "_" }) else { return nil }
        guard let value = Int64(body.filter { $0 != "_" }) else { return nil }
        return negative ? -value : value
    }
}

extension String {
    func trimmingPythonSpaces() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
