import CPCSCLite
@testable import ContactlessReaders
import Testing

@Suite struct ReaderTableTests {
    let empty = DWORD(SCARD_STATE_EMPTY)
    let present = DWORD(SCARD_STATE_PRESENT)

    /// `state` with pcsc-lite's event counter in the high 16 bits.
    func counted(_ state: DWORD, _ counter: DWORD) -> DWORD { state | counter << 16 }

    @Test func aCardAlreadyThereAtFirstSightIsNotAPresentation() {
        var table = ReaderTable()
        #expect(table.update(to: ["r"]) == [.added("r")])
        #expect(table.record("r", state: counted(present, 1)) == nil)
        #expect(table.record("r", state: counted(present, 1)) == nil, "still there: no new read")
    }

    @Test func aCardArrivingIsReadOnceAndAgainAfterRemoval() {
        var table = ReaderTable()
        _ = table.update(to: ["r"])
        _ = table.record("r", state: counted(empty, 0))
        #expect(table.record("r", state: counted(present, 1)) == .newCard)
        #expect(table.record("r", state: counted(present | DWORD(SCARD_STATE_INUSE), 1)) == nil, "our own connect is not a new card")
        #expect(table.record("r", state: counted(empty, 2)) == nil)
        #expect(table.record("r", state: counted(present, 3)) == .newCard)
    }

    @Test func theEventCounterRevealsARemovalBetweenTwoWaits() {
        var table = ReaderTable()
        _ = table.update(to: ["r"])
        _ = table.record("r", state: counted(empty, 0))
        _ = table.record("r", state: counted(present, 1))
        #expect(table.record("r", state: counted(present, 3)) == .newCard, "removed and presented again in between")
    }

    @Test func aMuteCardIsSaidToBe() {
        var table = ReaderTable()
        _ = table.update(to: ["r"])
        _ = table.record("r", state: counted(empty, 0))
        #expect(table.record("r", state: counted(present | DWORD(SCARD_STATE_MUTE), 1)) == .muteCard)
    }

    @Test func readersComeAndGo() {
        var table = ReaderTable()
        _ = table.update(to: ["a", "b"])
        #expect(table.update(to: ["b", "c"]) == [.added("c"), .removed("a")])
        #expect(table.names == ["b", "c"])
        #expect(table.record("a", state: present) == nil, "a reader that left is forgotten")
    }

    @Test func getDataAnswersAreChecked() {
        #expect(CardUID.uid(fromAnswer: [0x04, 0xA1, 0x90, 0x00]) == [0x04, 0xA1])
        #expect(CardUID.uid(fromAnswer: [0x90, 0x00]) == nil, "an empty UID is no UID")
        #expect(CardUID.uid(fromAnswer: [0x04, 0xA1, 0x6A, 0x81]) == nil)
        #expect(CardUID.hex([0x04, 0xA1, 0x0F]) == "04A10F")
    }
}
