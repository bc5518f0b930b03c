import LoyaltyConfig
import LoyaltyDomain
import Synchronization
import TillProtocol

/// The configuration in force. SIGHUP replaces it as a whole, so a request sees either the old
/// program or the new one, never a mix.
public final class ActiveConfiguration: Sendable {
    private let current: Mutex<LoyaltyConfiguration>

    public init(_ configuration: LoyaltyConfiguration) {
        current = Mutex(configuration)
    }

    public var value: LoyaltyConfiguration { current.withLock { $0 } }

    func replace(with configuration: LoyaltyConfiguration) {
        current.withLock { $0 = configuration }
    }

    /// What a till may send, from the configuration in force.
    var limits: TillCall.Limits {
        let configuration = value
        return TillCall.Limits(currency: configuration.currency, maximumTotal: configuration.maximumTotal)
    }
}
