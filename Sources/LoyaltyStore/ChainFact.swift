/// One fact as it travels between a box and the centre: immutable, keyed by a global id, with its
/// body as JSON text (the store writes and reads it with SQLite's JSON functions, the centre stores
/// it as `jsonb`), so no door re-encodes what another wrote.
public struct ChainFact: Sendable, Hashable {
    public var id: String
    /// `member`, `carrier`, `purchase`, `refund`, `ledger`, `coupon`, `sale`, `promotion_code`, `promotion_use`.
    public var kind: String
    public var memberID: String?
    /// The box's clock when the fact was made (ms since the epoch); never used for ordering.
    public var atMilliseconds: Int64
    public var body: String

    public init(id: String, kind: String, memberID: String?, atMilliseconds: Int64, body: String) {
        self.id = id
        self.kind = kind
        self.memberID = memberID
        self.atMilliseconds = atMilliseconds
        self.body = body
    }
}
