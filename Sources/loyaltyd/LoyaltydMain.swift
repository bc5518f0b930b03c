import LoyaltyCommands

/// The `loyaltyd` executable: parses the command line; the commands live in LoyaltyCommands.
@main
struct LoyaltydMain {
    static func main() async {
        await LoyaltydCommand.main()
    }
}
