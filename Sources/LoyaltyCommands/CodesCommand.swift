import ArgumentParser
import LoyaltyDomain
import LoyaltyStore

/// `loyaltyd codes …`: single-use promotion codes, straight on the database.
struct CodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codes",
        abstract: "Generate single-use promotion codes for a rule.",
        subcommands: [Generate.self]
    )

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate --count new single-use codes for --rule and print them as CSV (code,rule_id).",
            discussion: """
                The rule must be in the configuration with `when: {single_use_codes: true}`. Each code is \
                stored and can be used by one purchase; a refund of that whole purchase gives it back. \
                Codes are --prefix followed by 10 characters of Crockford's base 32 (no I, L, O or U). \
                Exit status: 1 when the rule is unknown or takes no single-use codes.
                """
        )

        @Option(name: .customLong("rule"), help: ArgumentHelp("The rule's id in program.rules.", valueName: "id")) var ruleID: String
        @Option(name: .customLong("count"), help: ArgumentHelp("How many codes, 1 to 100000.", valueName: "n")) var count: Int
        @Option(name: .customLong("prefix"), help: ArgumentHelp("Text before each code, such as SPRING- (at most 20 letters, digits or -).", valueName: "text"))
        var prefix: String = ""
        @OptionGroup var options: CommonOptions

        func validate() throws {
            guard (1...100_000).contains(count) else { throw ValidationError("--count must be 1 to 100000") }
            guard prefix.count <= 20, prefix.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }) else {
                throw ValidationError("--prefix: at most 20 letters, digits or -")
            }
        }

        func run() async throws {
            let settings = try options.loadConfiguration()
            guard let rule = settings.program.rules.first(where: { $0.id == ruleID }) else {
                printError("no rule \"\(ruleID)\" in program.rules")
                throw ExitCode.failure
            }
            guard rule.conditions.singleUseCodes else {
                printError("the rule \(ruleID) takes no single-use codes: give it when: {single_use_codes: true}")
                throw ExitCode.failure
            }
            let store = try settings.openCurrentStore()
            let codes = try await store.generateCodes(ruleID: ruleID, count: count, prefix: prefix, nowMilliseconds: WallClock.system.now())
            print("code,rule_id")
            for code in codes { print("\(code),\(ruleID)") }
        }
    }
}
