/// Malformed and hostile till frames, reproducible from a seed: random bytes, broken JSON, deep
/// nesting, huge numbers, invalid UTF-8, wrongly typed parameters, mutated requests and lines
/// over the length limit.
///
/// Every frame but an oversized one is a single line (no `\n`) within the limit that the daemon
/// must answer with exactly one line: each keeps a valid `id` or is no request at all, so none is
/// a notification. The hostile-client test counts answers on that basis.
public struct HostileFrames {
    public enum Kind: String, CaseIterable, Sendable {
        case randomBytes = "random_bytes"
        case badJSON = "bad_json"
        case deepNesting = "deep_nesting"
        case hugeNumber = "huge_number"
        case invalidUTF8 = "invalid_utf8"
        case wrongTypes = "wrong_types"
        case mutated
        /// Longer than the limit: answered with `line_too_long`, then the connection is closed.
        case oversized
    }

    public struct Frame: Sendable {
        public var kind: Kind
        public var bytes: [UInt8]
    }

    private var state: UInt64
    private let maximumLineBytes: Int
    private var nextID = 1

    public init(seed: UInt64, maximumLineBytes: Int) {
        state = seed
        self.maximumLineBytes = maximumLineBytes
    }

    /// SplitMix64: small, fast and the same on every machine.
    private mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ bound: Int) -> Int { Int(random() % UInt64(bound)) }

    private mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }

    /// The next frame; oversized ones are about one in a hundred.
    public mutating func next() -> Frame {
        let kind: Kind = below(100) == 0 ? .oversized : pick(Kind.allCases.filter { $0 != .oversized })
        var bytes = make(kind)
        if kind != .oversized {
            bytes = bytes.filter { $0 != UInt8(ascii: "\n") }
            if bytes.count > maximumLineBytes { bytes.removeLast(bytes.count - maximumLineBytes) }
            if bytes.isEmpty { bytes = [UInt8(ascii: "x")] }
        }
        return Frame(kind: kind, bytes: bytes)
    }

    private mutating func request(_ method: String, _ params: String) -> String {
        nextID += 1
        return #"{"jsonrpc":"2.0","id":\#(nextID),"method":"\#(method)","params":\#(params)}"#
    }

    private mutating func commitParams(total: String = #""12.34""#, card: String = #"{"kind":"uid","value":"04FFEEDDCCBBAA"}"#) -> String {
        #"{"till_id":"hostile","transaction_id":"H\#(below(1_000_000))","card":\#(card),"total":\#(total)}"#
    }

    private mutating func make(_ kind: Kind) -> [UInt8] {
        switch kind {
        case .randomBytes:
            return (0..<(1 + below(300))).map { _ in UInt8(truncatingIfNeeded: random()) }
        case .badJSON:
            let prefix = request("purchase.commit", commitParams())
            return Array(pick([
                String(prefix.prefix(below(prefix.utf8.count))),
                #"{"jsonrpc":"2.0","id":1,"method":"status",}"#,
                #"{'jsonrpc':'2.0','id':1,'method':'status'}"#,
                #"{"jsonrpc":"2.0","id":1,"id":2,"method":"status"}"#,
                #"{"jsonrpc":"2.0","id":1,"method":"status"} trailing"#,
                "\u{FEFF}" + #"{"jsonrpc":"2.0","id":1,"method":"status"}"#,
                #"{"jsonrpc":"2.0","id":01,"method":"status"}"#,
                #"[]"#, #"[1,2,3]"#, "null", "nul", #""just a string""#, "   ", "\r",
                #"{"jsonrpc":"2.0","id":1,"method":"status","params":{"a":[1,2,}}"#,
                #"{"jsonrpc":"2.0","id":1,"method":"status","params":{"a":"\x"}}"#,
                #"{"jsonrpc":"2.0","id":1,"method":"status","params":{"a":"\u12"}}"#,
                #"{"jsonrpc":"1.0","id":1,"method":"status"}"#,
                #"{"jsonrpc":"2.0","id":[1],"method":"status"}"#,
                #"{"jsonrpc":"2.0","id":1,"method":"status","extra":true}"#,
            ]).utf8)
        case .deepNesting:
            let depth = 33 + below(min(3_000, maximumLineBytes / 2 - 40))
            if below(2) == 0 {
                return Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
            }
            let objects = min(depth, maximumLineBytes / 7 - 20)
            return Array((#"{"jsonrpc":"2.0","id":1,"method":"status","params":"# + String(repeating: #"{"a":"#, count: objects)
                + "1" + String(repeating: "}", count: objects + 1)).utf8)
        case .hugeNumber:
            let digits = String((0..<(65 + below(400))).map { _ in Character(String(below(10))) })
            return Array(pick([
                #"{"jsonrpc":"2.0","id":1\#(digits),"method":"status"}"#,
                #"{"jsonrpc":"2.0","id":1e999999999,"method":"status"}"#,
                request("purchase.commit", commitParams(total: "1e400")),
                request("purchase.commit", commitParams(total: "\"9\(digits.prefix(40)).99\"")),
                request("purchase.commit", commitParams(total: #""-0.00""#)),
                request("purchase.quote", #"{"till_id":"hostile","transaction_id":"H","card":{"kind":"uid","value":"04FFEEDDCCBBAA"},"total":"1.00","redeem_points":\#(digits.prefix(60))}"#),
                request("purchase.refund", #"{"till_id":"hostile","transaction_id":"H","refund_id":"R","amount":"\#(digits.prefix(30)).00"}"#),
            ]).utf8)
        case .invalidUTF8:
            var bytes = Array(request("member.lookup", #"{"card":{"kind":"barcode","value":"ABCDEFGH"}}"#).utf8)
            let bad: [[UInt8]] = [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xFF, 0xFE], [0xE2, 0x82]]
            let position = bytes.lastIndex(of: UInt8(ascii: "H"))!
            bytes.insert(contentsOf: pick(bad), at: position)
            if below(3) == 0 { return Array(request("member.lookup", #"{"card":{"kind":"barcode","value":"\ud800"}}"#).utf8) }
            return bytes
        case .wrongTypes:
            return Array(pick([
                request("purchase.commit", commitParams(total: "12.34")),
                request("purchase.commit", commitParams(card: "5")),
                request("purchase.commit", commitParams(card: #"{"kind":"uid","value":"zz"}"#)),
                request("purchase.commit", commitParams(card: #"{"kind":"bank","value":"4111111111111111"}"#)),
                request("purchase.commit", "\"oops\""),
                request("member.enroll", #"{"card":{"kind":"uid","value":"04FFEEDDCCBBAA"},"name":"X","consent":"yes"}"#),
                request("member.lookup", #"{"phone":12345}"#),
                request("member.lookup", #"{"card":null,"phone":null,"member_id":null}"#),
                request("purchase.void", #"{"till_id":"","transaction_id":"\#(String(repeating: "t", count: 500))"}"#),
                request("events.subscribe", #"{"till_id":["lane-1"]}"#),
                request("no.such.method", "{}"),
                request("status", #"["positional"]"#),
                #"{"jsonrpc":"2.0","id":7,"method":42}"#,
                #"[{"jsonrpc":"2.0","id":1,"method":"nope"},5,"x"]"#,
                "[" + Array(repeating: #"{"jsonrpc":"2.0","id":1,"method":"nope"}"#, count: 101).joined(separator: ",") + "]",
            ]).utf8)
        case .mutated:
            let text = request("purchase.commit", commitParams())
            var bytes = Array(text.utf8)
            // The `{"jsonrpc":"2.0","id":N,` prefix stays, so the frame is never a notification.
            let keep = text.utf8.count - (text.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false).last?.utf8.count ?? 0)
            for _ in 0..<(1 + below(6)) {
                let at = keep + below(max(1, bytes.count - keep))
                switch below(3) {
                case 0: if at < bytes.count { bytes[at] = UInt8(truncatingIfNeeded: random()) }
                case 1: bytes.insert(pick(Array(#"{}[]",:"\0"#.utf8) + [0xFF, 0x00, 0x7F]), at: min(at, bytes.count))
                default: if at < bytes.count { bytes.remove(at: at) }
                }
            }
            return bytes
        case .oversized:
            return [UInt8](repeating: UInt8(ascii: "a"), count: maximumLineBytes + 1 + below(maximumLineBytes))
        }
    }
}
