#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Checks on configuration text, kept to plain character tests: no regular expressions and no
/// ICU, which would cost the daemon megabytes of memory for a handful of checks.
enum ConfigText {
    /// 1 to `maximumLength` ASCII letters and digits, plus `inner` characters anywhere but the
    /// ends, where only `ends` are allowed besides letters and digits.
    static func isName(_ text: String, maximumLength: Int, inner: String, ends: String) -> Bool {
        let characters = Array(text)
        guard (1...maximumLength).contains(characters.count) else { return false }
        for (position, character) in characters.enumerated() {
            if character.isASCII, character.isLetter || character.isNumber { continue }
            let atEnd = position == 0 || position == characters.count - 1
            guard (atEnd ? ends : inner).contains(character) else { return false }
        }
        return true
    }

    /// Whether `name` is a time zone of the system's tz database (`/usr/share/zoneinfo`).
    static func isTimeZone(_ name: String) -> Bool {
        guard isName(name.replacingSlashes, maximumLength: 64, inner: "_-+", ends: "_"), !name.contains("..") else { return false }
        var status = stat()
        return stat("/usr/share/zoneinfo/\(name)", &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }
}

extension String {
    fileprivate var replacingSlashes: String { String(map { $0 == "/" ? "_" : $0 }) }
}
