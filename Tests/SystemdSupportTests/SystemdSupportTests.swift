import LoyaltyTestSupport
import SystemdSupport
import Testing

@Suite struct SystemdNotifierTests {
    @Test func sendsToAPathSocket() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let listener = try NotifySocketListener(path: directory.file("notify"))
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.path])
        notifier.ready(status: "serving")
        notifier.watchdog()
        notifier.stopping()
        #expect(listener.waitFor("STOPPING=1", timeoutSeconds: 5))
        let messages = listener.messages
        #expect(messages.first?.hasPrefix("READY=1\nSTATUS=serving\nMAINPID=") == true)
        #expect(messages.contains("WATCHDOG=1"))
    }

    @Test func sendsToAnAbstractSocket() throws {
        let name = "@loyaltyd-test-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifySocketListener(path: name)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": name]).send("STATUS=abstract"))
        #expect(listener.waitFor("STATUS=abstract", timeoutSeconds: 5))
    }

    @Test func doesNothingOutsideSystemd() {
        #expect(!SystemdNotifier(environment: [:]).send("READY=1"))
        #expect(!SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]).send("READY=1"))
    }
}

@Suite struct SocketActivationTests {
    @Test func findsDescriptorsMeantForThisProcess() {
        #expect(SocketActivation.passedDescriptors(environment: ["LISTEN_PID": "42", "LISTEN_FDS": "2"], processID: 42) == [3, 4])
        #expect(SocketActivation.passedDescriptors(environment: ["LISTEN_PID": "41", "LISTEN_FDS": "1"], processID: 42).isEmpty)
        #expect(SocketActivation.passedDescriptors(environment: ["LISTEN_FDS": "1"], processID: 42).isEmpty)
        #expect(SocketActivation.passedDescriptors(environment: ["LISTEN_PID": "42", "LISTEN_FDS": "x"], processID: 42).isEmpty)
    }

    @Test func standardErrorIsNotAListeningSocket() {
        #expect(!SocketActivation.isListeningUnixStream(2))
    }
}

@Suite struct WatchdogScheduleTests {
    @Test func pingsAtHalfTheTimeout() {
        #expect(WatchdogSchedule.pingInterval(environment: ["WATCHDOG_USEC": "30000000"], processID: 9) == .seconds(15))
        #expect(WatchdogSchedule.pingInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "9"], processID: 9) == .seconds(15))
        #expect(WatchdogSchedule.pingInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "8"], processID: 9) == nil)
        #expect(WatchdogSchedule.pingInterval(environment: [:], processID: 9) == nil)
        #expect(WatchdogSchedule.pingInterval(environment: ["WATCHDOG_USEC": "0"], processID: 9) == nil)
    }

    @Test func journaldPrioritiesFollowSyslog() {
        #expect(JournalLogHandler.priority(of: .error) == 3)
        #expect(JournalLogHandler.priority(of: .warning) == 4)
        #expect(JournalLogHandler.priority(of: .info) == 6)
        #expect(JournalLogHandler.priority(of: .debug) == 7)
    }
}
