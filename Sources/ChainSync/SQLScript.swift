/// A migration file cut into its statements, since PostgreSQL's extended protocol (which
/// PostgresNIO speaks) takes one statement at a time. Semicolons inside quotes, quoted identifiers,
/// dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`) and comments do not end a statement.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        let text = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0
        func flush() {
            let statement = String(current).trimmingCharacters(in: .whitespacesAndNewlines)
            if !statement.isEmpty { statements.append(statement) }
            current = String.UnicodeScalarView()
        }
        func starts(with marker: [Unicode.Scalar], at position: Int) -> Bool {
            position + marker.count <= text.count && Array(text[position..<position + marker.count]) == marker
        }
        while index < text.count {
            let scalar = text[index]
            if scalar == "-", starts(with: ["-", "-"], at: index) {
                while index < text.count, text[index] != "\n" { index += 1 }
                continue
            }
            if scalar == "/", starts(with: ["/", "*"], at: index) {
                index += 2
                while index < text.count, !starts(with: ["*", "/"], at: index) { index += 1 }
                index = min(text.count, index + 2)
                continue
            }
            if scalar == "'" || scalar == "\"" {
                current.append(scalar)
                index += 1
                while index < text.count {
                    current.append(text[index])
                    if text[index] == scalar {
                        // A doubled quote is a quote inside the string.
                        if index + 1 < text.count, text[index + 1] == scalar {
                            current.append(text[index + 1])
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    index += 1
                }
                continue
            }
            if scalar == "$", let tag = dollarTag(text, at: index) {
                current.append(contentsOf: tag)
                index += tag.count
                while index < text.count, !starts(with: tag, at: index) {
                    current.append(text[index])
                    index += 1
                }
                if index < text.count {
                    current.append(contentsOf: tag)
                    index += tag.count
                }
                continue
            }
            if scalar == ";" {
                flush()
                index += 1
                continue
            }
            current.append(scalar)
            index += 1
        }
        flush()
        return statements
    }

    /// `$$` or `$name$` starting at `position`, or `nil` (a `$1` parameter is not a tag).
    private static func dollarTag(_ text: [Unicode.Scalar], at position: Int) -> [Unicode.Scalar]? {
        var end = position + 1
        while end < text.count, text[end] == "_" || text[end].properties.isAlphabetic || (end > position + 1 && text[end].properties.numericType != nil) {
            end += 1
        }
        guard end < text.count, text[end] == "$" else { return nil }
        return Array(text[position...end])
    }
}
