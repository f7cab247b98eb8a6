import Blog

/// DRF's `SimpleMetadata` answer to OPTIONS: the view's name, what it renders
/// and parses, and — for the methods that take a body — each field's type,
/// whether it is required or read-only, its label and its maximum length.
enum OptionsMetadata {
    /// `action` is `POST` on the list and `PUT` on an existing article; `nil` leaves `actions` out,
    /// as DRF does when the article does not exist.
    static func json(name: String, action: String?) -> [UInt8] {
        var json = JSONWriter(capacity: 700)
        json.object { json in
            json.key("name"); json.string(name)
            json.key("description"); json.string("")
            json.key("renders"); json.array { json in for renderer in Renderer.all { json.string(renderer.mediaType) } }
            json.key("parses"); json.array { json in
                for type in ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"] { json.string(type) }
            }
            if let action {
                json.key("actions")
                json.object { json in
                    json.key(action)
                    json.object { json in
                        field(&json, "id", type: "integer", required: false, readOnly: true, label: "ID", maxLength: nil)
                        field(&json, "title", type: "string", required: true, readOnly: false, label: "Title", maxLength: Article.Limits.title)
                        field(&json, "content", type: "string", required: true, readOnly: false, label: "Content", maxLength: Article.Limits.content)
                        field(&json, "date", type: "datetime", required: false, readOnly: true, label: "Date", maxLength: nil)
                        field(&json, "image", type: "image upload", required: false, readOnly: false, label: "Image", maxLength: Article.Limits.imageName)
                    }
                }
            }
        }
        return json.bytes
    }

    private static func field(_ json: inout JSONWriter, _ name: String, type: String, required: Bool, readOnly: Bool, label: String, maxLength: Int?) {
        json.key(name)
        json.object { json in
            json.key("type"); json.string(type)
            json.key("required"); json.bool(required)
            json.key("read_only"); json.bool(readOnly)
            json.key("label"); json.string(label)
            if let maxLength { json.key("max_length"); json.int(Int64(maxLength)) }
        }
    }
}
