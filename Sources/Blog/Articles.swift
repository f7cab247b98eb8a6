import Synchronization

/// The blog's use cases: the store and the media folder kept consistent.
///
/// Files go into place before the row that names them is committed, and are
/// removed again when that commit fails; the file an article no longer names
/// (replaced, cleared or deleted) is removed after the commit. ``generation``
/// changes on every write, so readers can cache what they render.
///
/// ```swift
/// let articles = Articles(store: store, media: media)
/// let created = try await articles.create(submission)
/// ```
public final class Articles: Sendable {
    public let store: any ArticleStore
    public let media: MediaStore
    private let writes = Atomic<UInt64>(0)

    public init(store: any ArticleStore, media: MediaStore) {
        self.store = store
        self.media = media
    }

    /// A number that changes after every write.
    public var generation: UInt64 { writes.load(ordering: .acquiring) }

    public func all() async throws -> [Article] { try await store.all() }

    public func find(id: Int64) async throws -> Article? { try await store.find(id: id) }

    /// Creates an article (POST). Throws ``ValidationErrors`` for a client's mistake.
    public func create(_ submission: ArticleSubmission) async throws -> Article {
        defer { discardStaged(submission) }
        let changes = try ArticleValidator.validate(submission, partial: false)
        let image = try placeImage(changes.image)
        do {
            let article = try await store.insert(title: changes.title ?? "", content: changes.content ?? "", image: image ?? nil, date: .now())
            bump()
            return article
        } catch {
            if let image = image ?? nil { media.remove(storedName: image) }
            throw error
        }
    }

    /// Replaces (PUT, `partial: false`) or patches (PATCH) an article; `nil` when it does not exist.
    public func update(id: Int64, _ submission: ArticleSubmission, partial: Bool) async throws -> Article? {
        defer { discardStaged(submission) }
        guard try await store.find(id: id) != nil else { return nil }
        let changes = try ArticleValidator.validate(submission, partial: partial)
        let image = try placeImage(changes.image)
        let result: (article: Article, previousImage: String?)?
        do {
            result = try await store.update(id: id, title: changes.title, content: changes.content,
                                            image: image.map { .set($0) } ?? .keep, date: .now())
        } catch {
            if let image = image ?? nil { media.remove(storedName: image) }
            throw error
        }
        guard let result else {
            if let image = image ?? nil { media.remove(storedName: image) }
            return nil
        }
        bump()
        if let previous = result.previousImage, previous != result.article.image {
            media.remove(storedName: previous)
        }
        return result.article
    }

    /// Deletes an article and its image; `false` when it did not exist.
    public func delete(id: Int64) async throws -> Bool {
        guard let article = try await store.delete(id: id) else { return false }
        bump()
        if let image = article.image { media.remove(storedName: image) }
        return true
    }

    /// Places a new image; `.some(nil)` clears, `nil` keeps.
    private func placeImage(_ change: ArticleChanges.ImageChange) throws -> String?? {
        switch change {
        case .keep: return nil
        case .clear: return .some(nil)
        case .replace(let upload, _): return .some(try media.place(upload))
        }
    }

    private func discardStaged(_ submission: ArticleSubmission) {
        for upload in submission.stagedUploads { media.discard(upload) }
    }

    private func bump() { writes.add(1, ordering: .releasing) }
}
