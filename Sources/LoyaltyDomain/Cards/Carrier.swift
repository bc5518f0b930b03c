/// What a member presents at the till to be recognised.
public enum CarrierKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// A contactless chip's UID, as uppercase hex.
    case uid
    /// A magnetic stripe track of a store card.
    case track
    /// A printed or on-screen barcode.
    case barcode
    /// A phone number typed by the cashier, normalised.
    case phone
}

/// A carrier value, normalised so that the same card always gives the same key.
public struct Carrier: Sendable, Hashable, CustomStringConvertible {
    public let kind: CarrierKind
    public let value: String

    /// The longest carrier value accepted, in bytes (a QR code or a full track fits).
    public static let maximumLength = IdentifierField.carrierValue.maximumBytes

    /// Normalises and checks a carrier: UIDs become uppercase hex without separators,
    /// phones become `+` and digits, barcodes and tracks are kept as printable ASCII.
    ///
    /// This is the only way to make a carrier, so every door (till, readers, technician commands,
    /// member import, chain sync) refuses the same values. A bank card's stripe data, as a track or
    /// typed as a barcode, is refused with its last four digits at most: it is never stored.
    public init(kind: CarrierKind, value raw: String) throws(CarrierError) {
        self.kind = kind
        switch kind {
        case .uid:
            let hex = raw.filter { $0 != ":" && $0 != " " && $0 != "-" }.uppercased()
            guard (8...20).contains(hex.count), hex.count % 2 == 0, hex.allSatisfy({ $0.isASCII && $0.isHexDigit }) else {
                throw .invalid(kind, "a UID is 4 to 10 bytes of hex, like 04A1B2C3D4E5F6")
            }
            value = hex
        case .phone:
            value = try PhoneNumber.normalise(raw)
        case .track, .barcode:
            guard (1...Self.maximumLength).contains(raw.utf8.count),
                  raw.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F })
            else { throw .invalid(kind, "expected 1 to \(Self.maximumLength) printable ASCII characters") }
            if let lastFour = MagneticTrack.paymentCardLastFour(inTypedText: raw) {
                throw .bankCard(lastFour: lastFour)
            }
            value = raw
        }
    }

    /// The form that may appear in logs and the event log: all but the last four characters hidden.
    public var masked: String {
        let visible = 4
        guard value.count > visible else { return "\(kind.rawValue):" + String(repeating: "*", count: value.count) }
        return "\(kind.rawValue):" + String(repeating: "*", count: value.count - visible) + value.suffix(visible)
    }

    /// Carriers print masked, so that string interpolation into a log line can never leak one.
    public var description: String { masked }
}

/// A carrier that could not be accepted.
public enum CarrierError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(CarrierKind, String)
    /// A payment card's stripe data: only its last four digits are kept, for the cashier.
    case bankCard(lastFour: String)

    public var description: String {
        switch self {
        case .invalid(let kind, let why): "invalid \(kind.rawValue) carrier: \(why)"
        case .bankCard(let lastFour): "a bank card ending \(lastFour) cannot identify a member; it was not kept"
        }
    }
}

/// Phone numbers as the program stores them: `+` and country code when given, digits only.
public enum PhoneNumber {
    /// Strips spaces, dashes, dots and parentheses; `00` becomes `+`; 6 to 15 digits remain.
    public static func normalise(_ raw: String) throws(CarrierError) -> String {
        var text = raw.filter { !" -.()/\t".contains($0) }
        var international = false
        if text.hasPrefix("+") {
            international = true
            text.removeFirst()
        } else if text.hasPrefix("00") {
            international = true
            text.removeFirst(2)
        }
        guard (6...15).contains(text.count), text.allSatisfy(\.isASCIIDigit) else {
            throw .invalid(.phone, "a phone number is 6 to 15 digits, optionally starting with +")
        }
        return international ? "+" + text : text
    }
}
