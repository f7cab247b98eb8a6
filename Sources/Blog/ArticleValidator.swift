/// The serializer's rules: turns a submission into changes, or DRF's errors.
///
/// `partial` is PATCH: absent fields are left alone. Without it (POST, PUT)
/// `title` and `content` are required, as in DRF; `image` never is, and an
/// absent image keeps the one an article already has.
///
/// ```swift
/// let changes = try ArticleValidator.validate(ArticleSubmission(title: .text("Hi"), content: .text("…")), partial: false)
/// ```
public enum ArticleValidator {
    public static func validate(_ submission: ArticleSubmission, partial: Bool) throws(ValidationErrors) -> ArticleChanges {
        var errors = ValidationErrors()
        let title = text(submission.title, field: "title", limit: Article.Limits.title, partial: partial, errors: &errors)
        let content = text(submission.content, field: "content", limit: Article.Limits.content, partial: partial, errors: &errors)
        let image = self.image(submission.image, errors: &errors)
        guard errors.isEmpty, let image else { throw errors }
        return ArticleChanges(title: title, content: content, image: image)
    }

    /// A `CharField(max_length:)` with DRF's defaults: trimmed, not blank, not null.
    private static func text(_ value: SubmittedValue?, field: String, limit: Int, partial: Bool, errors: inout ValidationErrors) -> String? {
        switch value {
        case nil:
            if !partial { errors.add(field, ValidationErrors.Message.required) }
            return nil
        case .null?:
            errors.add(field, ValidationErrors.Message.null)
        case .notText?, .file?:
            errors.add(field, ValidationErrors.Message.notAString)
        case .text(let raw)?:
            let trimmed = raw.trimmingPythonWhitespace()
            if trimmed.isEmpty {
                errors.add(field, ValidationErrors.Message.blank)
                return nil
            }
            if trimmed.unicodeScalars.count > limit {
                errors.add(field, ValidationErrors.Message.tooLong(limit))
            }
            if trimmed.unicodeScalars.contains("\0") {
                errors.add(field, ValidationErrors.Message.nullCharacters)
            }
            return trimmed
        }
        return nil
    }

    /// An `ImageField(null=True)`: optional, `null` clears it, only files are images.
    private static func image(_ value: SubmittedValue?, errors: inout ValidationErrors) -> ArticleChanges.ImageChange? {
        switch value {
        case nil:
            return .keep
        case .null?:
            return .clear
        case .text?, .notText?:
            errors.add("image", ValidationErrors.Message.notAFile)
            return nil
        case .file(let upload)?:
            let name = upload.clientFileName
            if name.isEmpty || UploadFileName.valid(UploadFileName.baseName(name)) == nil {
                errors.add("image", ValidationErrors.Message.noFileName)
                return nil
            }
            if upload.size == 0 {
                errors.add("image", ValidationErrors.Message.emptyFile)
                return nil
            }
            let length = name.unicodeScalars.count
            if length > Article.Limits.imageName {
                errors.add("image", ValidationErrors.Message.fileNameTooLong(Article.Limits.imageName, length))
                return nil
            }
            guard let info = ImageInspector.inspect(path: upload.path) else {
                errors.add("image", ValidationErrors.Message.invalidImage)
                return nil
            }
            return .replace(upload, info)
        }
    }
}
