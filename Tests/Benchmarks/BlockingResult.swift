import Foundation
import Synchronization

/// Hands a value from a task to the benchmark's main thread, which waits for it.
final class BlockingResult<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    private let signal = DispatchSemaphore(value: 0)

    func set(_ newValue: Value) {
        value.withLock { $0 = newValue }
        signal.signal()
    }

    func wait() -> Value {
        signal.wait()
        return value.withLock { $0! }
    }
}
