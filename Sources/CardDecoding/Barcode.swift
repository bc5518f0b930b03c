import LoyaltyDomain

/// Retail barcodes and the store's member barcode pattern.
public enum Barcode {
    /// Whether `digits` is a valid EAN-13, EAN-8 or UPC-A (12 digits): length and GS1 check digit.
    public static func hasValidGTINCheckDigit(_ digits: String) -> Bool {
        let values = digits.compactMap { $0.isASCIIDigit ? $0.wholeNumberValue : nil }
        guard values.count == digits.count, [8, 12, 13].contains(values.count) else { return false }
        // From the right, excluding the check digit: weights 3, 1, 3, 1 …
        let body = values.dropLast().reversed()
        let sum = body.enumerated().reduce(0) { total, item in total + item.element * (item.offset % 2 == 0 ? 3 : 1) }
        return (10 - sum % 10) % 10 == values.last
    }
}

/// Which scanned barcodes are member cards: a prefix, a length and a check digit, from the
/// configuration. Everything else (a product the scanner was pointed at) is not a member read.
public struct MemberBarcodePattern: Sendable, Hashable {
    public enum CheckDigit: String, Sendable, Hashable, CaseIterable {
        /// The GS1 check digit of EAN-13/EAN-8/UPC-A.
        case gtin
        case luhn
        case none
    }

    public var prefix: String
    /// The full length including prefix and check digit; `nil` accepts any length.
    public var length: Int?
    public var checkDigit: CheckDigit

    public init(prefix: String, length: Int?, checkDigit: CheckDigit) {
        self.prefix = prefix
        self.length = length
        self.checkDigit = checkDigit
    }

    /// The card number the barcode carries, or `nil` when it is not a member card.
    public func cardNumber(in scanned: String) -> String? {
        let code = scanned.trimmingPrefix(while: { $0 == " " })
        guard code.hasPrefix(prefix), length.map({ code.count == $0 }) ?? true,
              code.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { return nil }
        switch checkDigit {
        case .gtin: guard Barcode.hasValidGTINCheckDigit(String(code)) else { return nil }
        case .luhn: guard Luhn.isValid(String(code)) else { return nil }
        case .none: break
        }
        return String(code)
    }
}
