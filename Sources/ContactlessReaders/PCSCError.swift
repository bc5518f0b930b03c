import CPCSCLite

/// A pcsc-lite result code other than success, with its name as pcsc-lite's documentation spells it.
public struct PCSCError: Error, Sendable, Hashable, CustomStringConvertible {
    public let code: Int

    init(_ code: LONG) {
        self.code = Int(code)
    }

    public static let noService = PCSCError(LONG(SCARD_E_NO_SERVICE))
    public static let cancelled = PCSCError(LONG(SCARD_E_CANCELLED))
    public static let noReaders = PCSCError(LONG(SCARD_E_NO_READERS_AVAILABLE))
    public static let timeout = PCSCError(LONG(SCARD_E_TIMEOUT))

    /// Errors after which the context is useless: pcscd went away or restarted.
    public var meansContextLost: Bool {
        [SCARD_E_NO_SERVICE, SCARD_E_INVALID_HANDLE, SCARD_F_COMM_ERROR, SCARD_E_SERVICE_STOPPED, SCARD_E_INVALID_VALUE]
            .map { Int($0) }.contains(code)
    }

    public var name: String {
        let names: [(Int, String)] = [
            (Int(SCARD_E_NO_SERVICE), "SCARD_E_NO_SERVICE"), (Int(SCARD_E_CANCELLED), "SCARD_E_CANCELLED"),
            (Int(SCARD_E_NO_READERS_AVAILABLE), "SCARD_E_NO_READERS_AVAILABLE"), (Int(SCARD_E_TIMEOUT), "SCARD_E_TIMEOUT"),
            (Int(SCARD_E_INVALID_HANDLE), "SCARD_E_INVALID_HANDLE"), (Int(SCARD_F_COMM_ERROR), "SCARD_F_COMM_ERROR"),
            (Int(SCARD_E_SERVICE_STOPPED), "SCARD_E_SERVICE_STOPPED"), (Int(SCARD_W_REMOVED_CARD), "SCARD_W_REMOVED_CARD"),
            (Int(SCARD_E_NO_SMARTCARD), "SCARD_E_NO_SMARTCARD"), (Int(SCARD_W_UNRESPONSIVE_CARD), "SCARD_W_UNRESPONSIVE_CARD"),
            (Int(SCARD_E_PROTO_MISMATCH), "SCARD_E_PROTO_MISMATCH"), (Int(SCARD_E_SHARING_VIOLATION), "SCARD_E_SHARING_VIOLATION"),
            (Int(SCARD_E_UNKNOWN_READER), "SCARD_E_UNKNOWN_READER"), (Int(SCARD_E_READER_UNAVAILABLE), "SCARD_E_READER_UNAVAILABLE"),
            (Int(SCARD_E_INVALID_VALUE), "SCARD_E_INVALID_VALUE"), (Int(SCARD_W_UNPOWERED_CARD), "SCARD_W_UNPOWERED_CARD"),
            (Int(SCARD_E_NOT_TRANSACTED), "SCARD_E_NOT_TRANSACTED"), (Int(SCARD_E_INSUFFICIENT_BUFFER), "SCARD_E_INSUFFICIENT_BUFFER"),
            (Int(SCARD_E_READER_UNSUPPORTED), "SCARD_E_READER_UNSUPPORTED"), (Int(SCARD_F_INTERNAL_ERROR), "SCARD_F_INTERNAL_ERROR"),
            (Int(SCARD_E_UNEXPECTED), "SCARD_E_UNEXPECTED"), (Int(SCARD_E_NO_MEMORY), "SCARD_E_NO_MEMORY"),
        ]
        return names.first { $0.0 == code }?.1 ?? "0x" + String(UInt32(truncatingIfNeeded: code), radix: 16, uppercase: true)
    }

    public var description: String {
        meansContextLost ? "pcscd is not reachable (\(name))" : name
    }

    /// Throws unless `result` is `SCARD_S_SUCCESS`.
    static func check(_ result: LONG) throws(PCSCError) {
        guard result == LONG(SCARD_S_SUCCESS) else { throw PCSCError(result) }
    }
}
