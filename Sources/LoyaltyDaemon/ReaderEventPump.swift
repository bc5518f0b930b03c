import Dispatch
import LoyaltyDomain
import ServiceLifecycle

/// Carries a reader monitor's events, produced on its own thread, into a service's task until
/// graceful shutdown; then stops the monitor off the cooperative pool (stopping waits for its
/// thread) and lets the events already queued be handled.
enum ReaderEventPump {
    /// - Parameters:
    ///   - start: starts the monitor with a sink for its events; returns how to stop it.
    ///   - handle: acts on one event; `repeats` is the service's repeat window state.
    static func run<Event: Sendable>(
        start: (@escaping @Sendable (Event) -> Void) throws -> @Sendable () -> Void,
        handle: (Event, inout RepeatFilter) async -> Void
    ) async throws {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        let stop = try start { continuation.yield($0) }
        await withGracefulShutdownHandler {
            var repeats = RepeatFilter()
            for await event in events {
                await handle(event, &repeats)
            }
        } onGracefulShutdown: {
            DispatchQueue.global().async {
                stop()
                continuation.finish()
            }
        }
    }
}
