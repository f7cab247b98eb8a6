/// One blog article as stored: the record behind `/blog/{id}/`.
///
/// Field limits and names follow the Django model the API stays compatible
/// with (`title` ≤ 20 characters, `content` ≤ 255, `date` stamped on every
/// save, `image` an optional path relative to the media folder such as
/// `article-images/baking.png`).
///
/// ```swift
/// let article = Article(id: 1, title: "Hello", content: "World", date: .now(), image: nil)
/// ```
public struct Article: Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var content: String
    public var date: Timestamp
    /// Path of the image inside the media folder, `nil` when there is none.
    public var image: String?

    public init(id: Int64, title: String, content: String, date: Timestamp, image: String?) {
        self.id = id
        self.title = title
        self.content = content
        self.date = date
        self.image = image
    }

    /// The largest number of characters (Unicode scalars, as Python counts) of each field.
    public enum Limits {
        public static let title = 20
        public static let content = 255
        /// Django's `FileField.max_length`: the uploaded file's name and the stored path.
        public static let imageName = 100
    }
}
