/// What a magnetic stripe swipe was, decided once at the decoder so that a bank card's number
/// never travels further than this file.
public enum SwipedCard: Sendable, Hashable {
    /// A store card: its card number, to look up as a `track` carrier.
    case storeCard(number: String)
    /// A payment card swiped by mistake. Only the last four digits are kept, for the cashier.
    case bankCard(lastFour: String)
    /// Nothing usable on any track.
    case unreadable
}

/// ISO 7813 tracks: track 1 `%B<number>^<name>^<YYMM><service code>…?` and track 2
/// `;<number>=<YYMM><service code>…?`, tolerant of missing sentinels and of unreadable tracks.
public enum MagneticTrack {
    /// Decides what a swipe was from the tracks read (any may be missing or garbled).
    public static func classify(track1: String?, track2: String?, track3: String? = nil) -> SwipedCard {
        let first = track1.flatMap(parseTrack1)
        let second = track2.flatMap(parseTrack2)
        // A payment card on any track makes the whole swipe a payment card.
        for parsed in [first, second].compactMap({ $0 }) where parsed.isPaymentCard {
            return .bankCard(lastFour: String(parsed.number.suffix(4)))
        }
        if let second, !second.number.isEmpty { return .storeCard(number: second.number) }
        if let first, !first.number.isEmpty { return .storeCard(number: first.number) }
        if let third = track3.map(stripSentinels), !third.isEmpty, third.allSatisfy(\.isASCIIDigitOrLetter) {
            return .storeCard(number: third)
        }
        return .unreadable
    }

    struct Parsed: Equatable {
        var number: String
        var formatCodeB: Bool
        var hasServiceCode: Bool

        /// 13 to 19 digits passing Luhn, with format code B or an expiry and service code.
        var isPaymentCard: Bool {
            (13...19).contains(number.count) && number.allSatisfy(\.isASCIIDigit) && Luhn.isValid(number)
                && (formatCodeB || hasServiceCode)
        }
    }

    static func stripSentinels(_ raw: String) -> String {
        var text = Substring(raw.filter { $0 != "\r" && $0 != "\n" })
        if let first = text.first, first == "%" || first == ";" { text = text.dropFirst() }
        if let end = text.firstIndex(of: "?") { text = text[..<end] }  // what follows is the LRC
        return String(text)
    }

    /// Readers in keyboard mode type `%E?` or `;E?` for a track they could not read.
    static let unreadableTrack = "E"

    static func parseTrack1(_ raw: String) -> Parsed? {
        let body = stripSentinels(raw)
        guard !body.isEmpty, body != unreadableTrack else { return nil }
        let formatCodeB = body.first == "B"
        let fields = body.dropFirst(body.first?.isLetter == true ? 1 : 0).split(separator: "^", omittingEmptySubsequences: false)
        let number = String(fields[0]).filter { $0 != " " }
        // Expiry (4) and service code (3) start the third field.
        let hasServiceCode = fields.count >= 3 && fields[2].prefix(7).count == 7 && fields[2].prefix(7).allSatisfy(\.isASCIIDigit)
        return Parsed(number: number, formatCodeB: formatCodeB, hasServiceCode: hasServiceCode)
    }

    static func parseTrack2(_ raw: String) -> Parsed? {
        let body = stripSentinels(raw)
        guard !body.isEmpty, body != unreadableTrack else { return nil }
        let fields = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let number = String(fields[0])
        let hasServiceCode = fields.count == 2 && fields[1].prefix(7).count == 7 && fields[1].prefix(7).allSatisfy(\.isASCIIDigit)
        return Parsed(number: number, formatCodeB: false, hasServiceCode: hasServiceCode)
    }

    /// Whether typed text is magnetic stripe data: it starts with a track sentinel, or carries
    /// track 1's `^` field separator or track 2's `digits=digits`.
    public static func looksLikeTrackData(_ text: String) -> Bool {
        if let first = text.first, first == "%" || first == ";" { return true }
        if text.contains("^") { return true }
        let parts = text.split(separator: "=", maxSplits: 1)
        return parts.count == 2 && parts[0].count >= 6 && parts[0].allSatisfy(\.isASCIIDigit) && parts[1].prefix(4).allSatisfy(\.isASCIIDigit)
    }

    /// The last four digits when `text` (typed by a keyboard-mode reader, or sent or typed as a card
    /// value) is a payment card's stripe data; `nil` for anything else. The one recognition every
    /// door uses: ``Carrier`` refuses such a value, whichever path it came by.
    public static func paymentCardLastFour(inTypedText text: String) -> String? {
        guard looksLikeTrackData(text) else { return nil }
        let tracks = tracks(inTypedText: text)
        guard case .bankCard(let lastFour) = classify(track1: tracks.track1, track2: tracks.track2, track3: tracks.track3) else {
            return nil
        }
        return lastFour
    }

    /// Splits keyboard-wedge text into its tracks by their start sentinels (`%` track 1, `;` track 2,
    /// a second `;` or `+` track 3), as magstripe readers in keyboard mode type them.
    public static func tracks(inTypedText text: String) -> (track1: String?, track2: String?, track3: String?) {
        var track1: String?
        var track2: String?
        var track3: String?
        var current = ""
        func close() {
            guard let start = current.first else { return }
            if start == "%" || (start != ";" && start != "+" && current.contains("^")) {
                track1 = current  // track 1, with or without its sentinel
            } else if start == "+" || track2 != nil {
                track3 = current
            } else {
                track2 = current
            }
            current = ""
        }
        for character in text {
            if character == "%" || character == ";" || character == "+", current.isEmpty || current.last == "?" {
                close()
            }
            current.append(character)
        }
        close()
        return (track1, track2, track3)
    }
}

/// The Luhn (mod 10) check of payment card numbers and many member cards.
public enum Luhn {
    public static func isValid(_ digits: String) -> Bool {
        let values = digits.compactMap(\.wholeNumberValue)
        guard values.count == digits.count, values.count >= 2 else { return false }
        var sum = 0
        for (index, value) in values.reversed().enumerated() {
            if index % 2 == 1 {
                let doubled = value * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += value
            }
        }
        return sum % 10 == 0
    }
}

extension Character {
    var isASCIIDigitOrLetter: Bool { isASCII && (isLetter || isNumber) }
}
