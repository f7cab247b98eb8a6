@testable import BlogAPI
import Blog
import Testing

@Suite struct JSONWriterTests {
    private func text(_ build: (inout JSONWriter) -> Void) -> String {
        var json = JSONWriter()
        build(&json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    @Test func keepsKeyOrderAndIsCompact() {
        let article = Article(id: 7, title: "Hi", content: "a/b", date: Timestamp(microseconds: 1_764_066_532_917_105), image: "article-images/x y.png")
        #expect(String(decoding: ArticleJSON.detail(article, origin: "https://127.0.0.1:8443"), as: UTF8.self)
            == #"{"id":7,"title":"Hi","content":"a/b","date":"2025-11-25T10:28:52.917105Z","image":"https://127.0.0.1:8443/media/article-images/x%20y.png"}"#)
        let plain = Article(id: 1, title: "t", content: "c", date: Timestamp(microseconds: 0), image: nil)
        #expect(String(decoding: ArticleJSON.list([plain, plain], origin: "o"), as: UTF8.self)
            == #"[{"id":1,"title":"t","content":"c","date":"1970-01-01T00:00:00Z","image":null},{"id":1,"title":"t","content":"c","date":"1970-01-01T00:00:00Z","image":null}]"#)
        #expect(String(decoding: ArticleJSON.list([], origin: "o"), as: UTF8.self) == "[]")
    }

    @Test func escapesOnlyWhatPythonEscapes() {
        #expect(text { $0.string("é ☃ \"q\" \\ \n\t\u{01}\u{7F}") } == "\"é ☃ \\\"q\\\" \\\\ \\n\\t\\u0001\u{7F}\"")
        #expect(text { $0.string("a\u{2028}b\u{2029}c") } == "\"a\\u2028b\\u2029c\"")
        #expect(text { $0.string("€") } == "\"€\"")
    }

    @Test func nestsObjectsAndArrays() {
        let out = text { json in
            json.object { json in
                json.key("a"); json.array { json in json.int(1); json.null(); json.bool(true) }
                json.key("b"); json.object { json in json.key("c"); json.string("d") }
                json.key("e"); json.int(-2)
            }
        }
        #expect(out == #"{"a":[1,null,true],"b":{"c":"d"},"e":-2}"#)
    }
}

@Suite struct JSONParserTests {
    private func message(_ text: String) -> String? {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            return nil
        } catch {
            return error.description
        }
    }

    /// Expected texts are what CPython 3.11's json module says for the same input.
    @Test func errorsReadLikePythons() {
        #expect(message(#"{"title": "broken""#) == "Expecting ',' delimiter: line 1 column 19 (char 18)")
        #expect(message("") == "Expecting value: line 1 column 1 (char 0)")
        #expect(message("{") == "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)")
        #expect(message(#"{"a" 1}"#) == "Expecting ':' delimiter: line 1 column 6 (char 5)")
        #expect(message("[1,]") == "Expecting value: line 1 column 4 (char 3)")
        #expect(message(#"{"a":1,}"#) == "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)")
        #expect(message(#""abc"#) == "Unterminated string starting at: line 1 column 1 (char 0)")
        #expect(message("{\"a\":\"x\ny\"}") == "Invalid control character at: line 1 column 8 (char 7)")
        #expect(message(#"{"a":1} x"#) == "Extra data: line 1 column 9 (char 8)")
        #expect(message(#"{"a":"\q"}"#) == "Invalid \\escape: line 1 column 7 (char 6)")
        #expect(message("\n\n  {\"a\": tru}") == "Expecting value: line 3 column 9 (char 10)")
        #expect(message(#"{"a":"\u12"}"#) == "Invalid \\uXXXX escape: line 1 column 8 (char 7)")
        #expect(message("[1 2]") == "Expecting ',' delimiter: line 1 column 4 (char 3)")
    }

    @Test func parsesValuesKeepingOrderAndNumbersAsPythonPrintsThem() throws {
        let value = try JSONParser.parse(Array(#"{"b": 1, "a": [true, null, 1.5, 1e16, "\u00e9\ud83d\ude00"], "b": -0}"#.utf8))
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.0) == ["b", "a", "b"])
        #expect(value["b"] == .number("0"))
        #expect(value["a"] == .array([.bool(true), .null, .number("1.5"), .number("1e+16"), .string("é😀")]))
    }

    @Test func refusesNonFiniteConstantsAsDRFDoes() {
        #expect(message("NaN") == "Out of range float values are not JSON compliant")
    }
}
