@testable import Blog
import Foundation
import NIOCore
import Testing

/// The use cases against a real SQLite file and media folder in a temporary directory.
@Suite struct ArticlesTests {
    let folder: URL
    let articles: Articles

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("postern-blog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let media = try MediaStore(root: folder.appendingPathComponent("media").path)
        articles = Articles(store: try SQLiteArticleStore(path: folder.appendingPathComponent("db.sqlite").path), media: media)
    }

    private func stage(_ bytes: [UInt8], name: String) async throws -> StagedUpload {
        let file = try await articles.media.openStagingFile()
        var buffer = ByteBuffer(bytes: bytes)
        try await file.append(&buffer)
        return try await file.finish(clientFileName: name)
    }

    private func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: articles.media.absolutePath(of: name))
    }

    private func stagingIsEmpty() throws -> Bool {
        try FileManager.default.contentsOfDirectory(atPath: articles.media.root + "/.staging").isEmpty
    }

    @Test func createPlacesTheImageUnderDjangosName() async throws {
        let upload = try await stage(ImageFixtures.png(width: 2, height: 2), name: "my cat.png")
        let article = try await articles.create(ArticleSubmission(title: .text("Cat"), content: .text("Meow"), image: .file(upload)))
        #expect(article.image == "article-images/my_cat.png")
        #expect(exists("article-images/my_cat.png"))
        #expect(try stagingIsEmpty())
        #expect(try await articles.find(id: article.id) == article)
    }

    @Test func aSecondFileOfTheSameNameGetsASuffixAndTheFirstIsKept() async throws {
        let first = try await articles.create(ArticleSubmission(title: .text("1"), content: .text("c"),
            image: .file(try await stage(ImageFixtures.png(width: 1, height: 1), name: "a.png"))))
        let second = try await articles.create(ArticleSubmission(title: .text("2"), content: .text("c"),
            image: .file(try await stage(ImageFixtures.gif(width: 1, height: 1), name: "a.png"))))
        #expect(first.image == "article-images/a.png")
        let name = try #require(second.image)
        #expect(name != first.image && name.hasPrefix("article-images/a_") && name.hasSuffix(".png"))
        let firstBytes = try Data(contentsOf: URL(fileURLWithPath: articles.media.absolutePath(of: "article-images/a.png")))
        #expect(Array(firstBytes) == ImageFixtures.png(width: 1, height: 1))
    }

    @Test func anInvalidRequestLeavesNoFileBehind() async throws {
        let upload = try await stage(Array("not an image".utf8), name: "x.png")
        await #expect(throws: ValidationErrors.self) {
            try await articles.create(ArticleSubmission(title: .text("t"), content: .text("c"), image: .file(upload)))
        }
        let valid = try await stage(ImageFixtures.png(width: 1, height: 1), name: "y.png")
        await #expect(throws: ValidationErrors.self) {
            try await articles.create(ArticleSubmission(title: .text(String(repeating: "t", count: 21)), content: .text("c"), image: .file(valid)))
        }
        #expect(try stagingIsEmpty())
        #expect(!exists("article-images/x.png") && !exists("article-images/y.png"))
        #expect(try await articles.all().isEmpty)
    }

    @Test func replacingClearingAndDeletingRemoveTheOldFile() async throws {
        let article = try await articles.create(ArticleSubmission(title: .text("t"), content: .text("c"),
            image: .file(try await stage(ImageFixtures.png(width: 1, height: 1), name: "old.png"))))
        let replaced = try #require(try await articles.update(id: article.id, ArticleSubmission(
            image: .file(try await stage(ImageFixtures.png(width: 1, height: 1), name: "new.png"))), partial: true))
        #expect(replaced.image == "article-images/new.png")
        #expect(!exists("article-images/old.png") && exists("article-images/new.png"))
        #expect(replaced.date > article.date)

        let cleared = try #require(try await articles.update(id: article.id, ArticleSubmission(image: .null), partial: true))
        #expect(cleared.image == nil && !exists("article-images/new.png"))

        let again = try #require(try await articles.update(id: article.id, ArticleSubmission(
            image: .file(try await stage(ImageFixtures.png(width: 1, height: 1), name: "last.png"))), partial: true))
        #expect(try await articles.delete(id: again.id))
        #expect(!exists("article-images/last.png"))
        #expect(try await articles.find(id: article.id) == nil)
        #expect(try await articles.delete(id: article.id) == false)
    }

    @Test func putKeepsTheImageWhenNoneIsSent() async throws {
        let article = try await articles.create(ArticleSubmission(title: .text("t"), content: .text("c"),
            image: .file(try await stage(ImageFixtures.png(width: 1, height: 1), name: "keep.png"))))
        let put = try #require(try await articles.update(id: article.id, ArticleSubmission(title: .text("T"), content: .text("C")), partial: false))
        #expect(put.image == "article-images/keep.png" && put.title == "T")
        #expect(exists("article-images/keep.png"))
    }

    @Test func updateOfAMissingArticleDiscardsTheUpload() async throws {
        let upload = try await stage(ImageFixtures.png(width: 1, height: 1), name: "z.png")
        #expect(try await articles.update(id: 42, ArticleSubmission(image: .file(upload)), partial: true) == nil)
        #expect(try stagingIsEmpty() && !exists("article-images/z.png"))
    }

    @Test func idsAreNotReusedAndTheGenerationMoves() async throws {
        let g0 = articles.generation
        let a = try await articles.create(ArticleSubmission(title: .text("a"), content: .text("c")))
        _ = try await articles.delete(id: a.id)
        let b = try await articles.create(ArticleSubmission(title: .text("b"), content: .text("c")))
        #expect(b.id == a.id + 1)
        #expect(articles.generation == g0 + 3)
    }
}
