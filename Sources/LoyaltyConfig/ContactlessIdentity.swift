/// What identifies a member on a contactless card (`readers.contactless.identify_by`).
public enum ContactlessIdentity: String, Sendable, Hashable, CaseIterable {
    /// The card's UID (GET DATA): every card has one, and cheap tags' UIDs can be cloned.
    case uid
    /// The member number the program wrote on an NTAG21x / MIFARE Ultralight tag as the first text
    /// or URI record of its NDEF message; it is looked up as a `barcode` carrier (the number printed
    /// on the card). A card without one is unreadable: the UID is never used instead.
    case ndef
}
