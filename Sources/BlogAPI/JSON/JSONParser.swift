/// A JSON parser whose errors read like Python's `json` module, because DRF
/// answers a malformed body with `JSON parse error - <Python's message>` and
/// clients show that text: `Expecting ',' delimiter: line 1 column 19 (char 18)`.
///
/// Positions count Unicode scalars, as Python counts characters.
///
/// ```swift
/// let value = try JSONParser.parse(Array(#"{"title": "Hi"}"#.utf8))
/// ```
public struct JSONParser {
    /// A parse failure; `description` is Python's message.
    public struct SyntaxError: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    private let text: [Unicode.Scalar]
    private var index = 0
    private var depth = 0

    private init(_ text: [Unicode.Scalar]) { self.text = text }

    public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            let position = Self.firstInvalidUTF8(bytes)
            throw SyntaxError(description: "'utf-8' codec can't decode byte 0x\(String(bytes[position], radix: 16)) in position \(position): invalid start byte")
        }
        var scalars = Array(decoded.unicodeScalars)
        // Python's utf-8 reader keeps a BOM and json.loads rejects it; DRF decodes with 'utf-8' too.
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var parser = JSONParser(scalars)
        parser.skipWhitespace()
        let value = try parser.value()
        parser.skipWhitespace()
        if parser.index != parser.text.count { throw parser.error("Extra data", at: parser.index) }
        return value
    }

    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var low = 0, high = bytes.count
        while low < high {
            let mid = (low + high + 1) / 2
            var prefixOK = String(validating: bytes[0..<mid], as: UTF8.self) != nil
            if !prefixOK {
                // A prefix may end inside a valid multi-byte sequence: allow up to 3 more bytes.
                for extra in 1...3 where mid + extra <= bytes.count {
                    if String(validating: bytes[0..<(mid + extra)], as: UTF8.self) != nil { prefixOK = true; break }
                }
            }
            if prefixOK { low = mid } else { high = mid - 1 }
        }
        return min(low, bytes.count - 1)
    }

    private func error(_ message: String, at position: Int) -> SyntaxError {
        var line = 1, lineStart = -1
        for i in 0..<min(position, text.count) where text[i] == "\n" {
            line += 1
            lineStart = i
        }
        return SyntaxError(description: "\(message): line \(line) column \(position - lineStart) (char \(position))")
    }

    private var current: Unicode.Scalar? { index < text.count ? text[index] : nil }

    private mutating func skipWhitespace() {
        while let c = current, c == " " || c == "\t" || c == "\n" || c == "\r" { index += 1 }
    }

    private func matches(_ word: String) -> Bool {
        let scalars = Array(word.unicodeScalars)
        return index + scalars.count <= text.count && Array(text[index..<index + scalars.count]) == scalars
    }

    private mutating func value() throws(SyntaxError) -> JSONValue {
        guard let c = current else { throw error("Expecting value", at: index) }
        switch c {
        case "{": return try object()
        case "[": return try array()
        case "\"": return .string(try string())
        case "n" where matches("null"): index += 4; return .null
        case "t" where matches("true"): index += 4; return .bool(true)
        case "f" where matches("false"): index += 5; return .bool(false)
        case "N" where matches("NaN"), "I" where matches("Infinity"), "-" where matches("-Infinity"):
            // DRF's parser refuses the constants Python would otherwise accept.
            throw SyntaxError(description: "Out of range float values are not JSON compliant")
        case "-", "0"..."9":
            if let number = number() { return .number(number) }
            throw error("Expecting value", at: index)
        default:
            throw error("Expecting value", at: index)
        }
    }

    private mutating func object() throws(SyntaxError) -> JSONValue {
        index += 1
        depth += 1
        defer { depth -= 1 }
        guard depth < 512 else { throw error("Expecting value", at: index) }
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if current == "}" { index += 1; return .object([]) }
        while true {
            guard current == "\"" else { throw error("Expecting property name enclosed in double quotes", at: index) }
            let key = try string()
            skipWhitespace()
            guard current == ":" else { throw error("Expecting ':' delimiter", at: index) }
            index += 1
            skipWhitespace()
            members.append((key, try value()))
            skipWhitespace()
            if current == "}" { index += 1; return .object(members) }
            guard current == "," else { throw error("Expecting ',' delimiter", at: index) }
            index += 1
            skipWhitespace()
        }
    }

    private mutating func array() throws(SyntaxError) -> JSONValue {
        index += 1
        depth += 1
        defer { depth -= 1 }
        guard depth < 512 else { throw error("Expecting value", at: index) }
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == "]" { index += 1; return .array([]) }
        while true {
            elements.append(try value())
            skipWhitespace()
            if current == "]" { index += 1; return .array(elements) }
            guard current == "," else { throw error("Expecting ',' delimiter", at: index) }
            index += 1
            skipWhitespace()
        }
    }

    private mutating func string() throws(SyntaxError) -> String {
        let start = index
        index += 1
        var result = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw error("Unterminated string starting at", at: start) }
            index += 1
            switch c {
            case "\"":
                return String(result)
            case "\\":
                guard let escaped = current else { throw error("Unterminated string starting at", at: start) }
                switch escaped {
                case "\"", "\\", "/": result.append(escaped)
                case "b": result.append("\u{08}")
                case "f": result.append("\u{0C}")
                case "n": result.append("\n")
                case "r": result.append("\r")
                case "t": result.append("\t")
                case "u":
                    guard var code = hex4(at: index + 1) else { throw error("Invalid \\uXXXX escape", at: index) }
                    index += 5
                    if (0xD800...0xDBFF).contains(code), matches("\\u"), let low = hex4(at: index + 2), (0xDC00...0xDFFF).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                    // A lone surrogate cannot be a Swift string; DRF refuses it later anyway.
                    result.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    continue
                default:
                    throw error("Invalid \\escape", at: index - 1)
                }
                index += 1
            case "\u{00}"..."\u{1F}":
                throw error("Invalid control character at", at: index - 1)
            default:
                result.append(c)
            }
        }
    }

    private func hex4(at position: Int) -> UInt32? {
        guard position + 4 <= text.count else { return nil }
        var value: UInt32 = 0
        for scalar in text[position..<position + 4] {
            guard let digit = Int(String(scalar), radix: 16) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Python's number grammar; returns the text Python's `str()` gives the value.
    private mutating func number() -> String? {
        let start = index
        if current == "-" { index += 1 }
        guard let first = current, ("0"..."9").contains(first) else { index = start; return nil }
        index += 1
        if first != "0" { while let c = current, ("0"..."9").contains(c) { index += 1 } }
        var isFloat = false
        if current == ".", index + 1 < text.count, ("0"..."9").contains(text[index + 1]) {
            isFloat = true
            index += 1
            while let c = current, ("0"..."9").contains(c) { index += 1 }
        }
        if current == "e" || current == "E" {
            let mark = index
            index += 1
            if current == "+" || current == "-" { index += 1 }
            if let c = current, ("0"..."9").contains(c) {
                isFloat = true
                while let c = current, ("0"..."9").contains(c) { index += 1 }
            } else {
                index = mark
            }
        }
        let literal = String(String.UnicodeScalarView(text[start..<index]))
        guard isFloat else { return literal == "-0" ? "0" : literal }
        guard let double = Double(literal) else { return literal }
        return double.pythonDescription
    }
}

extension Double {
    /// `repr(float)` as Python writes it (`1e+16`, `100000.0`, `inf`).
    var pythonDescription: String {
        if isInfinite { return self < 0 ? "-inf" : "inf" }
        var text = description
        if let e = text.firstIndex(of: "e") {
            var mantissa = String(text[..<e])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            var exponent = String(text[text.index(after: e)...])
            let sign = exponent.hasPrefix("-") ? "-" : "+"
            exponent = String(exponent.drop(while: { $0 == "-" || $0 == "+" }))
            if exponent.count < 2 { exponent = "0" + exponent }
            text = "\(mantissa)e\(sign)\(exponent)"
        }
        return text
    }
}
