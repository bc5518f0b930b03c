/// The daemon's version, reported by `status` and `--version`.
public enum LoyaltydVersion {
    public static let current = "0.1.0"
}
