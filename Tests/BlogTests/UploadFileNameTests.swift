@testable import Blog
import Testing

@Suite struct UploadFileNameTests {
    @Test func cleansAsDjangoGetValidFilename() {
        #expect(UploadFileName.valid("john's portrait in 2004.jpg") == "johns_portrait_in_2004.jpg")
        #expect(UploadFileName.valid("  baking.png ") == "baking.png")
        #expect(UploadFileName.valid("été ☃.png") == "été_.png")
        #expect(UploadFileName.valid("..") == nil)
        #expect(UploadFileName.valid("$%^") == nil)
    }

    @Test func dropsAnyPathTheClientSent() {
        #expect(UploadFileName.baseName("../../etc/passwd") == "passwd")
        #expect(UploadFileName.baseName("C:\\Users\\me\\cat.png") == "cat.png")
        #expect(UploadFileName.baseName("cat.png") == "cat.png")
    }

    @Test func splitsAllSuffixesLikePathlib() {
        #expect(UploadFileName.splitExtension("a.tar.gz") == ("a", ".tar.gz"))
        #expect(UploadFileName.splitExtension(".hidden") == (".hidden", ""))
        #expect(UploadFileName.splitExtension("noext") == ("noext", ""))
    }

    @Test func alternativeNameHasSevenRandomCharacters() throws {
        let name = UploadFileName.alternative(for: "baking.png")
        #expect(name.hasPrefix("baking_") && name.hasSuffix(".png") && name.count == "baking_.png".count + 7)
        let random = name.dropFirst("baking_".count).prefix(7)
        #expect(random.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(UploadFileName.alternative(for: "baking.png") != name)
    }

    @Test func shortensTheRootToFitTheColumn() {
        let long = String(repeating: "a", count: 95) + ".png"
        let fitted = UploadFileName.fitting(long, prefix: "article-images/", maxLength: 100)
        #expect(fitted?.count == 85 && fitted?.hasSuffix(".png") == true)
        #expect(UploadFileName.fitting("a.png", prefix: "article-images/", maxLength: 100) == "a.png")
    }
}
