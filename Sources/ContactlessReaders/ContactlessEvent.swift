/// What the contactless reader monitor reports.
public enum ContactlessEvent: Sendable, Hashable {
    /// pcscd answers; the readers it knows are watched.
    case serviceAvailable
    /// pcscd is not reachable (not running, restarting); the monitor retries with backoff.
    case serviceUnavailable(reason: String)
    /// A reader appeared, with its serial number and port where they can be learnt.
    case readerAdded(PCSCReaderIdentity)
    case readerRemoved(name: String)
    /// A card was presented and its UID read (GET DATA, status word 90 00); `memberNumber` is the
    /// number written on it as NDEF when the reader was asked to read one (``NDEFMemberNumber``),
    /// `nil` when it was not.
    case cardPresented(reader: String, uid: [UInt8], atr: [UInt8], memberNumber: Result<String, NDEFMemberNumber.Problem>? = nil)
    /// A payment card (or a phone's wallet) was presented: it answered SELECT of the PPSE
    /// (``PaymentEnvironment``). Nothing of it, not even its UID, is carried further.
    case paymentCardPresented(reader: String)
    /// A card was presented but gave no UID, even on a second try.
    case cardUnreadable(reader: String, reason: String)
}

/// A reader and what is on it now, as `loyaltyd readers` shows it.
public struct ReaderSnapshot: Sendable, Hashable {
    public var name: String
    public var cardPresent: Bool
    /// The ATR of the card on the reader, empty when there is none.
    public var atr: [UInt8]
    /// pcsc-lite's state words, such as "present", "empty", "inuse", "mute".
    public var states: [String]
    /// The reader's serial number and USB port, to bind it to a lane.
    public var identity: PCSCReaderIdentity
}
