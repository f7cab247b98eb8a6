@testable import Blog
import Testing

@Suite struct ImageInspectorTests {
    @Test func recognisesEachFormatAndItsSize() {
        #expect(ImageInspector.inspect(bytes: ImageFixtures.png(width: 16, height: 9)) == ImageInfo(format: .png, width: 16, height: 9))
        #expect(ImageInspector.inspect(bytes: ImageFixtures.jpeg(width: 640, height: 480)) == ImageInfo(format: .jpeg, width: 640, height: 480))
        #expect(ImageInspector.inspect(bytes: ImageFixtures.gif(width: 3, height: 2)) == ImageInfo(format: .gif, width: 3, height: 2))
        #expect(ImageInspector.inspect(bytes: ImageFixtures.webpLossless(width: 100, height: 50)) == ImageInfo(format: .webp, width: 100, height: 50))
        #expect(ImageInspector.inspect(bytes: ImageFixtures.webpLossy(width: 320, height: 200)) == ImageInfo(format: .webp, width: 320, height: 200))
        #expect(ImageInspector.inspect(bytes: ImageFixtures.webpExtended(width: 4000, height: 3000)) == ImageInfo(format: .webp, width: 4000, height: 3000))
    }

    @Test func findsTheJPEGFrameAfterLargeMetadata() {
        #expect(ImageInspector.inspect(bytes: ImageFixtures.jpeg(width: 12, height: 34, padding: 60_000))?.height == 34)
    }

    @Test func refusesTextAndBrokenHeaders() {
        #expect(ImageInspector.inspect(bytes: Array("this is plain text, not an image\n".utf8)) == nil)
        #expect(ImageInspector.inspect(bytes: Array(ImageFixtures.png(width: 1, height: 1).prefix(20))) == nil)
        #expect(ImageInspector.inspect(bytes: ImageFixtures.png(width: 1, height: 1, depth: 3, colour: 2)) == nil)
        #expect(ImageInspector.inspect(bytes: Array(ImageFixtures.jpeg(width: 5, height: 5).prefix(30))) == nil)
        #expect(ImageInspector.inspect(bytes: []) == nil)
    }

    @Test func refusesEmptyAndBombDimensions() {
        #expect(ImageInspector.inspect(bytes: ImageFixtures.png(width: 0, height: 10)) == nil)
        #expect(ImageInspector.inspect(bytes: ImageFixtures.gif(width: 10, height: 0)) == nil)
        // 9459 × 9460 = 89,482,140 > 89,478,485; one row less fits.
        #expect(ImageInspector.inspect(bytes: ImageFixtures.png(width: 9459, height: 9460)) == nil)
        #expect(ImageInspector.inspect(bytes: ImageFixtures.png(width: 9459, height: 9459)) != nil)
    }
}
