import GRDB

/// The embedded store: one SQLite file in WAL mode through a GRDB
/// `DatabasePool` (concurrent readers, one writer), with cached prepared
/// statements on the hot paths.
///
/// ```swift
/// let store = try SQLiteArticleStore(path: "/tmp/postern.sqlite")
/// let article = try await store.insert(title: "Hi", content: "there", image: nil, date: .now())
/// ```
public final class SQLiteArticleStore: ArticleStore {
    private let pool: DatabasePool

    /// Opens (or creates) the database and runs the migrations.
    public init(path: String) throws(BlogError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.maximumReaderCount = 4
        // WAL with synchronous=NORMAL: a commit survives a crash of Postern (not a power cut),
        // and costs no fsync; SQLite's default FULL would fsync every write.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try ArticleMigrations.migrator.migrate(pool)
        } catch {
            throw BlogError.database(path, reason: "\(error)")
        }
    }

    private static let columns = "id, title, content, date, image"

    private static func article(_ row: Row) -> Article {
        Article(id: row[0], title: row[1], content: row[2], date: Timestamp(microseconds: row[3]), image: row[4])
    }

    public func all() async throws -> [Article] {
        try await pool.read { db in
            let statement = try db.cachedStatement(sql: "SELECT \(Self.columns) FROM blog_article ORDER BY id")
            var articles: [Article] = []
            let rows = try Row.fetchCursor(statement)
            while let row = try rows.next() { articles.append(Self.article(row)) }
            return articles
        }
    }

    public func find(id: Int64) async throws -> Article? {
        try await pool.read { db in try Self.find(id: id, in: db) }
    }

    private static func find(id: Int64, in db: Database) throws -> Article? {
        let statement = try db.cachedStatement(sql: "SELECT \(columns) FROM blog_article WHERE id = ?")
        return try Row.fetchOne(statement, arguments: [id]).map(article)
    }

    public func insert(title: String, content: String, image: String?, date: Timestamp) async throws -> Article {
        try await pool.write { db in
            let statement = try db.cachedStatement(sql: "INSERT INTO blog_article (title, content, date, image) VALUES (?, ?, ?, ?)")
            try statement.execute(arguments: [title, content, date.microseconds, image])
            return Article(id: db.lastInsertedRowID, title: title, content: content, date: date, image: image)
        }
    }

    public func update(id: Int64, title: String?, content: String?, image: ImageColumnChange, date: Timestamp) async throws -> (article: Article, previousImage: String?)? {
        try await pool.write { db in
            guard var article = try Self.find(id: id, in: db) else { return nil }
            let previous = article.image
            if let title { article.title = title }
            if let content { article.content = content }
            if case .set(let name) = image { article.image = name }
            article.date = date
            let statement = try db.cachedStatement(sql: "UPDATE blog_article SET title = ?, content = ?, date = ?, image = ? WHERE id = ?")
            try statement.execute(arguments: [article.title, article.content, date.microseconds, article.image, id])
            return (article, previous)
        }
    }

    public func delete(id: Int64) async throws -> Article? {
        try await pool.write { db in
            guard let article = try Self.find(id: id, in: db) else { return nil }
            try db.cachedStatement(sql: "DELETE FROM blog_article WHERE id = ?").execute(arguments: [id])
            return article
        }
    }
}
