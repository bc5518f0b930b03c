@testable import ContactlessReaders
import Testing

/// Reading a member number from a Type 2 tag's NDEF message, against tag memories laid out as NFC
/// Forum Type 2 tags are, answered as a PC/SC reader answers READ BINARY.
@Suite struct NDEFMemberNumberTests {
    /// Pages 0–3 of an NTAG213 (UID, lock bytes, capability container `E1 10 12 00`) and `data` from page 4.
    static func tag(_ data: [UInt8], capability: [UInt8] = [0xE1, 0x10, 0x12, 0x00]) -> [UInt8] {
        let header: [UInt8] = [0x04, 0x5B, 0x1E, 0xB1, 0x72, 0x6A, 0x5E, 0x80, 0xC0, 0x48, 0x00, 0x00] + capability
        return header + data + [UInt8](repeating: 0, count: max(0, 180 - header.count - data.count))
    }

    static func textRecord(_ text: String, language: String = "en") -> [UInt8] {
        let payload: [UInt8] = [UInt8(language.utf8.count)] + Array(language.utf8) + Array(text.utf8)
        return [0xD1, 0x01, UInt8(payload.count), 0x54] + payload
    }

    /// Reads `memory` as a reader would, counting the READ BINARY commands.
    static func read(_ memory: [UInt8], reads: inout Int) -> Result<String, NDEFMemberNumber.Problem> {
        var count = 0
        let result = NDEFMemberNumber.read { page in
            count += 1
            let start = Int(page) * 4
            guard start < memory.count else { return [0x6B, 0x00] }
            let bytes = Array(memory[start..<min(memory.count, start + 16)])
            return bytes + [UInt8](repeating: 0, count: 16 - bytes.count) + [0x90, 0x00]
        }
        reads = count
        return result
    }

    @Test func aShortTextRecordIsReadInOneCommand() {
        var reads = 0
        let memory = Self.tag([0x03, 0x0A] + Self.textRecord("123") + [0xFE])
        #expect(Self.read(memory, reads: &reads) == .success("123"))
        #expect(reads == 1)
    }

    @Test func aLockControlTLVAndALongerNumberNeedMorePages() {
        var reads = 0
        let record = Self.textRecord("2900000012349")
        let memory = Self.tag([0x01, 0x03, 0xA0, 0x0C, 0x34, 0x03, UInt8(record.count)] + record + [0xFE])
        #expect(Self.read(memory, reads: &reads) == .success("2900000012349"))
        #expect(reads == 2, "27 bytes of TLVs: 12 come with the capability container, 16 with the next command")
    }

    @Test func aURIRecordGivesItsURIWithItsAbbreviationWrittenOut() {
        var reads = 0
        let payload: [UInt8] = [0x04] + Array("club.example/m/2900000012349".utf8)
        let record: [UInt8] = [0xD1, 0x01, UInt8(payload.count), 0x55] + payload
        let memory = Self.tag([0x03, UInt8(record.count)] + record + [0xFE])
        #expect(Self.read(memory, reads: &reads) == .success("https://club.example/m/2900000012349"))
    }

    @Test func theFirstTextOrURIRecordCountsAndTheLongLengthFormIsRead() {
        var reads = 0
        // A MIME record first (not short: 4-byte payload length), then the text record.
        let mime: [UInt8] = [0x82, 0x0A, 0x00, 0x00, 0x00, 0x02] + Array("text/plain".utf8) + [0x41, 0x42]
        var text = Self.textRecord("4711")
        text[0] = 0x51  // not the first record, the last
        let message = mime + text
        let memory = Self.tag([0x00, 0x00, 0x03, 0xFF, 0x00, UInt8(message.count)] + message + [0xFE])
        #expect(Self.read(memory, reads: &reads) == .success("4711"))
    }

    @Test func aUTF16TextRecordIsDecoded() {
        var reads = 0
        let text = Array("4711".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let payload: [UInt8] = [0x82] + Array("en".utf8) + text
        let record: [UInt8] = [0xD1, 0x01, UInt8(payload.count), 0x54] + payload
        #expect(Self.read(Self.tag([0x03, UInt8(record.count)] + record + [0xFE]), reads: &reads) == .success("4711"))
    }

    @Test func cardsWithoutAMemberNumberSayWhy() {
        var reads = 0
        func problem(_ memory: [UInt8]) -> String {
            guard case .failure(let problem) = Self.read(memory, reads: &reads) else { return "read" }
            return problem.description
        }
        #expect(problem(Self.tag([], capability: [0, 0, 0, 0])) == "no NDEF on the card (no capability container in page 3)")
        #expect(problem(Self.tag([0x03, 0x00, 0xFE])) == "the NDEF message on the card is empty")
        #expect(problem(Self.tag([0xFE])) == "no NDEF message on the card")
        #expect(problem(Self.tag([0x03, 0x04, 0xD1, 0x01, 0x10, 0x54, 0xFE])) == "the NDEF record is longer than its message")
        let uri: [UInt8] = [0xD1, 0x01, 0x02, 0x55, 0x40, 0x31]
        #expect(problem(Self.tag([0x03, UInt8(uri.count)] + uri + [0xFE])) == "the NDEF URI record has an unknown abbreviation code 64")
        let smartPoster: [UInt8] = [0xD1, 0x02, 0x01, 0x53, 0x70, 0x00]
        #expect(problem(Self.tag([0x03, UInt8(smartPoster.count)] + smartPoster + [0xFE])) == "the NDEF message has no text or URI record")
        // A MIFARE Classic on an ACR122U: READ BINARY of page 3 is refused.
        let refused = NDEFMemberNumber.read { _ in [0x63, 0x00] }
        #expect(refused == .failure(NDEFMemberNumber.Problem("READ BINARY answered 6300")))
    }

    @Test func aMessageRunningPastTheDataAreaStopsThere() {
        var reads = 0
        // The capability container says 16 bytes of data area; the TLV claims 100.
        let memory = Self.tag([0x03, 0x64] + [UInt8](repeating: 0xD1, count: 60), capability: [0xE1, 0x10, 0x02, 0x00])
        #expect(Self.read(memory, reads: &reads) == .failure(NDEFMemberNumber.Problem("the NDEF data runs past the tag's data area")))
        #expect(reads <= 2)
    }
}
