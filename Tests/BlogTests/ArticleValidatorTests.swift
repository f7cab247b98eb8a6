@testable import Blog
import Testing

@Suite struct ArticleValidatorTests {
    typealias M = ValidationErrors.Message

    private func errors(_ submission: ArticleSubmission, partial: Bool = false) -> [(String, [String])] {
        do {
            _ = try ArticleValidator.validate(submission, partial: partial)
            return []
        } catch {
            return error.fields.map { ($0.name, $0.messages) }
        }
    }

    @Test func requiresTitleAndContentOnCreate() {
        let found = errors(ArticleSubmission())
        #expect(found.map(\.0) == ["title", "content"])
        #expect(found.allSatisfy { $0.1 == [M.required] })
    }

    @Test func patchRequiresNothing() throws {
        let changes = try ArticleValidator.validate(ArticleSubmission(), partial: true)
        #expect(changes.title == nil && changes.content == nil)
        guard case .keep = changes.image else { Issue.record("image should be kept"); return }
    }

    @Test func countsCharactersAsPythonDoes() {
        // 20 scalars, one of them a combining accent: allowed; 21 is not.
        let twenty = String(repeating: "e\u{301}", count: 10)
        #expect(errors(ArticleSubmission(title: .text(twenty), content: .text("c"))).isEmpty)
        let found = errors(ArticleSubmission(title: .text(twenty + "x"), content: .text(String(repeating: "c", count: 256))))
        #expect(found.map(\.0) == ["title", "content"])
        #expect(found[0].1 == [M.tooLong(20)] && found[1].1 == [M.tooLong(255)])
    }

    @Test func trimsBeforeCheckingBlankAndStoresTrimmed() throws {
        #expect(errors(ArticleSubmission(title: .text("  \t "), content: .text("x"))).first?.1 == [M.blank])
        let changes = try ArticleValidator.validate(ArticleSubmission(title: .text("  Hi  "), content: .text("x")), partial: false)
        #expect(changes.title == "Hi")
    }

    @Test func refusesNullAndNonText() {
        let found = errors(ArticleSubmission(title: .null, content: .notText))
        #expect(found.map(\.1) == [[M.null], [M.notAString]])
    }

    @Test func imageMustBeAFile() {
        #expect(errors(ArticleSubmission(title: .text("t"), content: .text("c"), image: .text("x.png"))).first?.1 == [M.notAFile])
    }

    @Test func imageNullClears() throws {
        let changes = try ArticleValidator.validate(ArticleSubmission(image: .null), partial: true)
        guard case .clear = changes.image else { Issue.record("expected clear"); return }
    }
}
