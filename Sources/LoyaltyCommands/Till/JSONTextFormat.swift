import TillProtocol

/// Any JSON result as readable lines, without knowing its fields: `key: value` per member, nested
/// objects indented, and arrays of objects (a quote's `rules`, and whatever the rules engine adds)
/// as a table with one column per key. New result fields therefore show without a code change.
enum JSONTextFormat {
    static func lines(_ value: JSONValue, indent: Int = 0) -> [String] {
        let pad = String(repeating: " ", count: indent)
        guard case .object(let members) = value else { return [pad + scalar(value)] }
        var lines: [String] = []
        for (key, member) in members {
            switch member {
            case .object(let nested) where !nested.isEmpty:
                lines.append("\(pad)\(key):")
                lines += self.lines(member, indent: indent + 2)
            case .array(let elements) where !elements.isEmpty && elements.allSatisfy(isObject):
                lines.append("\(pad)\(key):")
                lines += table(elements).lines(indent: indent + 2)
            case .array(let elements):
                lines.append("\(pad)\(key): \(elements.isEmpty ? "(none)" : elements.map(scalar).joined(separator: ", "))")
            default:
                lines.append("\(pad)\(key): \(scalar(member))")
            }
        }
        return lines
    }

    /// One cell: strings without quotes, `-` for null, anything nested as compact JSON.
    static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .null: "-"
        case .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .array, .object: JSONWriter.string(of: value)
        }
    }

    private static func isObject(_ value: JSONValue) -> Bool {
        if case .object = value { return true }
        return false
    }

    /// Columns are every key of the objects, in the order first seen.
    private static func table(_ objects: [JSONValue]) -> TextTable {
        var keys: [String] = []
        for case .object(let members) in objects {
            for (key, _) in members where !keys.contains(key) { keys.append(key) }
        }
        var table = TextTable(keys)
        for object in objects { table.append(keys.map { key in object[key].map(scalar) ?? "" }) }
        return table
    }
}
