import LoyaltyDomain

/// Reads a method's named parameters with messages a till developer can act on
/// ("total: expected a decimal string like \"12.50\", got number"), and refuses unknown names
/// so that a misspelt `redeem_points` is an error rather than silently ignored.
public struct ParameterReader {
    private let members: [(String, JSONValue)]
    private let path: String

    public init(_ params: JSONValue?, allowed: Set<String>, path: String = "") throws(RPCError) {
        switch params {
        case nil: members = []
        case .object(let values)?: members = values
        case .array(let values)? where values.isEmpty: members = []
        case .array?:
            throw .invalidParams(path.isEmpty ? "params must be an object with named parameters" : "\(path.dropLast()) must be an object, got array")
        case let other?:
            throw .invalidParams("\(path.isEmpty ? "params" : String(path.dropLast())) must be an object, got \(other.typeName)")
        }
        self.path = path
        if let unknown = members.first(where: { !allowed.contains($0.0) }) {
            let known = allowed.sorted().joined(separator: ", ")
            throw .invalidParams("unknown parameter \(path)\(unknown.0) (known: \(known))")
        }
    }

    private func value(_ key: String) -> JSONValue? {
        members.first(where: { $0.0 == key }).map(\.1).flatMap { $0 == .null ? nil : $0 }
    }

    public func has(_ key: String) -> Bool { value(key) != nil }

    private func wrong(_ key: String, _ expected: String, _ got: JSONValue) -> RPCError {
        .invalidParams("\(path)\(key): expected \(expected), got \(got.typeName)")
    }

    public func optionalString(_ key: String, maxLength: Int = 256) throws(RPCError) -> String? {
        guard let found = value(key) else { return nil }
        guard case .string(let text) = found else { throw wrong(key, "a string", found) }
        guard text.utf8.count <= maxLength else { throw .invalidParams("\(path)\(key): longer than \(maxLength) bytes") }
        return text
    }

    public func string(_ key: String, maxLength: Int = 256) throws(RPCError) -> String {
        guard let text = try optionalString(key, maxLength: maxLength) else { throw .invalidParams("\(path)\(key) is required") }
        guard !text.isEmpty else { throw .invalidParams("\(path)\(key) must not be empty") }
        return text
    }

    /// An identifier (`till_id`, `sku`, …), checked by the domain's ``TextCheck``: a refusal names
    /// the field as the till sent it (`lines[2].sku: holds the control character U+001B; …`).
    public func optionalIdentifier(_ key: String, _ field: IdentifierField) throws(RPCError) -> String? {
        guard let text = try optionalString(key, maxLength: .max) else { return nil }
        do {
            return try TextCheck.identifier(text, field)
        } catch {
            throw .invalidParams(TextError(field: path + key, problem: error.problem).description)
        }
    }

    /// A required identifier; see ``optionalIdentifier(_:_:)``.
    public func identifier(_ key: String, _ field: IdentifierField) throws(RPCError) -> String {
        guard let text = try optionalIdentifier(key, field) else { throw .invalidParams("\(path)\(key) is required") }
        return text
    }

    /// Free text such as a name: printable, at most `maximumBytes`; `""` is the same as absent.
    public func optionalFreeText(_ key: String, maximumBytes: Int) throws(RPCError) -> String? {
        guard let text = try optionalString(key, maxLength: .max) else { return nil }
        do {
            return try TextCheck.freeText(text, field: path + key, maximumBytes: maximumBytes)
        } catch {
            throw .invalidParams(error.description)
        }
    }

    public func optionalBool(_ key: String) throws(RPCError) -> Bool? {
        guard let found = value(key) else { return nil }
        guard case .bool(let flag) = found else { throw wrong(key, "true or false", found) }
        return flag
    }

    /// Money as a decimal string in the store's currency; JSON numbers are refused on purpose.
    public func optionalMoney(_ key: String, currency: Currency) throws(RPCError) -> Money? {
        guard let found = value(key) else { return nil }
        guard case .string(let text) = found else {
            throw .invalidParams("\(path)\(key): expected a decimal string like \"12.50\", got \(found.typeName)")
        }
        do {
            return try currency.parse(text)
        } catch {
            throw .invalidParams("\(path)\(key): \(error)")
        }
    }

    public func money(_ key: String, currency: Currency) throws(RPCError) -> Money {
        guard let amount = try optionalMoney(key, currency: currency) else { throw .invalidParams("\(path)\(key) is required") }
        return amount
    }

    /// Whole points as a JSON integer.
    public func optionalPoints(_ key: String) throws(RPCError) -> Points? {
        guard let found = value(key) else { return nil }
        guard let number = found.int64 else { throw wrong(key, "a whole number of points", found) }
        guard number >= 0 else { throw .invalidParams("\(path)\(key): must not be negative") }
        return Points(number)
    }

    /// A carrier object `{"kind": "uid"|"track"|"barcode", "value": "…"}`.
    public func optionalCarrier(_ key: String, kinds: Set<CarrierKind> = [.uid, .track, .barcode]) throws(RPCError) -> Carrier? {
        guard let found = value(key) else { return nil }
        let reader = try ParameterReader(found, allowed: ["kind", "value"], path: "\(path)\(key).")
        let kindText = try reader.string("kind", maxLength: 16)
        guard let kind = CarrierKind(rawValue: kindText), kinds.contains(kind) else {
            let names = kinds.map(\.rawValue).sorted().joined(separator: ", ")
            throw .invalidParams("\(path)\(key).kind: \"\(kindText)\" is not one of \(names)")
        }
        do {
            return try Carrier(kind: kind, value: try reader.string("value", maxLength: Carrier.maximumLength))
        } catch {
            throw .invalidParams("\(path)\(key): \(error)")
        }
    }

    public func optionalArray(_ key: String, maxCount: Int) throws(RPCError) -> [JSONValue]? {
        guard let found = value(key) else { return nil }
        guard case .array(let elements) = found else { throw wrong(key, "an array", found) }
        guard elements.count <= maxCount else { throw .invalidParams("\(path)\(key): at most \(maxCount) elements") }
        return elements
    }
}
