import Foundation
import Testing

/// What the test machine offers. Integration tests may skip on a developer's machine that lacks
/// something, but under `CI=true` a missing prerequisite is a failure, never a silent skip.
public enum TestEnvironment {
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    public static var isRoot: Bool { getuid() == 0 }

    /// Whether a test needing `what` can run; records an issue (a failure) in CI when it cannot.
    public static func require(_ condition: Bool, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if condition { return true }
        if isCI {
            Issue.record("CI=true but the test cannot run: \(what)", sourceLocation: sourceLocation)
        } else {
            print("skipped on this machine: \(what)")
        }
        return false
    }
}
