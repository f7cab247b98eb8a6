#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Hummingbird
import Logging

/// Serves `/media/…` with Hummingbird's `FileMiddleware` (Content-Type, ETag,
/// Last-Modified, Range, conditional requests) over ``ConfinedFileProvider``,
/// which refuses anything that is not a regular file reached without symlinks
/// inside the media folder.
struct MediaFiles: Sendable {
    private let middleware: FileMiddleware<APIRequestContext, ConfinedFileProvider>

    init(root: String) {
        let provider = ConfinedFileProvider(root: root)
        middleware = FileMiddleware(fileProvider: provider)
    }

    /// The file's response, or `nil` when there is no servable file at `path` (relative to `/media`).
    func serve(path: String, request: Request, context: APIRequestContext) async throws -> Response? {
        var head = request.head
        head.path = path
        let request = Request(head: head, body: request.body)
        do {
            return try await middleware.handle(request, context: context) { _, _ in throw HTTPError(.notFound) }
        } catch let error as HTTPError where error.status == .notFound || error.status == .badRequest {
            return nil
        }
    }
}

/// A `FileProvider` confined to one folder: every path component below the
/// root is checked with `lstat`, so a symlink anywhere on the way — even one
/// pointing inside — is refused, as are folders and special files.
struct ConfinedFileProvider: FileProvider {
    typealias FileAttributes = LocalFileSystem.FileAttributes
    typealias FileIdentifier = String
    private let local: LocalFileSystem
    private let root: String

    init(root: String) {
        self.root = root
        var logger = Logger(label: "postern.media")
        logger.logLevel = .warning
        local = LocalFileSystem(rootFolder: root, threadPool: .singleton, logger: logger)
    }

    func getFileIdentifier(_ path: String) -> String? {
        let components = path.split(separator: "/")
        guard !components.isEmpty, !components.contains(where: { $0 == ".." || $0 == "." || $0.hasPrefix(".") || $0.contains("\0") }) else { return nil }
        var current = root
        for (index, component) in components.enumerated() {
            current += "/" + component
            var info = stat()
            guard lstat(current, &info) == 0 else { return nil }
            let type = info.st_mode & S_IFMT
            if index == components.count - 1 {
                guard type == S_IFREG else { return nil }
            } else {
                guard type == S_IFDIR else { return nil }
            }
        }
        return current
    }

    func getAttributes(id: String) async throws -> FileAttributes? {
        try await local.getAttributes(id: id)
    }

    func loadFile(id: String, context: some RequestContext) async throws -> ResponseBody {
        try await local.loadFile(id: id, context: context)
    }

    func loadFile(id: String, range: ClosedRange<Int>, context: some RequestContext) async throws -> ResponseBody {
        try await local.loadFile(id: id, range: range, context: context)
    }
}
