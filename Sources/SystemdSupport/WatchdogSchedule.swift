#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// When to send `WATCHDOG=1`: at half of `WATCHDOG_USEC`, as systemd recommends, and only when
/// the watchdog is meant for this process (`WATCHDOG_PID`).
public enum WatchdogSchedule {
    /// The ping interval, or `nil` when systemd's watchdog is off for this process.
    public static func pingInterval(environment: [String: String], processID: Int32 = getpid()) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else { return nil }
        if let pidText = environment["WATCHDOG_PID"], Int32(pidText) != processID { return nil }
        return .microseconds(Int64(microseconds / 2))
    }
}
