/// The proximity payment system environment (PPSE) that EMV contactless bank cards, and phones
/// with a payment wallet, answer: a card that selects it is a payment card, never a loyalty card.
public enum PaymentEnvironment {
    /// The PPSE's name, `2PAY.SYS.DDF01`.
    public static let name = Array("2PAY.SYS.DDF01".utf8)

    /// SELECT by name of the PPSE: `00 A4 04 00 0E 325041592E5359532E4444463031 00`.
    public static let selectCommand: [UInt8] = [0x00, 0xA4, 0x04, 0x00, UInt8(name.count)] + name + [0x00]

    /// Whether an answer to ``selectCommand`` means the card has a payment environment: status
    /// word `90 00`, or `61 xx` (selected, more data to fetch).
    public static func isSelected(byAnswer answer: [UInt8]) -> Bool {
        guard answer.count >= 2 else { return false }
        let status = (answer[answer.count - 2], answer[answer.count - 1])
        return status == (0x90, 0x00) || status.0 == 0x61
    }

    /// Whether a card with this ATR may hold applications and is worth asking for the PPSE.
    ///
    /// A reader gives a memory card (MIFARE Classic, Ultralight, NTAG …) the PC/SC part 3 storage
    /// card ATR, whose historical bytes carry the registered application provider `A0 00 00 03 06`
    /// after `4F 0C`; such a card has no applications, so the probe (a round trip to the card) is
    /// skipped. Every other ATR (ISO 14443-4 cards, phones) is probed.
    public static func isWorthProbing(atr: [UInt8]) -> Bool {
        let storageCardMarker: [UInt8] = [0x4F, 0x0C, 0xA0, 0x00, 0x00, 0x03, 0x06]
        guard atr.count >= storageCardMarker.count else { return true }
        for start in 0...(atr.count - storageCardMarker.count) where atr[start..<(start + storageCardMarker.count)].elementsEqual(storageCardMarker) {
            return false
        }
        return true
    }
}
