import LoyaltyDomain

/// The `chain:` section: this box is one node of a chain whose centre is a PostgreSQL database.
/// Without the section the daemon is a single-store product and reaches no network.
public struct ChainOptions: Sendable, Hashable {
    /// `postgres://ROLE@HOST:PORT/DATABASE`; the role is this box's PostgreSQL role.
    public var url: String
    /// A file holding the role's password (SCRAM), when it does not log in by client certificate.
    public var passwordFile: String?
    public var tls: TLSOptions
    /// Facts sent or fetched per round trip.
    public var batchSize: Int
    /// How often the box pushes and pulls when it has nothing waiting.
    public var intervalMilliseconds: Int
    /// The box counts as offline when it has not reached the centre for this long.
    public var offlineAfterMilliseconds: Int64
    public var offlineRedemption: OfflineRedemptionPolicy

    /// `sslmode` as libpq names it: `disable`, `require` (encrypted, server not checked) or
    /// `verify-full` (the server's certificate checked against `ca_file` and the host name).
    public struct TLSOptions: Sendable, Hashable {
        public enum Mode: String, Sendable, Hashable, CaseIterable {
            case disable
            case require
            case verifyFull = "verify-full"
        }

        public var mode: Mode
        public var caFile: String?
        /// The box's client certificate and key (PEM), whose common name is its role.
        public var certificateFile: String?
        public var keyFile: String?

        public init(mode: Mode, caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
            self.mode = mode
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
        }
    }

    public init(
        url: String, passwordFile: String? = nil, tls: TLSOptions = .init(mode: .disable), batchSize: Int = 500,
        intervalMilliseconds: Int = 500, offlineAfterMilliseconds: Int64 = 30_000,
        offlineRedemption: OfflineRedemptionPolicy = .standard
    ) {
        self.url = url
        self.passwordFile = passwordFile
        self.tls = tls
        self.batchSize = batchSize
        self.intervalMilliseconds = intervalMilliseconds
        self.offlineAfterMilliseconds = offlineAfterMilliseconds
        self.offlineRedemption = offlineRedemption
    }
}
