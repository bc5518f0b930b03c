import ArgumentParser
import LoyaltyDomain

/// A card on the command line, written `kind:value`: `uid:04A1B2C3D4E5F6`, `track:6001234567`,
/// `barcode:2900000012349` or `phone:+4915123456789`. The value goes through the domain's
/// ``Carrier`` constructor, as the till protocol's does (docs/protocol.md §3.3); the member list's
/// `card` column uses the same syntax.
///
/// Parsing never fails inside the argument parser: a refused card is kept and thrown from
/// `validate()` instead, because the parser's own error repeats the typed value, and a bank card's
/// number must never be printed back.
struct CardArgument: ExpressibleByArgument, Sendable {
    private let parsed: Result<Carrier, ValidationError>

    init(argument: String) {
        do {
            parsed = .success(try CarrierArgument.parse(argument))
        } catch {
            parsed = .failure(error)
        }
    }

    /// The card, or the refusal as a ``ValidationError`` (exit status 64) that does not echo the value.
    func carrier() throws(ValidationError) -> Carrier { try parsed.get() }
}

enum CarrierArgument {
    static let help = "kind:value, kind being uid, track, barcode or phone (uid:04A1B2C3D4E5F6, phone:+4915123456789)"

    /// The carrier, or a ``ValidationError`` saying what is wrong without echoing the value.
    static func parse(_ text: String) throws(ValidationError) -> Carrier {
        guard let colon = text.firstIndex(of: ":"), let kind = CarrierKind(rawValue: String(text[..<colon])) else {
            throw ValidationError("expected \(help)")
        }
        do {
            return try Carrier(kind: kind, value: String(text[text.index(after: colon)...]))
        } catch {
            throw ValidationError("--card: \(error)")
        }
    }

    /// How a carrier is written back: `kind:value`, in full.
    static func text(_ carrier: Carrier) -> String { "\(carrier.kind.rawValue):\(carrier.value)" }
}

/// Options that accept a phone number, normalised as carriers are.
enum PhoneArgument {
    static func parse(_ text: String) throws -> String {
        do {
            return try PhoneNumber.normalise(text)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// Identifiers and names given to technician commands, checked by the domain as the till's are.
enum TextArgument {
    /// The identifier unchanged, or a ``ValidationError`` naming the option.
    static func identifier(_ text: String, _ field: IdentifierField, option: String) throws(ValidationError) -> String {
        do {
            return try TextCheck.identifier(text, field)
        } catch {
            throw ValidationError(TextError(field: option, problem: error.problem).description)
        }
    }

    /// A name or other free text; `""` is no text.
    static func freeText(_ text: String, option: String, maximumBytes: Int = 200) throws(ValidationError) -> String? {
        do {
            return try TextCheck.freeText(text, field: option, maximumBytes: maximumBytes)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
