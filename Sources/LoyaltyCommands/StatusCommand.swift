import ArgumentParser
import TillClient
import TillProtocol

/// `loyaltyd status`: asks the running daemon.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Ask the running daemon for its state over the till socket.",
        discussion: "Exit status 1 when the daemon does not answer."
    )

    @OptionGroup var options: CommonOptions
    @Flag(help: "Print the daemon's JSON answer as is.") var json = false

    func run() async throws {
        let settings = try options.loadConfiguration()
        let status: JSONValue
        do {
            let client = try TillClient(path: settings.tillSocket.path)
            status = try client.result("status")
        } catch {
            printError(daemonUnreachableMessage(socketPath: settings.tillSocket.path, error: error))
            throw ExitCode.failure
        }
        if json {
            print(JSONWriter.string(of: status))
            return
        }
        guard case .object(let members) = status else { return print(JSONWriter.string(of: status)) }
        for (key, value) in members {
            switch value {
            case .string(let text): print("\(key): \(text)")
            default: print("\(key): \(JSONWriter.string(of: value))")
            }
        }
    }
}
