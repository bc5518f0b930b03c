/// A 64-bit FNV-1a hash printed as 16 hex digits: stable across runs, machines and Swift versions
/// (unlike `Hasher`), for rule-set versions and request fingerprints. Not a security hash.
public enum StableHash {
    public static func hex(of text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
