import CardDecoding
import LoyaltyDomain

/// The daemon's checked configuration. Every value here has passed validation; see
/// config/loyaltyd.yaml for what each option means.
public struct LoyaltyConfiguration: Sendable {
    public var file: String
    public var storeID: String
    public var timeZone: String
    public var currency: Currency
    /// The largest receipt total a till may send.
    public var maximumTotal: Money
    public var tillSocket: TillSocketOptions
    public var databasePath: String
    public var program: LoyaltyProgram
    public var readers: ReaderOptions
    public var logLevel: String
    /// The chain this box belongs to; `nil` for a single store.
    public var chain: ChainOptions?
    /// The Prometheus metrics (textfile, HTTP endpoint); `nil` when the section is absent.
    public var metrics: MetricsOptions?

    /// Which card readers the daemon uses and which till each one serves.
    public struct ReaderOptions: Sendable, Hashable {
        /// The same card on the same reader again within this window is not reported again.
        public var repeatWindowMilliseconds: Int64
        public var contactlessEnabled: Bool
        /// Contactless readers to use, by name pattern (`*` and `?`), serial number and port; empty
        /// means every reader, unmapped.
        public var contactlessLanes: [Lane]
        /// What identifies a member on a contactless card: its UID, or a number written on it.
        public var contactlessIdentity: ContactlessIdentity
        public var usb: [USBReader]
        /// Which barcodes are member cards; `nil` takes every barcode as a card number.
        public var memberBarcode: MemberBarcodePattern?

        public init(
            repeatWindowMilliseconds: Int64 = 3_000, contactlessEnabled: Bool = true, contactlessLanes: [Lane] = [],
            contactlessIdentity: ContactlessIdentity = .uid, usb: [USBReader] = [], memberBarcode: MemberBarcodePattern? = nil
        ) {
            self.repeatWindowMilliseconds = repeatWindowMilliseconds
            self.contactlessEnabled = contactlessEnabled
            self.contactlessLanes = contactlessLanes
            self.contactlessIdentity = contactlessIdentity
            self.usb = usb
            self.memberBarcode = memberBarcode
        }
    }

    /// A configured USB reader (magnetic stripe or barcode), as the USB reader service takes it.
    public typealias USBReader = USBReaderSpec

    /// Readers whose name matches `pattern`, and whose serial number and USB port are those named
    /// (where named), serve the till `tillID` (all tills when `nil`).
    public struct Lane: Sendable, Hashable {
        public var pattern: String
        public var tillID: String?
        /// The reader's serial number (the driver's, or the one pcsc-lite put in the name); `nil` accepts any.
        public var serialNumber: String?
        /// The USB port of the device behind the reader (`1-1.2`); `nil` accepts any.
        public var portPath: String?

        public init(pattern: String, tillID: String?, serialNumber: String? = nil, portPath: String? = nil) {
            self.pattern = pattern
            self.tillID = tillID
            self.serialNumber = serialNumber
            self.portPath = portPath
        }
    }

    /// Options of the till socket.
    public struct TillSocketOptions: Sendable, Hashable {
        public var path: String
        /// Group given to the socket file; empty means the daemon's own primary group.
        public var group: String
        public var mode: UInt32
        /// When non-empty, only these peer uids may connect (root always may).
        public var allowedUIDs: Set<UInt32>
        /// When non-empty, only peers whose primary gid is listed may connect.
        public var allowedGIDs: Set<UInt32>
        public var maximumConnections: Int
        public var maximumLineBytes: Int
        /// An idle connection (no request, no subscription) is closed after this long; 0 never.
        public var idleTimeoutMilliseconds: Int
        /// A half-sent line, or output the till does not read, closes the connection after this long.
        public var stallTimeoutMilliseconds: Int
    }

    /// The same configuration with the command line's `--socket` and `--database` applied.
    public func overriding(socketPath: String?, databasePath: String?) -> LoyaltyConfiguration {
        var copy = self
        if let socketPath { copy.tillSocket.path = socketPath }
        if let databasePath { copy.databasePath = databasePath }
        return copy
    }
}
