/// A JSON-RPC error as the till receives it: a numeric `code`, a human `message` and, in `data`,
/// a stable machine-readable `reason` (and sometimes more fields) documented in docs/protocol.md.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public init(_ reason: Reason, _ message: String, extra: [(String, JSONValue)] = []) {
        self.init(code: reason.code, message: message, data: .object([("reason", .string(reason.rawValue))] + extra))
    }

    public var description: String { "\(code) \(message)" }

    /// The `reason` in `data`, when there is one.
    public var reason: Reason? {
        guard case .string(let text)? = data?["reason"] else { return nil }
        return Reason(rawValue: text)
    }

    /// Every error the daemon sends, with its JSON-RPC code.
    public enum Reason: String, Sendable, CaseIterable {
        // JSON-RPC 2.0's own.
        case parseError = "parse_error"
        case invalidRequest = "invalid_request"
        case methodNotFound = "method_not_found"
        case invalidParams = "invalid_params"
        case internalError = "internal_error"
        // The application's, 1001 and up.
        case unknownMember = "unknown_member"
        case unknownCard = "unknown_card"
        case carrierInUse = "carrier_in_use"
        case memberBlocked = "member_blocked"
        case cardBlocked = "card_blocked"
        case transactionConflict = "transaction_conflict"
        case transactionVoided = "transaction_voided"
        case alreadyCommitted = "already_committed"
        case purchaseNotFound = "purchase_not_found"
        case refundExceedsPurchase = "refund_exceeds_purchase"
        case refundConflict = "refund_conflict"
        case redemptionRefused = "redemption_refused"
        case storageUnavailable = "storage_unavailable"
        case permissionDenied = "permission_denied"
        case tooManyConnections = "too_many_connections"
        case shuttingDown = "shutting_down"
        case lineTooLong = "line_too_long"
        case lineTimeout = "line_timeout"
        case idleTimeout = "idle_timeout"
        /// A chain box without its centre: more redemption than the offline policy allows.
        case offlineLimit = "offline_limit"
        /// A chain box without its centre: a refund of another store's purchase must wait.
        case chainOffline = "chain_offline"
        /// A card that can never identify a member (ISO 14443-3 random UID of a phone or bank card).
        case randomUID = "random_uid"

        public var code: Int {
            switch self {
            case .parseError: -32700
            case .invalidRequest, .lineTooLong, .lineTimeout: -32600
            case .methodNotFound: -32601
            case .invalidParams: -32602
            case .internalError: -32603
            case .unknownMember: 1001
            case .unknownCard: 1002
            case .carrierInUse: 1003
            case .memberBlocked: 1004
            case .cardBlocked: 1005
            case .transactionConflict: 1006
            case .transactionVoided: 1007
            case .alreadyCommitted: 1008
            case .purchaseNotFound: 1009
            case .refundExceedsPurchase: 1010
            case .refundConflict: 1011
            case .redemptionRefused: 1012
            case .storageUnavailable: 1013
            case .permissionDenied: 1014
            case .tooManyConnections: 1015
            case .shuttingDown: 1016
            case .idleTimeout: 1017
            case .offlineLimit: 1018
            case .chainOffline: 1019
            case .randomUID: 1020
            }
        }
    }

    public static func invalidParams(_ message: String) -> RPCError { RPCError(.invalidParams, message) }
}
