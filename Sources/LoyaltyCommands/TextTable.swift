import Foundation

/// A plain text table with a header row and columns padded to their widest cell, for terminals.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: [String]) {
        self.headers = headers
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    /// The table's lines, each indented by `indent` spaces; trailing spaces removed.
    func lines(indent: Int = 0) -> [String] {
        var widths = headers.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() where column < widths.count { widths[column] = max(widths[column], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = String(repeating: " ", count: indent)
            for (column, cell) in cells.enumerated() {
                text += column == cells.count - 1 ? cell : cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        return [line(headers)] + rows.map(line)
    }
}
