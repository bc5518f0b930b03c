#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The variables a developer exports once (`make run` prints the line) instead of giving
/// `--config`, `--database` and `--socket` to every command. A flag wins over its variable, the
/// variable over the configuration file and the built-in default; an empty variable counts as unset.
enum DevLoopEnvironment {
    static let configVariable = "LOYALTYD_CONFIG"
    static let databaseVariable = "LOYALTYD_DATABASE"
    static let socketVariable = "LOYALTYD_SOCKET"

    /// The configuration file when neither `--config` nor `LOYALTYD_CONFIG` names one.
    static let defaultConfigPath = "/etc/loyaltyd/loyaltyd.yaml"

    /// The value of `name`, or nil when it is unset or empty.
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }
}
