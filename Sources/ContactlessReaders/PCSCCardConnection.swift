import CPCSCLite

/// A shared connection to the card on one reader, made on the monitor's thread: every APDU of one
/// presentation goes over it (one `SCardConnect` instead of one per command). Ending it leaves
/// the card powered and in place (`SCARD_LEAVE_CARD`).
final class PCSCCardConnection {
    private let card: SCARDHANDLE
    private let protocolInUse: DWORD

    init(context: SCARDCONTEXT, reader: String) throws(PCSCError) {
        var card = SCARDHANDLE()
        var protocolInUse = DWORD(0)
        try PCSCError.check(SCardConnect(
            context, reader, DWORD(SCARD_SHARE_SHARED), DWORD(SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1), &card, &protocolInUse))
        self.card = card
        self.protocolInUse = protocolInUse
    }

    deinit {
        SCardDisconnect(card, DWORD(SCARD_LEAVE_CARD))
    }

    /// Sends one APDU and returns the card's answer, status word included.
    func transmit(_ command: [UInt8]) throws(PCSCError) -> [UInt8] {
        let pci = protocolInUse == DWORD(SCARD_PROTOCOL_T0) ? loyaltyd_scard_pci_t0() : loyaltyd_scard_pci_t1()
        var answer = [UInt8](repeating: 0, count: 258)
        var answerLength = DWORD(answer.count)
        try PCSCError.check(SCardTransmit(card, pci, command, DWORD(command.count), nil, &answer, &answerLength))
        return Array(answer.prefix(Int(answerLength)))
    }
}
