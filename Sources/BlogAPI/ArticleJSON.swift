import Blog

/// Articles as DRF's `ModelSerializer(fields="__all__")` renders them:
/// `id, title, content, date, image`, the image as an absolute URL under
/// the request's origin, or `null`.
enum ArticleJSON {
    static func write(_ article: Article, origin: String, into json: inout JSONWriter) {
        json.object { json in
            json.key("id"); json.int(article.id)
            json.key("title"); json.string(article.title)
            json.key("content"); json.string(article.content)
            json.key("date"); json.timestamp(article.date)
            json.key("image"); json.optionalString(article.image.map { imageURL($0, origin: origin) })
        }
    }

    static func detail(_ article: Article, origin: String) -> [UInt8] {
        var json = JSONWriter()
        write(article, origin: origin, into: &json)
        return json.bytes
    }

    static func list(_ articles: [Article], origin: String) -> [UInt8] {
        var json = JSONWriter(capacity: 64 + articles.count * 160)
        json.array { json in for article in articles { write(article, origin: origin, into: &json) } }
        return json.bytes
    }

    /// `origin/media/<name>`, the name percent-encoded as Django's `FieldFile.url` does.
    static func imageURL(_ name: String, origin: String) -> String {
        "\(origin)/media/\(URIEncoding.escapePath(name))"
    }
}

/// Percent-encoding of paths, as Python's `urllib.parse.quote(safe="/~")` does
/// (Django's `filepath_to_uri` adds `'()*!` to the safe set).
enum URIEncoding {
    static func escapePath(_ path: String) -> String {
        let safe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/'()*!".utf8)
        var out = ""
        for byte in path.utf8 {
            if safe.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }

    /// Decodes `%XX` escapes; `nil` for a malformed escape or bytes that are not UTF-8.
    static func decodePath(_ path: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(path.utf8)[...]
        while let byte = iterator.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard iterator.count >= 2, let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            iterator = iterator.dropFirst(2)
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
