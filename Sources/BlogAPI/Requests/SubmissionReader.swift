import Blog
import Hummingbird
import MultipartKit
import NIOCore

/// Reads an article submission from a request body, in any of the three
/// encodings DRF's default parsers accept: JSON, URL-encoded form, multipart.
///
/// Multipart bodies are parsed as they arrive; a file part streams into a
/// staging file of the media folder, so memory stays flat for any size. The
/// body's size is checked against `maxBodySize` while it streams: past it,
/// whatever was staged is removed and the request ends with a 413.
struct SubmissionReader {
    let media: MediaStore
    let maxBodySize: Int
    /// Text fields of a multipart or form body are held in memory; this bounds them
    /// (Django's `DATA_UPLOAD_MAX_MEMORY_SIZE`).
    static let maxTextSize = 2_621_440

    func read(_ request: Request) async throws -> ArticleSubmission {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBodySize {
            // A client waiting for "100 Continue" has sent nothing yet: answer at once.
            // Otherwise read the body away (bounded) so the client sees the answer, not a reset.
            if request.headers[.expect]?.lowercased() != "100-continue", length <= maxBodySize + Self.discardAllowance {
                try await discard(request.body)
            }
            throw APIError.tooLarge(limit: maxBodySize)
        }
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = MediaTypeHeader(contentType)
        switch mediaType.essence {
        case "application/json":
            let body = try await collect(request.body, limit: maxBodySize)
            return try Self.jsonSubmission(body)
        case "application/x-www-form-urlencoded":
            let body = try await collect(request.body, limit: min(maxBodySize, Self.maxTextSize))
            return Self.formSubmission(FormURLEncoded.parse(body))
        case "multipart/form-data":
            guard let boundary = mediaType.parameters["boundary"], !boundary.isEmpty, boundary.utf8.count <= 200 else {
                _ = try? await collect(request.body, limit: maxBodySize)
                throw APIError.badRequest("Multipart form parse error - Invalid boundary in multipart: None")
            }
            return try await multipartSubmission(request.body, boundary: boundary)
        default:
            // DRF looks at the type only when there is a body to parse.
            let body = try await collect(request.body, limit: maxBodySize)
            if body.isEmpty { return ArticleSubmission() }
            throw APIError.unsupportedMediaType(contentType)
        }
    }

    /// How much of a too-large body is read and dropped so that the client gets its 413.
    static let discardAllowance = 64 << 20

    private func collect(_ body: RequestBody, limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = body.makeAsyncIterator()
        while let chunk = try await iterator.next() {
            guard bytes.count + chunk.readableBytes <= limit else {
                try await discard(&iterator, alreadyRead: bytes.count + chunk.readableBytes)
                throw APIError.tooLarge(limit: limit)
            }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }

    private func discard(_ body: RequestBody) async throws {
        var iterator = body.makeAsyncIterator()
        try await discard(&iterator, alreadyRead: 0)
    }

    /// Reads and drops the rest of a body, up to ``discardAllowance``; past that the connection is given up.
    private func discard(_ iterator: inout RequestBody.AsyncIterator, alreadyRead: Int) async throws {
        var read = alreadyRead
        while let chunk = try await iterator.next() {
            read += chunk.readableBytes
            if read > maxBodySize + Self.discardAllowance { break }
        }
    }

    static func jsonSubmission(_ body: [UInt8]) throws -> ArticleSubmission {
        if body.isEmpty { return ArticleSubmission() }
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw APIError.badRequest("JSON parse error - \(error.description)")
        }
        guard case .object = value else {
            throw APIError.validation(ValidationErrors(field: "non_field_errors", message: ValidationErrors.Message.notADictionary(value.pythonTypeName)))
        }
        func field(_ name: String) -> SubmittedValue? {
            switch value[name] {
            case nil: nil
            case .string(let text)?: .text(text)
            case .number(let text)?: .text(text)
            case .null?: .null
            case .bool?, .array?, .object?: .notText
            }
        }
        return ArticleSubmission(title: field("title"), content: field("content"), image: field("image"))
    }

    /// Form fields as Django's `QueryDict` gives them to DRF: the last value wins,
    /// and an empty image field means "no image".
    static func formSubmission(_ fields: [(String, String)]) -> ArticleSubmission {
        func last(_ name: String) -> String? { fields.last(where: { $0.0 == name })?.1 }
        return ArticleSubmission(
            title: last("title").map(SubmittedValue.text),
            content: last("content").map(SubmittedValue.text),
            image: last("image").map { $0.isEmpty ? .null : .text($0) }
        )
    }

    private func multipartSubmission(_ body: RequestBody, boundary: String) async throws -> ArticleSubmission {
        let collector = MultipartEvents()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in collector.events.append(.header(name, value)) }
        parser.onBody = { buffer in collector.events.append(.body(buffer)) }
        parser.onPartComplete = { collector.events.append(.end) }

        var textFields: [(String, String)] = []
        var textSize = 0
        var image: StagedUpload?
        var part = PartState()
        var received = 0
        var iterator = body.makeAsyncIterator()
        do {
            while let chunk = try await iterator.next() {
                received += chunk.readableBytes
                guard received <= maxBodySize else {
                    await part.file?.abandon()
                    part.file = nil
                    try await discard(&iterator, alreadyRead: received)
                    throw APIError.tooLarge(limit: maxBodySize)
                }
                do { try parser.execute(chunk) } catch {
                    throw APIError.badRequest("Multipart form parse error - Invalid multipart body.")
                }
                let events = collector.events
                collector.events.removeAll(keepingCapacity: true)
                for event in events {
                    switch event {
                    case .header(let name, let value):
                        part.headers.append((name, value))
                    case .body(var buffer):
                        try await part.begin(media: media)
                        if let file = part.file {
                            try await file.append(&buffer)
                        } else if part.keepsText {
                            textSize += buffer.readableBytes
                            guard textSize <= Self.maxTextSize else { throw APIError.tooLarge(limit: Self.maxTextSize) }
                            part.text.append(contentsOf: buffer.readableBytesView)
                        }
                    case .end:
                        try await part.begin(media: media)
                        if let file = part.file, let fileName = part.fileName {
                            part.file = nil
                            let staged = try await file.finish(clientFileName: UploadFileName.baseName(fileName))
                            if let previous = image { media.discard(previous) }
                            image = staged
                        } else if part.keepsText, let name = part.name {
                            textFields.append((name, String(decoding: part.text, as: UTF8.self)))
                        }
                        part = PartState()
                    }
                }
            }
        } catch {
            await part.file?.abandon()
            if let image { media.discard(image) }
            throw error
        }
        await part.file?.abandon()
        var submission = Self.formSubmission(textFields)
        if let image { submission.image = .file(image) }
        return submission
    }
}

/// What the synchronous multipart parser reported for one chunk.
private final class MultipartEvents {
    enum Event { case header(String, String), body(ByteBuffer), end }
    var events: [Event] = []
}

/// The part being read: its headers, then either a staging file or text.
private struct PartState {
    var headers: [(String, String)] = []
    var text: [UInt8] = []
    var file: StagingFile?
    private var started = false
    private(set) var name: String?
    /// The `filename` parameter; Django skips a file part whose name is empty.
    private(set) var fileName: String?
    private(set) var keepsText = false

    /// Looks at the headers once, when the part's body starts.
    mutating func begin(media: MediaStore) async throws {
        guard !started else { return }
        started = true
        let disposition = headers.last(where: { $0.0.lowercased() == "content-disposition" })?.1 ?? ""
        let parameters = MediaTypeHeader(disposition).parameters
        name = parameters["name"]
        if let fileName = parameters["filename"] {
            guard !fileName.isEmpty, name == "image" else { return }
            self.fileName = fileName
            file = try await media.openStagingFile()
        } else {
            keepsText = ["title", "content", "image"].contains(name ?? "")
        }
    }
}
