/// DRF's 400 answer: each field that failed, in the serializer's field order,
/// with its messages; `non_field_errors` for problems with the whole body.
public struct ValidationErrors: Error, Sendable, Equatable {
    public private(set) var fields: [(name: String, messages: [String])] = []

    public init() {}

    public init(field: String, message: String) {
        add(field, message)
    }

    public var isEmpty: Bool { fields.isEmpty }

    public mutating func add(_ field: String, _ message: String) {
        if let index = fields.firstIndex(where: { $0.name == field }) {
            fields[index].messages.append(message)
        } else {
            fields.append((field, [message]))
        }
    }

    public static func == (lhs: ValidationErrors, rhs: ValidationErrors) -> Bool {
        lhs.fields.map(\.name) == rhs.fields.map(\.name) && lhs.fields.map(\.messages) == rhs.fields.map(\.messages)
    }

    /// DRF's messages, word for word: clients match on them.
    public enum Message {
        public static let required = "This field is required."
        public static let blank = "This field may not be blank."
        public static let null = "This field may not be null."
        public static let notAString = "Not a valid string."
        public static let nullCharacters = "Null characters are not allowed."
        public static let surrogates = "Surrogate characters are not allowed."
        public static func tooLong(_ limit: Int) -> String { "Ensure this field has no more than \(limit) characters." }
        public static let invalidImage = "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
        public static let notAFile = "The submitted data was not a file. Check the encoding type on the form."
        public static let noFileName = "No filename could be determined."
        public static let emptyFile = "The submitted file is empty."
        public static func fileNameTooLong(_ limit: Int, _ length: Int) -> String {
            "Ensure this filename has at most \(limit) characters (it has \(length))."
        }
        public static func notADictionary(_ type: String) -> String {
            "Invalid data. Expected a dictionary, but got \(type)."
        }
    }
}
