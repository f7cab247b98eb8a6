/// A parsed JSON document, objects keeping their key order.
public enum JSONValue: Sendable, Equatable {
    case string(String)
    /// A number, written as Python's `str()` would write it (what DRF stores in a `CharField`).
    case number(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)), (.number(let a), .number(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        default: false
        }
    }

    /// The value of `key` in an object (the last one, as Python keeps duplicates).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    /// Python's type name, used in DRF's "Expected a dictionary, but got …" message.
    public var pythonTypeName: String {
        switch self {
        case .string: "str"
        case .number(let text): text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? "float" : "int"
        case .bool: "bool"
        case .null: "NoneType"
        case .array: "list"
        case .object: "dict"
        }
    }
}
