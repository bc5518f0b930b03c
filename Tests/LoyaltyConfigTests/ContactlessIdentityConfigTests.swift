import LoyaltyConfig
import Testing

/// `readers.contactless.identify_by` (issue 12): the UID by default, `ndef` for a member number
/// written on the tag; anything else is refused with its line and key.
@Suite struct ContactlessIdentityConfigTests {
    let minimal = """
        store:
          id: s1
        currency:
          code: EUR
        """

    @Test func theUIDIdentifiesByDefaultAndNDEFCanBeChosen() throws {
        #expect(try ConfigLoader.parse(minimal, file: "x.yaml").readers.contactlessIdentity == .uid)
        let ndef = try ConfigLoader.parse(minimal + "\nreaders:\n  contactless:\n    identify_by: ndef\n", file: "x.yaml")
        #expect(ndef.readers.contactlessIdentity == .ndef)
    }

    @Test func anUnknownIdentityIsReportedWithItsLineAndKey() {
        do {
            _ = try ConfigLoader.parse(minimal + "\nreaders:\n  contactless:\n    identify_by: nfc\n", file: "loyaltyd.yaml")
            Issue.record("identify_by: nfc was accepted")
        } catch {
            #expect(error.line == 7)
            #expect(error.keyPath == "readers.contactless.identify_by")
            #expect(error.description.contains("\"nfc\" is not one of uid, ndef"), "\(error.description)")
        }
    }
}
