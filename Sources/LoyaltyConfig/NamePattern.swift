/// A reader name pattern as `fnmatch(3)` reads it without flags (`*`, `?`, `[…]`, `\` escapes),
/// parsed so that `config check` can tell whether two patterns could match one name.
struct NamePattern {
    /// The characters one position accepts.
    struct CharacterSet {
        /// Accepts every character but those in `ranges` when set; only those in `ranges` otherwise.
        var negated: Bool
        var ranges: [ClosedRange<UInt32>]

        static let any = CharacterSet(negated: true, ranges: [])

        static func only(_ scalar: Unicode.Scalar) -> CharacterSet {
            CharacterSet(negated: false, ranges: [scalar.value...scalar.value])
        }

        /// Whether some character is in both sets (the alphabet is never exhausted by a negated set).
        func intersects(_ other: CharacterSet) -> Bool {
            switch (negated, other.negated) {
            case (true, true): return true
            case (false, false): return ranges.contains { mine in other.ranges.contains { $0.overlaps(mine) } }
            case (true, false): return other.hasCharacter(outside: ranges)
            case (false, true): return hasCharacter(outside: other.ranges)
            }
        }

        /// Whether one of this (positive) set's characters lies outside all of `excluded`.
        private func hasCharacter(outside excluded: [ClosedRange<UInt32>]) -> Bool {
            let sorted = excluded.sorted { $0.lowerBound < $1.lowerBound }
            return ranges.contains { range in
                var next = range.lowerBound  // the lowest character of `range` not yet known to be excluded
                for gap in sorted where gap.lowerBound <= next && gap.upperBound >= next {
                    if gap.upperBound >= range.upperBound { return false }
                    next = gap.upperBound + 1
                }
                return !sorted.contains { $0.contains(next) }
            }
        }
    }

    enum Element {
        /// `*`: any run of characters, none included.
        case anyRun
        case one(CharacterSet)
    }

    let elements: [Element]

    init(_ pattern: String) {
        elements = Self.parse(Array(pattern.unicodeScalars))
    }

    init(elements: [Element]) {
        self.elements = elements
    }

    /// Whether some name matches both patterns.
    func couldMatchTheSameName(as other: NamePattern) -> Bool {
        let mine = elements, theirs = other.elements
        var seen = Set<[Int]>()
        var pending = [[0, 0]]
        while let state = pending.popLast() {
            guard seen.insert(state).inserted else { continue }
            let (i, j) = (state[0], state[1])
            if i == mine.count, j == theirs.count { return true }
            if i < mine.count, case .anyRun = mine[i] {
                pending.append([i + 1, j])  // the run is empty
                if j < theirs.count { pending.append([i, j + 1]) }  // the run takes their next element
            }
            if j < theirs.count, case .anyRun = theirs[j] {
                pending.append([i, j + 1])
                if i < mine.count { pending.append([i + 1, j]) }
            }
            if i < mine.count, j < theirs.count, case .one(let a) = mine[i], case .one(let b) = theirs[j], a.intersects(b) {
                pending.append([i + 1, j + 1])
            }
        }
        return false
    }

    private static func parse(_ scalars: [Unicode.Scalar]) -> [Element] {
        var elements: [Element] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "*": elements.append(.anyRun)
            case "?": elements.append(.one(.any))
            case "\\" where index < scalars.count:
                elements.append(.one(.only(scalars[index])))
                index += 1
            case "[":
                if let (set, end) = bracket(scalars, from: index) {
                    elements.append(.one(set))
                    index = end
                } else {
                    elements.append(.one(.only("[")))  // no closing bracket: a plain `[`
                }
            default: elements.append(.one(.only(scalar)))
            }
        }
        return elements
    }

    /// The set a bracket expression starting after its `[` at `start` accepts, and the index after
    /// its `]`; `nil` when it is not closed. A named class (`[:alpha:]`) is taken as any character,
    /// which can only make `config check` stricter.
    private static func bracket(_ scalars: [Unicode.Scalar], from start: Int) -> (CharacterSet, Int)? {
        var index = start
        var negated = false
        if index < scalars.count, scalars[index] == "!" || scalars[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var namedClass = false
        var first = true
        while index < scalars.count {
            var low = scalars[index]
            if low == "]", !first { return (namedClass ? .any : CharacterSet(negated: negated, ranges: ranges), index + 1) }
            first = false
            if low == "[", index + 1 < scalars.count, scalars[index + 1] == ":" {
                namedClass = true
                guard let close = (index + 2..<scalars.count).first(where: { scalars[$0] == ":" && $0 + 1 < scalars.count && scalars[$0 + 1] == "]" }) else { return nil }
                index = close + 2
                continue
            }
            if low == "\\", index + 1 < scalars.count {
                index += 1
                low = scalars[index]
            }
            if index + 2 < scalars.count, scalars[index + 1] == "-", scalars[index + 2] != "]" {
                let high = scalars[index + 2]
                if low.value <= high.value { ranges.append(low.value...high.value) }
                index += 3
            } else {
                ranges.append(low.value...low.value)
                index += 1
            }
        }
        return nil
    }
}
