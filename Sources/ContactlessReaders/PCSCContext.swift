import CPCSCLite

/// One pcsc-lite context. pcsc-lite wants a context per thread: a context is created, used and
/// released on one thread; only ``cancel(_:)`` may be called from another, to end a wait.
final class PCSCContext {
    let handle: SCARDCONTEXT

    init() throws(PCSCError) {
        var handle = SCARDCONTEXT()
        try PCSCError.check(SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &handle))
        self.handle = handle
    }

    deinit {
        SCardReleaseContext(handle)
    }

    /// Ends a `SCardGetStatusChange` wait on the context `handle`, from any thread.
    static func cancel(_ handle: SCARDCONTEXT) {
        SCardCancel(handle)
    }

    /// The names of the readers pcscd knows; no readers is an empty list, not an error.
    func readerNames() throws(PCSCError) -> [String] {
        var length = DWORD(0)
        var result = SCardListReaders(handle, nil, nil, &length)
        if result == LONG(SCARD_E_NO_READERS_AVAILABLE) { return [] }
        try PCSCError.check(result)
        var buffer = [CChar](repeating: 0, count: Int(length))
        result = SCardListReaders(handle, nil, &buffer, &length)
        if result == LONG(SCARD_E_NO_READERS_AVAILABLE) { return [] }
        try PCSCError.check(result)
        // A multi-string: names separated by NUL, ended by an empty one.
        return buffer.prefix(Int(length)).split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    }

    /// Waits until a reader's state differs from what `states` say (or `timeout` ms pass).
    func waitForChange(_ states: inout [SCARD_READERSTATE], timeout: DWORD) throws(PCSCError) {
        let result = states.withUnsafeMutableBufferPointer { buffer in
            SCardGetStatusChange(handle, timeout, buffer.baseAddress, DWORD(buffer.count))
        }
        try PCSCError.check(result)
    }

    /// Connects to the card in `reader`, shared (T=0 or T=1), for a few APDUs; the card stays
    /// powered and in place for the till's own software when the connection ends.
    func connect(to reader: String) throws(PCSCError) -> PCSCCardConnection {
        try PCSCCardConnection(context: handle, reader: reader)
    }
}
