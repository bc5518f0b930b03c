import NIOCore

/// Runs a connection's task on the event loop that owns its socket, so that reading a request,
/// answering it and writing the answer need no hop through another thread. The task still
/// suspends (never blocks) while the database works on its own queue.
final class EventLoopTaskExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
