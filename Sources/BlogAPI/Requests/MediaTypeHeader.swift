/// A `type/subtype; name=value` header (Content-Type, Content-Disposition),
/// split into its lower-cased essence and its parameters.
struct MediaTypeHeader {
    let essence: String
    let parameters: [String: String]

    init(_ header: String) {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped { current.append(character); escaped = false; continue }
            if quoted && character == "\\" { escaped = true; continue }
            if character == "\"" { quoted.toggle(); continue }
            if character == ";" && !quoted { pieces.append(current); current = ""; continue }
            current.append(character)
        }
        pieces.append(current)
        essence = pieces[0].trimmingSpaces().lowercased()
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let key = piece[..<equals].trimmingSpaces().lowercased()
            parameters[key] = piece[piece.index(after: equals)...].trimmingSpaces()
        }
        self.parameters = parameters
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
