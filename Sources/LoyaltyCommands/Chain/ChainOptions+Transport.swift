import ArgumentParser
import ChainSync
import Logging
import LoyaltyConfig
import NIOPosix

extension ChainOptions {
    /// The centre as this box reaches it, for a command that runs beside the daemon (status,
    /// resync, doctor): the box's own role, on the process's shared event loop.
    func boxTransport() throws(ChainConfigurationError) -> PostgresChainTransport {
        PostgresChainTransport(
            address: try CentralDatabaseAddress(self), eventLoop: MultiThreadedEventLoopGroup.singleton.any(),
            logger: Logger(label: "loyaltyd.chain"))
    }
}

extension LoyaltyConfiguration {
    /// The `chain:` section, or exit status 1 saying this box is a single store.
    func requiredChain() throws -> ChainOptions {
        guard let chain else {
            printError("\(file) has no chain: section: this box is a single store")
            throw ExitCode.failure
        }
        return chain
    }
}
