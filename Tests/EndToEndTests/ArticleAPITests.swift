import Foundation
import Testing

/// The Articles API through curl, against the built binary: DRF's answers,
/// uploads, media serving and the rules on hosts and sizes.
@Suite struct ArticleAPITests {
    let server: PosternProcess
    let curl: Curl

    init() throws {
        server = try PosternProcess(arguments: ["--max-upload", "256KiB"])
        curl = Curl(caFile: server.caFile)
    }

    private func object(_ response: CurlResponse) -> [String: Any] { response.json as? [String: Any] ?? [:] }

    private func stagingAndImages() throws -> [String] {
        let media = server.home.appendingPathComponent("media")
        return try FileManager.default.contentsOfDirectory(atPath: media.appendingPathComponent(".staging").path)
            + FileManager.default.contentsOfDirectory(atPath: media.appendingPathComponent("article-images").path)
    }

    @Test func createWithAnImageThenFetchItBack() async throws {
        try await server.waitUntilListening()
        let png = TestImages.png()
        let file = try TestImages.write(png, name: "my photo.png")
        let created = try await curl("\(server.base)/blog/", ["-F", "title=Blog 1", "-F", "content=Content for post 1", "-F", "image=@\(file.path);type=image/png"])
        #expect(created.status == 201, "\(created.text)")
        #expect(created.header("content-type") == "application/json")
        #expect(created.header("allow") == "GET, POST, HEAD, OPTIONS")
        #expect(created.text.hasPrefix("{\"id\":1,\"title\":\"Blog 1\",\"content\":\"Content for post 1\",\"date\":\""))
        let image = try #require(object(created)["image"] as? String)
        #expect(image == "https://127.0.0.1:\(server.port)/media/article-images/my_photo.png")
        let date = try #require(object(created)["date"] as? String)
        #expect(date.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$"#, options: .regularExpression) != nil)

        let fetched = try await curl(image)
        #expect(fetched.status == 200 && fetched.body == png)
        #expect(fetched.header("content-type") == "image/png")
        let etag = try #require(fetched.header("etag"))
        #expect(fetched.header("last-modified") != nil)
        #expect(try await curl(image, ["-H", "If-None-Match: \(etag)"]).status == 304)
        let range = try await curl(image, ["-H", "Range: bytes=0-7"])
        #expect(range.status == 206 && range.body == png.prefix(8))

        let list = try await curl("\(server.base)/blog/")
        #expect((list.json as? [[String: Any]])?.count == 1)
        #expect(list.text.hasPrefix("[{\"id\":1,"))

        // A second upload of the same name keeps the first file and gets Django's suffix.
        let second = try await curl("\(server.base)/blog/", ["-F", "title=Two", "-F", "content=c", "-F", "image=@\(file.path)"])
        let secondImage = try #require(object(second)["image"] as? String)
        #expect(secondImage.range(of: #"/media/article-images/my_photo_[A-Za-z0-9]{7}\.png$"#, options: .regularExpression) != nil)
        #expect(try await curl(image).body == png)
    }

    @Test func answersAsDRFDoes() async throws {
        try await server.waitUntilListening()
        let json = ["-H", "Content-Type: application/json"]
        #expect(try await curl("\(server.base)/blog/999999/").text == #"{"detail":"No Article matches the given query."}"#)
        #expect(try await curl("\(server.base)/blog/abc/").text == #"{"detail":"Not found."}"#)
        let put = try await curl("\(server.base)/blog/", ["-X", "PUT"] + json + ["--data-binary", #"{"title":"x","content":"y"}"#])
        #expect(put.status == 405 && put.text == #"{"detail":"Method \"PUT\" not allowed."}"#)
        #expect(put.header("allow") == "GET, POST, HEAD, OPTIONS" && put.header("vary") == "Accept")
        let plain = try await curl("\(server.base)/blog/", ["-H", "Content-Type: text/plain", "--data-binary", "hello"])
        #expect(plain.status == 415 && plain.text == #"{"detail":"Unsupported media type \"text/plain\" in request."}"#)
        let png = try await curl("\(server.base)/blog/", ["-H", "Accept: image/png"])
        #expect(png.status == 406 && png.text == #"{"detail":"Could not satisfy the request Accept header."}"#)
        let redirect = try await curl("\(server.base)/blog?x=1")
        #expect(redirect.status == 301 && redirect.header("location") == "/blog/?x=1")
        let malformed = try await curl("\(server.base)/blog/", json + ["--data-binary", #"{"title": "broken""#])
        #expect(malformed.status == 400 && malformed.text == #"{"detail":"JSON parse error - Expecting ',' delimiter: line 1 column 19 (char 18)"}"#)
        let invalid = try await curl("\(server.base)/blog/", ["-F", "title=", "-F", "content=\(String(repeating: "c", count: 256))"])
        #expect(invalid.text == #"{"title":["This field may not be blank."],"content":["Ensure this field has no more than 255 characters."]}"#)
        let missing = try await curl("\(server.base)/blog/", json + ["--data-binary", "{}"])
        #expect(missing.text == #"{"title":["This field is required."],"content":["This field is required."]}"#)
        let notImage = try TestImages.write(Data("plain text\n".utf8), name: "fake.png")
        let badImage = try await curl("\(server.base)/blog/", ["-F", "title=t", "-F", "content=c", "-F", "image=@\(notImage.path);type=image/png"])
        #expect(badImage.text == #"{"image":["Upload a valid image. The file you uploaded was either not an image or a corrupted image."]}"#)
        let textImage = try await curl("\(server.base)/blog/", ["-F", "title=t", "-F", "content=c", "-F", "image=not a file"])
        #expect(textImage.text == #"{"image":["The submitted data was not a file. Check the encoding type on the form."]}"#)
        let longName = try TestImages.write(TestImages.png(), name: String(repeating: "n", count: 97) + ".png")
        let tooLong = try await curl("\(server.base)/blog/", ["-F", "title=t", "-F", "content=c", "-F", "image=@\(longName.path)"])
        #expect(tooLong.text == #"{"image":["Ensure this filename has at most 100 characters (it has 101)."]}"#)
        #expect(try stagingAndImages().isEmpty)

        // Non-ASCII is written as it is; JSON, form and multipart bodies all create.
        let created = try await curl("\(server.base)/blog/", json + ["--data-binary", #"{"title": "Café ☕", "content": "naïve"}"#])
        #expect(created.status == 201 && created.text.contains(#""title":"Café ☕""#) && created.text.hasSuffix(#""image":null}"#))
        let id = try #require(object(created)["id"] as? Int)
        let form = try await curl("\(server.base)/blog/", ["--data-urlencode", "title=Form", "--data-urlencode", "content=a & b"])
        #expect(form.status == 201 && object(form)["content"] as? String == "a & b")

        // HEAD and OPTIONS.
        let head = try await curl("\(server.base)/blog/\(id)/", ["-I"])
        let get = try await curl("\(server.base)/blog/\(id)/")
        // curl -I writes the headers where the body would go: no body means nothing after them.
        #expect(head.status == 200 && head.header("content-length") == "\(get.body.count)")
        #expect(!head.text.contains("{"))
        let options = try await curl("\(server.base)/blog/", ["-X", "OPTIONS"])
        let actions = try #require((object(options)["actions"] as? [String: Any])?["POST"] as? [String: [String: Any]])
        #expect(object(options)["name"] as? String == "Article View Sets List")
        #expect(actions["title"]?["max_length"] as? Int == 20 && actions["content"]?["max_length"] as? Int == 255)
        #expect(options.text.contains(#""actions":{"POST":{"id":{"type":"integer","required":false,"read_only":true,"label":"ID"},"title""#))
        #expect(try await curl("\(server.base)/blog/\(id).json").status == 200)
        #expect(try await curl("\(server.base)/blog/?format=json", ["-H", "Accept: text/html"]).header("content-type") == "application/json")
        let html = try await curl("\(server.base)/blog/", ["-H", "Accept: text/html"])
        #expect(html.status == 200 && html.header("content-type") == "text/html; charset=utf-8" && html.text.contains("<title>Article View Sets List"))

        // PUT needs every field; PATCH changes what it names and restamps the date.
        let incomplete = try await curl("\(server.base)/blog/\(id)/", ["-X", "PUT"] + json + ["--data-binary", #"{"title": "Only"}"#])
        #expect(incomplete.status == 400 && incomplete.text == #"{"content":["This field is required."]}"#)
        let before = try #require(object(created)["date"] as? String)
        let patched = try await curl("\(server.base)/blog/\(id)/", ["-X", "PATCH"] + json + ["--data-binary", #"{"title": "Patched"}"#])
        #expect(object(patched)["title"] as? String == "Patched" && object(patched)["content"] as? String == "naïve")
        #expect((object(patched)["date"] as? String ?? "") > before)
        let deleted = try await curl("\(server.base)/blog/\(id)/", ["-X", "DELETE"])
        #expect(deleted.status == 204 && deleted.body.isEmpty)
        #expect(try await curl("\(server.base)/blog/\(id)/").status == 404)
    }

    @Test func imagesAreRemovedWithTheirArticleOrWhenCleared() async throws {
        try await server.waitUntilListening()
        let file = try TestImages.write(TestImages.png(), name: "a.png")
        let one = object(try await curl("\(server.base)/blog/", ["-F", "title=1", "-F", "content=c", "-F", "image=@\(file.path)"]))
        let two = object(try await curl("\(server.base)/blog/", ["-F", "title=2", "-F", "content=c", "-F", "image=@\(file.path)"]))
        let images = server.home.appendingPathComponent("media/article-images")
        #expect(try FileManager.default.contentsOfDirectory(atPath: images.path).count == 2)
        let cleared = try await curl("\(server.base)/blog/\(one["id"] as? Int ?? 0)/", ["-X", "PATCH", "-H", "Content-Type: application/json", "--data-binary", #"{"image": null}"#])
        #expect(cleared.status == 200 && object(cleared)["image"] is NSNull)
        #expect(try await curl("\(server.base)/blog/\(two["id"] as? Int ?? 0)/", ["-X", "DELETE"]).status == 204)
        #expect(try FileManager.default.contentsOfDirectory(atPath: images.path).isEmpty)
        #expect(try await curl(one["image"] as? String ?? "").status == 404)
    }

    @Test func anUploadOverTheLimitIsRefusedAndLeavesNothing() async throws {
        try await server.waitUntilListening()
        var big = TestImages.png()
        big.append(Data(repeating: 0x41, count: 400_000))
        let file = try TestImages.write(big, name: "big.png")
        let refused = try await curl("\(server.base)/blog/", ["-F", "title=big", "-F", "content=c", "-F", "image=@\(file.path)"])
        #expect(refused.status == 413)
        #expect((object(refused)["detail"] as? String)?.contains("256 KiB") == true)
        // Also when the client hides the size (chunked): the limit holds while streaming.
        let chunked = try await curl("\(server.base)/blog/", ["-H", "Transfer-Encoding: chunked", "-F", "title=big", "-F", "content=c", "-F", "image=@\(file.path)"])
        #expect(chunked.status == 413)
        #expect(try stagingAndImages().isEmpty)
        #expect(try await curl("\(server.base)/blog/").text == "[]")
    }

    @Test func mediaNeverServesAnythingOutsideItsFolder() async throws {
        try await server.waitUntilListening()
        let media = server.home.appendingPathComponent("media")
        try FileManager.default.createSymbolicLink(atPath: media.appendingPathComponent("article-images/key.pem").path,
                                                   withDestinationPath: server.home.appendingPathComponent("ca/rootCA-key.pem").path)
        try FileManager.default.createSymbolicLink(atPath: media.appendingPathComponent("ca").path, withDestinationPath: server.home.appendingPathComponent("ca").path)
        for path in ["/media/../ca/rootCA-key.pem", "/media/%2e%2e/ca/rootCA-key.pem", "/media/article-images%2f..%2f..%2fca%2frootCA-key.pem",
                     "/media/article-images/key.pem", "/media/ca/rootCA-key.pem", "/media/..%2fpostern.sqlite", "/media/.staging/",
                     "/media/article-images/", "/media/", "/media/article-images/..%5c..%5cpostern.sqlite"] {
            let response = try await curl("\(server.base)\(path)", ["--path-as-is"])
            #expect(response.status == 404, "\(path) answered \(response.status)")
            #expect(!response.text.contains("PRIVATE KEY"))
        }
    }

    @Test func hostsOffTheListAreRefusedAndForwardedHeadersFollowTheRules() async throws {
        try await server.waitUntilListening()
        let evil = try await curl("\(server.base)/blog/", ["-H", "Host: evil.example"])
        #expect(evil.status == 400 && (object(evil)["detail"] as? String)?.contains("evil.example") == true)
        #expect(try await curl("\(server.base)/blog/", ["-H", "X-Forwarded-Host: evil.example"]).status == 400)
        let created = try await curl("\(server.base)/blog/", ["-H", "Content-Type: application/json", "--data-binary", #"{"title":"t","content":"c"}"#])
        #expect(created.status == 201)
        // curl is on loopback, a trusted proxy by default: X-Forwarded-Proto is believed, as Django does behind a proxy.
        #expect(try await curl("\(server.base)/", ["-H", "X-Forwarded-Proto: http"]).text == "{\"blog\":\"http://127.0.0.1:\(server.port)/blog/\"}")
    }
}
