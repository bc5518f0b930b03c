import Synchronization

/// Makes identifiers that are unique across every store of a chain and sort by creation time:
/// `<store id>-<26 characters>`, where the characters are a ULID (48-bit millisecond time, then
/// 80 bits that are random at each new millisecond and incremented within one).
///
/// Ledger entries, purchases and members from different stores can therefore be merged into one
/// database without renumbering, and sorting the ids sorts them by time within a store.
public final class GlobalIDGenerator: Sendable {
    private struct State {
        var lastMilliseconds: UInt64 = 0
        var high: UInt16 = 0
        var low: UInt64 = 0
    }

    public let storeID: String
    private let state = Mutex(State())

    public init(storeID: String) {
        self.storeID = storeID
    }

    /// A new identifier; `milliseconds` is the current time since the epoch.
    public func next(milliseconds: Int64) -> String {
        let (time, high, low) = state.withLock { state -> (UInt64, UInt16, UInt64) in
            let now = max(UInt64(max(milliseconds, 0)), state.lastMilliseconds)
            if now == state.lastMilliseconds {
                // Same millisecond (or the clock went back): keep order by incrementing.
                state.low &+= 1
                if state.low == 0 { state.high &+= 1 }
            } else {
                state.lastMilliseconds = now
                state.high = UInt16.random(in: 0...UInt16.max) & 0x7FFF
                state.low = UInt64.random(in: 0...UInt64.max)
            }
            return (now, state.high, state.low)
        }
        return storeID + "-" + Self.encode(time: time, high: high, low: low)
    }

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Crockford base32 of 48 bits of time and 80 bits of randomness, most significant first.
    static func encode(time: UInt64, high: UInt16, low: UInt64) -> String {
        // 128 bits: time(48) | high(16) | low(64), printed as 26 five-bit digits (130 bits, top 2 zero).
        let upper: UInt64 = (time << 16) | UInt64(high)
        var bytes = [UInt8](repeating: 0, count: 26)
        for index in 0..<26 {
            let shift = (25 - index) * 5
            let digit: UInt64
            if shift >= 64 {
                digit = (upper >> UInt64(shift - 64)) & 0x1F
            } else if shift > 59 {
                digit = ((upper << UInt64(64 - shift)) | (low >> UInt64(shift))) & 0x1F
            } else {
                digit = (low >> UInt64(shift)) & 0x1F
            }
            bytes[index] = alphabet[Int(digit)]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
