import Foundation
import LoyaltyTestSupport
import Testing

/// Issue 7, item 8: the systemd watchdog really fires. The daemon pings only after its database
/// answered; here another process holds SQLite's WAL locks on the database (as a stuck tool or a
/// hung backup might), the daemon's health check waits on the lock (and fails after SQLite's busy
/// timeout of 10 s), and the pings stop, so systemd
/// (`WatchdogSec=`) would restart it. Once the lock is gone the pings come back.
@Suite struct WatchdogTests {
    /// Takes an exclusive POSIX lock on every lock byte of a WAL database's -shm file (offset 120:
    /// the writer, checkpointer, recovery and the five reader slots), as SQLite itself does, and
    /// holds it until killed. Creates the file `argv[2]` once it holds the lock.
    static let locker = """
        import fcntl, os, sys, time
        fd = os.open(sys.argv[1], os.O_RDWR)
        fcntl.lockf(fd, fcntl.LOCK_EX, 8, 120)
        open(sys.argv[2], "w").close()
        time.sleep(3600)
        """

    func pings(_ daemon: TemporaryDaemon, from first: Int) -> Int {
        daemon.notifications.messages.dropFirst(first).filter { $0.split(separator: "\n").contains("WATCHDOG=1") }.count
    }

    @Test func pingsStopWhileTheDatabaseIsLockedByAnotherProcessAndResumeAfter() throws {
        let daemon = try TemporaryDaemon()
        defer { daemon.cleanUp() }
        // WatchdogSec=0.4s: a ping every 200 ms while healthy.
        try daemon.start(environment: ["WATCHDOG_USEC": "400000"])
        _ = try daemon.client().result("member.enroll", .object([("card", .object([("kind", "uid"), ("value", "04A1B2C3D4E5F6")]))]))
        let healthy = daemon.notifications.messages.count
        usleep(1_000_000)
        let pingsWhileHealthy = pings(daemon, from: healthy)
        #expect(pingsWhileHealthy >= 3, "pings while the database answers")

        let held = daemon.directory.file("lock-held")
        let locker = try SpawnedProcess(
            ["/usr/bin/python3", "-c", Self.locker, daemon.databasePath + "-shm", held], environment: [:])
        #expect(waitUntil(timeoutSeconds: 10) { FileManager.default.fileExists(atPath: held) }, "the other process holds the lock")
        usleep(1_000_000)  // a check that began before the lock may still ping once
        let stalled = daemon.notifications.messages.count
        usleep(3_000_000)
        let pingsWhileStalled = pings(daemon, from: stalled)
        #expect(pingsWhileStalled == 0, "no ping while the database cannot be read")
        #expect(daemon.isRunning)

        locker.send(SIGKILL)
        locker.waitForExit(timeoutSeconds: 5)
        let released = daemon.notifications.messages.count
        #expect(daemon.notifications.waitFor("WATCHDOG=1", from: released, timeoutSeconds: 30), "pings resume once the lock is gone")
        #expect(try daemon.client().result("status")["database"]?["state"] == "ok")

        StressRun.report("watchdog", [
            "watchdog_usec": 400_000, "pings_in_1s_healthy": pingsWhileHealthy, "pings_in_3s_locked": pingsWhileStalled,
            "pings_resumed": pings(daemon, from: released) > 0 ? "yes" : "no",
        ])
    }
}
