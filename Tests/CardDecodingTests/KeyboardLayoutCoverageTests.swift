import CardDecoding
import Foundation
import Testing

/// Every shipped keyboard layout typed key by key: each character of its file comes out of the
/// decoder when a scanner set to that layout presses the key (with Shift or AltGr as the file
/// says), every printable ASCII character can be typed (barcodes are ASCII), and the keys that
/// tell the layouts apart say what the real layouts say (xkb's gb, es, it, ch, se/fi, pl).
@Suite struct KeyboardLayoutCoverageTests {
    static let layouts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/CardDecoding/Layouts")
    static let files = ["us": "us", "de": "de", "fr": "fr", "ru": "ru", "uk": "uk", "es": "es", "it": "it",
                        "ch-de": "ch_de", "ch-fr": "ch_fr", "se": "se_fi", "fi": "se_fi", "pl": "pl"]

    /// One key stroke: usage, modifier byte (0x02 left Shift, 0x40 right Alt = AltGr), the character.
    typealias Stroke = (usage: UInt8, modifiers: UInt8, character: Character)

    /// The strokes a layout file lists, read here independently of the decoder.
    static func strokes(_ name: String) throws -> [Stroke] {
        let text = try String(contentsOf: layouts.appendingPathComponent("\(try #require(files[name])).layout"), encoding: .utf8)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.flatMap { line -> [Stroke] in
            let fields = line.split(separator: " ").map { $0 == "space" ? " " : String($0) }
            let usage = UInt8(fields[0], radix: 16)!
            return zip([UInt8(0), 0x02, 0x40], fields.dropFirst()).map { (usage, $0, Character($1)) }
        }
    }

    func typed(_ strokes: [Stroke], layout: String) throws -> String? {
        var decoder = KeyboardReportDecoder(layout: try #require(KeyboardLayout.named(layout)))
        let reports = strokes.flatMap { [[$0.modifiers, 0, $0.usage, 0, 0, 0, 0, 0], [UInt8](repeating: 0, count: 8)] }
        return (reports + [[0, 0, 0x28, 0, 0, 0, 0, 0]]).compactMap { decoder.feed($0) }.first
    }

    @Test func everyFileHasALayoutName() {
        #expect(Set(Self.files.keys) == Set(KeyboardLayout.names))
    }

    @Test(arguments: KeyboardLayout.names)
    func everyCharacterOfTheLayoutIsTyped(name: String) throws {
        let strokes = try Self.strokes(name)
        #expect(strokes.count > 90, "\(name) lists its keys with Shift and AltGr")
        #expect(try typed(strokes, layout: name) == String(strokes.map(\.character)))
    }

    @Test(arguments: KeyboardLayout.names.filter { $0 != "ru" })
    func everyPrintableASCIICharacterCanBeTyped(name: String) throws {
        let available = Set(try Self.strokes(name).map(\.character))
        let missing = (0x21...0x7E).map { Character(UnicodeScalar($0)!) }.filter { !available.contains($0) }
        #expect(missing.isEmpty, "\(name) cannot type \(String(missing))")
    }

    /// Keys where the layouts differ, from their published definitions.
    @Test func theKeysThatTellLayoutsApart() throws {
        func key(_ usage: UInt8, shift: Bool = false, altGr: Bool = false) -> [Stroke] {
            [(usage, (shift ? 0x02 : 0) | (altGr ? 0x40 : 0), " ")]
        }
        let shift3 = key(0x20, shift: true)
        #expect(try typed(shift3, layout: "uk") == "£")
        #expect(try typed(shift3, layout: "es") == "·")
        #expect(try typed(shift3, layout: "it") == "£")
        #expect(try typed(shift3, layout: "ch-de") == "*")
        #expect(try typed(shift3, layout: "se") == "#")
        #expect(try typed(shift3, layout: "pl") == "#")
        #expect(try typed(key(0x34, shift: true), layout: "uk") == "@", "UK: @ is Shift+'")
        #expect(try typed(key(0x1F, altGr: true), layout: "es") == "@")
        #expect(try typed(key(0x33, altGr: true), layout: "it") == "@", "Italian: @ is AltGr+ò")
        #expect(try typed(key(0x1F, altGr: true), layout: "ch-fr") == "@")
        #expect(try typed(key(0x1F, altGr: true), layout: "fi") == "@")
        #expect(try typed(key(0x1C) + key(0x1D), layout: "ch-de") == "zy", "QWERTZ")
        #expect(try typed(key(0x2F) + key(0x33) + key(0x34), layout: "ch-de") == "üöä")
        #expect(try typed(key(0x2F) + key(0x33) + key(0x34), layout: "ch-fr") == "èéà")
        #expect(try typed(key(0x2F) + key(0x33) + key(0x34), layout: "se") == "åöä")
        #expect(try typed(key(0x33), layout: "es") == "ñ")
        #expect(try typed(key(0x04, altGr: true) + key(0x16, altGr: true) + key(0x0F, altGr: true), layout: "pl") == "ąśł")
        #expect(try typed(key(0x64) + key(0x64, shift: true), layout: "uk") == "\\|")
    }
}
