import Foundation
import Testing

/// What the test machine offers. Integration tests may skip on a developer's machine that lacks
/// something (see ``Testing/Trait/requires(_:_:)``), but under `CI=true` a missing prerequisite is a
/// failure, never a silent skip.
public enum TestEnvironment {
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    public static var isRoot: Bool { getuid() == 0 }
}

extension Trait where Self == ConditionTrait {
    /// Runs a test (or a suite) only where `condition` holds: on a developer's machine without the
    /// prerequisite it shows as skipped, never as passed. With `CI=true` it always runs, so a
    /// missing prerequisite fails there instead of being skipped.
    public static func requires(_ condition: @autoclosure @escaping @Sendable () -> Bool, _ what: String) -> Self {
        .enabled(if: TestEnvironment.isCI || condition(), Comment(rawValue: "needs \(what)"))
    }
}
