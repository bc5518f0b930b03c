import ArgumentParser
import LoyaltyDomain

/// A card on the command line, written `kind:value`: `uid:04A1B2C3D4E5F6`, `track:6001234567`,
/// `barcode:2900000012349` or `phone:+4915123456789`. The value is normalised as the till
/// protocol does (docs/protocol.md §3.3); the member list's `card` column uses the same syntax.
enum CarrierArgument {
    static let help = "kind:value, kind being uid, track, barcode or phone (uid:04A1B2C3D4E5F6, phone:+4915123456789)"

    /// The carrier, or a ``ValidationError`` (exit status 64) saying what is wrong without echoing the value.
    static func parse(_ text: String) throws -> Carrier {
        guard let colon = text.firstIndex(of: ":"), let kind = CarrierKind(rawValue: String(text[..<colon])) else {
            throw ValidationError("expected \(help)")
        }
        do {
            return try Carrier(kind: kind, value: String(text[text.index(after: colon)...]))
        } catch {
            throw ValidationError("\(error)")
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
