import LoyaltyConfig

/// The error `ConfigLoader.parse` gives for `yaml` read as `file`, or `nil` when it is accepted:
/// the config tests compare messages, files, lines and keys.
func parseError(_ yaml: String, file: String = "loyaltyd.yaml") -> ConfigError? {
    do {
        _ = try ConfigLoader.parse(yaml, file: file)
        return nil
    } catch {
        return error
    }
}
