/// Where articles are kept. SQLite through GRDB today (``SQLiteArticleStore``);
/// PostgreSQL later, behind the same few calls.
///
/// Every call is one atomic step; ``Articles`` composes them with the media
/// folder so that files and rows stay consistent.
public protocol ArticleStore: Sendable {
    /// Every article, oldest id first (the order DRF's unordered queryset gives on SQLite).
    func all() async throws -> [Article]
    func find(id: Int64) async throws -> Article?
    func insert(title: String, content: String, image: String?, date: Timestamp) async throws -> Article
    /// Applies the changes; `nil` when there is no such article. Returns the image name it had before.
    func update(id: Int64, title: String?, content: String?, image: ImageColumnChange, date: Timestamp) async throws -> (article: Article, previousImage: String?)?
    /// Deletes and returns the article; `nil` when there was none.
    func delete(id: Int64) async throws -> Article?
}

/// How an update changes the `image` column.
public enum ImageColumnChange: Sendable, Equatable {
    case keep
    case set(String?)
}
