/// Why a carrier that can be read may still never be linked to a member.
///
/// Such a carrier is refused by every door that links one (`member.enroll`, `member add`,
/// `card link`, `member import`), and a reader that reads one reports the refusal instead of
/// looking a member up: a member enrolled with it could never be found again.
public enum CarrierRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// An ISO/IEC 14443-3 random UID: 4 bytes whose first is `08`. Phones (Apple Pay, Google Pay)
    /// and many bank cards present a new one on every tap.
    case randomUID

    /// The stable name tills branch on: the `card.read` result and the JSON-RPC error reason.
    public var reason: String {
        switch self {
        case .randomUID: "random_uid"
        }
    }

    public var description: String {
        switch self {
        case .randomUID:
            "a 4-byte UID starting with 08 is random (a phone or bank card shows a new one on every tap), so it cannot identify a member"
        }
    }
}
