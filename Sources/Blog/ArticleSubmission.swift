/// One field's value as a client sent it, before validation.
///
/// The HTTP layer maps JSON, form and multipart bodies onto these cases; the
/// rules that turn them into an article (and DRF's messages when they fail)
/// live in ``ArticleValidator``.
public enum SubmittedValue: Sendable {
    /// Text, or a JSON number already written as text (DRF's `str(value)`).
    case text(String)
    /// JSON `null`, or an empty form field for the image.
    case null
    /// A JSON value that is not text: `true`, a list, an object.
    case notText
    /// A file part, already written to the media folder's staging area.
    case file(StagedUpload)
}

/// The fields a request carried; `nil` means the field was absent.
public struct ArticleSubmission: Sendable {
    public var title: SubmittedValue?
    public var content: SubmittedValue?
    public var image: SubmittedValue?

    public init(title: SubmittedValue? = nil, content: SubmittedValue? = nil, image: SubmittedValue? = nil) {
        self.title = title
        self.content = content
        self.image = image
    }

    /// Every staged file the submission holds, so that a failed request can remove them.
    public var stagedUploads: [StagedUpload] {
        [title, content, image].compactMap { if case .file(let upload)? = $0 { upload } else { nil } }
    }
}

/// What a valid submission changes in an article.
public struct ArticleChanges: Sendable {
    /// How the image changes.
    public enum ImageChange: Sendable {
        case keep
        case clear
        case replace(StagedUpload, ImageInfo)
    }

    public var title: String?
    public var content: String?
    public var image: ImageChange
}
