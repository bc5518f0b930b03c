import Foundation
import LoyaltyTestSupport
import Testing
import TillProtocol

/// Card reads in the metrics, from real taps on the virtual PC/SC readers. An extension of the
/// contactless suite, so that it shares that suite's one pcscd and runs serialized with it.
extension ContactlessReaderTests {
    @Test func cardReadsAndReadersAreInTheMetrics() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let textfile = directory.file("loyaltyd.prom")
        let daemon = try TemporaryDaemon { $0.contactlessEnabled = true }
        defer { daemon.cleanUp() }
        let handle = try #require(FileHandle(forWritingAtPath: daemon.configPath))
        handle.seekToEndOfFile()
        handle.write(Data("\nmetrics:\n  textfile: \(textfile)\n  interval_seconds: 1\n".utf8))
        try handle.close()
        try daemon.start()
        let till = try daemon.client()
        _ = try till.result("member.enroll", .object([("card", .object([("kind", "uid"), ("value", "04A1B2C3D4E5F6")]))]))
        #expect(try till.result("events.subscribe")["subscribed"] == true)
        #expect(waitForReaders(till, count: 2))
        #expect(waitUntil { MetricsScrape.textfile(textfile)?["loyaltyd_readers_present"] == 2 })

        let reader = VirtualPCSC.readerNames[0]
        let member = "loyaltyd_card_reads_total{reader=\"\(reader)\",result=\"member\"}"
        let unknown = "loyaltyd_card_reads_total{reader=\"\(reader)\",result=\"unknown_card\"}"
        #expect(MetricsScrape.textfile(textfile)?[member] == nil)
        let anna = try VirtualCard(reader: 0, uid: Self.anna)
        #expect(try nextCardRead(till)["result"] == "member")
        anna.remove()
        let stranger = try VirtualCard(reader: 0, uid: [0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66])
        #expect(try nextCardRead(till)["result"] == "unknown_card")
        stranger.remove()
        #expect(waitUntil { MetricsScrape.textfile(textfile)?[unknown] == 1 })
        #expect(MetricsScrape.textfile(textfile)?[member] == 1)
    }
}
