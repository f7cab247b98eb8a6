extension String {
    /// The text with `& < > " '` escaped, safe in HTML text and quoted attributes.
    ///
    /// Works on the UTF-8 bytes (all five are ASCII, and no other byte of
    /// UTF-8 equals one of them): the relay's status pages escape the host a
    /// client sent, for every request to a name it does not serve.
    var htmlEscaped: String {
        guard utf8.contains(where: Self.needsEscaping) else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            case UInt8(ascii: "\""): out += "&quot;".utf8
            case UInt8(ascii: "'"): out += "&#39;".utf8
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }
}
