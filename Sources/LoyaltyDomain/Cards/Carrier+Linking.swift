extension Carrier {
    /// Whether this is an ISO/IEC 14443-3 random UID: a single-size (4-byte) UID whose first byte
    /// is `08`, the value the standard reserves for a number drawn afresh at every activation.
    public var isRandomUID: Bool {
        kind == .uid && value.utf8.count == 8 && value.hasPrefix("08")
    }

    /// Why this carrier can never be linked to a member, or `nil` when it can.
    public var linkRefusal: CarrierRefusal? {
        isRandomUID ? .randomUID : nil
    }

    /// Throws unless this carrier may be linked to a member (``linkRefusal``).
    public func checkLinkable() throws(CarrierRefusal) {
        if let refusal = linkRefusal { throw refusal }
    }
}
