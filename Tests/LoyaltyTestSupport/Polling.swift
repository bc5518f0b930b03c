import Foundation

/// Polls `condition` every 50 ms until it holds or `timeoutSeconds` pass; tests wait for events
/// this way instead of sleeping a fixed time.
public func waitUntil(timeoutSeconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}
