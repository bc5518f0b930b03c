import LoyaltyDomain
import Yams

/// A YAML node read with its key path, for sections too rich for Codable (the program's rules):
/// every accessor refuses what it does not expect with a ``ConfigProblem`` at the exact path.
struct ConfigNode {
    let node: Node?
    let path: [String]

    var isPresent: Bool { node != nil }

    subscript(key: String) -> ConfigNode {
        ConfigNode(node: node?.mapping?[key], path: path + [key])
    }

    func problem(_ message: String) -> ConfigProblem {
        ConfigProblem(path, message)
    }

    /// The mapping's keys, refusing keys not in `allowed`.
    @discardableResult
    func mapping(allowed: [String]) throws(ConfigProblem) -> [String] {
        guard let node else { return [] }
        guard let mapping = node.mapping else { throw problem("expected a mapping of keys (known keys: \(allowed.joined(separator: ", ")))") }
        var keys: [String] = []
        for (key, _) in mapping {
            let name = key.string ?? ""
            guard allowed.contains(name) else {
                throw ConfigProblem(path + [name], "unknown key (known keys here: \(allowed.joined(separator: ", ")))")
            }
            keys.append(name)
        }
        return keys
    }

    /// Key–value pairs of a mapping whose keys are free (such as tier names).
    func pairs() throws(ConfigProblem) -> [(String, ConfigNode)] {
        guard let node else { return [] }
        guard let mapping = node.mapping else { throw problem("expected a mapping such as {silver: \"5\", gold: \"10\"}") }
        return mapping.map { key, value in (key.string ?? "", ConfigNode(node: value, path: path + [key.string ?? ""])) }
    }

    func list() throws(ConfigProblem) -> [ConfigNode] {
        guard let node else { return [] }
        guard let sequence = node.sequence else { throw problem("expected a list") }
        return sequence.enumerated().map { ConfigNode(node: $1, path: path + [String($0)]) }
    }

    func text() throws(ConfigProblem) -> String? {
        guard let node else { return nil }
        guard let scalar = node.scalar else { throw problem("expected a single value") }
        return scalar.string
    }

    func requiredText() throws(ConfigProblem) -> String {
        guard let value = try text() else { throw problem("required key is missing") }
        return value
    }

    func texts() throws(ConfigProblem) -> [String] {
        var values: [String] = []
        for item in try list() { values.append(try item.requiredText()) }
        return values
    }

    func integer(in range: ClosedRange<Int>) throws(ConfigProblem) -> Int? {
        guard let text = try text() else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw problem("\"\(text)\" is not a whole number between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    func bool() throws(ConfigProblem) -> Bool? {
        guard let text = try text() else { return nil }
        switch text {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw problem("\"\(text)\" is not true or false")
        }
    }

    func percentage() throws(ConfigProblem) -> Percentage? {
        guard let text = try text() else { return nil }
        do { return try Percentage(parsing: text) } catch { throw problem(error.description) }
    }

    func money(_ currency: Currency) throws(ConfigProblem) -> Money? {
        guard let text = try text() else { return nil }
        let value: Money
        do { value = try currency.parse(text) } catch { throw problem(error.description) }
        guard value >= .zero else { throw problem("must not be negative") }
        return value
    }

    func points() throws(ConfigProblem) -> Points? {
        try integer(in: 0...1_000_000_000).map { Points(Int64($0)) }
    }

    func date() throws(ConfigProblem) -> CivilDate? {
        guard let text = try text() else { return nil }
        guard let date = CivilDate(parsing: text) else { throw problem("\"\(text)\" is not a date as YYYY-MM-DD") }
        return date
    }

    func oneOf<Choice: RawRepresentable & CaseIterable>(_: Choice.Type) throws(ConfigProblem) -> Choice? where Choice.RawValue == String {
        guard let text = try text() else { return nil }
        guard let choice = Choice(rawValue: text) else {
            throw problem("\"\(text)\" is not one of \(Choice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }

    /// A name such as a rule id, tier, group or category.
    func name() throws(ConfigProblem) -> String? {
        guard let text = try text() else { return nil }
        guard ConfigText.isName(text, maximumLength: 64, inner: "_.-", ends: "_.-") else {
            throw problem("\"\(text)\" must be 1 to 64 letters, digits, '-', '_' or '.'")
        }
        return text
    }

    /// `categories` and `skus` of a rule or an exclusion.
    func lineSelector() throws(ConfigProblem) -> LineSelector {
        var selector = LineSelector()
        for (key, field) in [("categories", IdentifierField.category), ("skus", .sku)] {
            for item in try self[key].list() {
                let value = try item.requiredText()
                // The same check as a till's lines[i].sku and category: a value no till can send
                // would make a rule that never matches.
                do {
                    _ = try TextCheck.identifier(value, field)
                } catch {
                    throw item.problem(error.description)
                }
                if key == "categories", value.contains("*"), !value.hasSuffix("/*") || value.dropLast(2).contains("*") || value == "/*" {
                    throw item.problem("\"\(value)\": a category pattern ends in /* after a category, as in dairy/*")
                }
                if key == "categories" { selector.categories.insert(value) } else { selector.skus.insert(value) }
            }
        }
        return selector
    }
}
