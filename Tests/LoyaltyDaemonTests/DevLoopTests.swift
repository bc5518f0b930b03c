import Foundation
import LoyaltyTestSupport
import Testing
import TillProtocol

/// The dev loop: `LOYALTYD_CONFIG`, `LOYALTYD_DATABASE` and `LOYALTYD_SOCKET` stand in for the
/// flags (flag > variable > configuration > default), `make run` prints the line exporting them,
/// and a missing file gets one line saying which file and what sets it. All against the real binary.
@Suite struct DevLoopTests {
    /// The checkout this test was built from.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// What Foundation says when it is let through; a user should never see it.
    func expectPlain(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!line.contains("operation could not be completed"), sourceLocation: sourceLocation)
        #expect(!line.contains("NSCocoaErrorDomain"), sourceLocation: sourceLocation)
        #expect(line.hasSuffix("\n") && line.dropLast().split(separator: "\n").count == 1, "one line: \(line)", sourceLocation: sourceLocation)
    }

    @Test func makeRunsExportLineIsTheReadmesAndWorks() throws {
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/make")
        make.arguments = ["-s", "--no-print-directory", "-C", root, "dev-env"]
        let output = Pipe()
        make.standardOutput = output
        try make.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        make.waitUntilExit()
        #expect(make.terminationStatus == 0)
        let lines = text.split(separator: "\n")
        let line = try #require(lines.count == 1 ? String(lines[0]) : nil, "one line: \(text)")
        #expect(line == "export LOYALTYD_CONFIG=\(root)/config/loyaltyd.yaml LOYALTYD_DATABASE=\(root)/.local/loyaltyd.sqlite LOYALTYD_SOCKET=\(root)/.local/till.sock")

        // The README shows the same line, written for the checkout's folder, right after the start commands.
        let readme = try String(contentsOfFile: "\(root)/README.md", encoding: .utf8)
        let portable = line.replacingOccurrences(of: root, with: "$PWD")
        let startHere = try #require(readme.range(of: "make test    #"))
        let exportLine = try #require(readme.range(of: portable + "\n"), "README lacks \(portable)")
        #expect(startHere.upperBound < exportLine.lowerBound)
        #expect(!readme[startHere.upperBound..<exportLine.lowerBound].contains("\n## "), "the export is in 'Start here'")

        // Its variables alone take a command to the checkout's configuration.
        var variables: [String: String] = [:]
        for assignment in line.dropFirst("export ".count).split(separator: " ") {
            let parts = assignment.split(separator: "=", maxSplits: 1)
            #expect(parts[1].hasPrefix("/"), "absolute: \(assignment)")
            variables[String(parts[0])] = String(parts[1])
        }
        let check = try LoyaltydBinary.run(["config", "check"], environment: variables)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.hasPrefix("\(root)/config/loyaltyd.yaml: ok\n"))
    }

    @Test func aFlagWinsOverItsVariableAndTheVariableOverTheConfiguration() throws {
        let first = try TemporaryDatabase()
        defer { first.remove() }
        let second = try TemporaryDatabase()
        defer { second.remove() }
        // LOYALTYD_CONFIG alone: the configuration's database.
        let added = try LoyaltydBinary.run(["member", "add", "--card", "barcode:4001"], environment: ["LOYALTYD_CONFIG": first.configPath])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(first.sql("SELECT count(*) FROM members;") == "1")
        // LOYALTYD_DATABASE over the configuration's database.path.
        let elsewhere = ["LOYALTYD_CONFIG": first.configPath, "LOYALTYD_DATABASE": second.databasePath]
        #expect(try LoyaltydBinary.run(["member", "add", "--card", "barcode:4002"], environment: elsewhere).status == 0)
        #expect(second.sql("SELECT count(*) FROM members;") == "1")
        #expect(first.sql("SELECT count(*) FROM members;") == "1")
        // --database over LOYALTYD_DATABASE, --config over LOYALTYD_CONFIG.
        let flagged = try LoyaltydBinary.run(["member", "find", "--card", "barcode:4001", "--database", first.databasePath], environment: elsewhere)
        #expect(flagged.status == 0, "\(flagged.stderr)")
        let wrongConfig = ["LOYALTYD_CONFIG": "/nonexistent/loyaltyd.yaml"]
        #expect(try LoyaltydBinary.run(["config", "check", "--config", first.configPath], environment: wrongConfig).status == 0)
        // An empty variable counts as unset: the default file is the one read.
        let unset = try LoyaltydBinary.run(["config", "check"], environment: ["LOYALTYD_CONFIG": ""])
        #expect((unset.stdout + unset.stderr).contains("/etc/loyaltyd/loyaltyd.yaml"))
    }

    @Test func theSocketVariableReachesTheDaemon() throws {
        let daemon = try TemporaryDaemon().start()
        defer { daemon.cleanUp() }
        let other = try TemporaryDatabase()
        defer { other.remove() }
        // The other configuration names a socket with no daemon; LOYALTYD_SOCKET points at the running one.
        let variables = ["LOYALTYD_CONFIG": other.configPath, "LOYALTYD_SOCKET": daemon.socketPath]
        let status = try LoyaltydBinary.run(["status", "--json"], environment: variables)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("\"state\""))
        let flagged = try LoyaltydBinary.run(["status", "--socket", other.directory.file("none.sock")], environment: variables)
        #expect(flagged.status == 1)
        #expect(flagged.stderr.hasPrefix("the daemon does not answer on \(other.directory.file("none.sock")): "))
        #expect(flagged.stderr.contains("--socket, LOYALTYD_SOCKET"))
        expectPlain(flagged.stderr)
    }

    @Test func aMissingFileGetsOneLineNamingItAndWhatSetsIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let onDirectory = try LoyaltydBinary.run(["config", "check", "--config", directory.path])
        #expect(onDirectory.status == 78)
        #expect(onDirectory.stderr == "cannot read the configuration file \(directory.path) (--config): it is a directory, not a file; --config FILE or LOYALTYD_CONFIG sets it\n")
        expectPlain(onDirectory.stderr)

        let missing = directory.file("loyaltyd.yaml")
        for command in [["config", "check"], ["status"], ["member", "find", "--name", "x"], ["db", "verify"], ["doctor"]] {
            let result = try LoyaltydBinary.run(command, environment: ["LOYALTYD_CONFIG": missing])
            if command == ["doctor"] {
                #expect(result.status == 1)
                #expect(result.stdout.contains("FAIL  config: \(missing): cannot read the file: it does not exist"), "\(result.stdout)")
                #expect(!result.stdout.contains("operation could not be completed"))
                continue
            }
            #expect(result.status == 78, "\(command)")
            #expect(result.stderr == "cannot read the configuration file \(missing) (LOYALTYD_CONFIG): it does not exist; --config FILE or LOYALTYD_CONFIG sets it\n")
        }

        let database = try TemporaryDatabase()
        defer { database.remove() }
        let noDatabase = try LoyaltydBinary.run(
            ["member", "find", "--name", "x"], environment: ["LOYALTYD_CONFIG": database.configPath, "LOYALTYD_DATABASE": missing])
        #expect(noDatabase.status == 1)
        #expect(noDatabase.stderr.hasPrefix("the database \(missing) does not exist: check --database, LOYALTYD_DATABASE or database.path"))
        expectPlain(noDatabase.stderr)
        #expect(!FileManager.default.fileExists(atPath: missing), "nothing created")
    }

    @Test func everyHelpNamesTheVariables() throws {
        let dump = try JSONParser.parse(Array(try LoyaltydBinary.run(["--experimental-dump-help"]).stdout.utf8))
        var seen = 0
        func walk(_ command: JSONValue) {
            if case .array(let arguments)? = command["arguments"] {
                for argument in arguments {
                    guard case .array(let names)? = argument["names"] else { continue }
                    for name in names {
                        guard case .string(let long)? = name["name"], let variable = ["config": "LOYALTYD_CONFIG", "database": "LOYALTYD_DATABASE", "socket": "LOYALTYD_SOCKET"][long],
                              case .string(let abstract)? = argument["abstract"] else { continue }
                        // Only the common options: `chain` has options of its own with other names.
                        seen += 1
                        #expect(abstract.contains("$\(variable)"), "\(command["commandName"] ?? .null) --\(long): \(abstract)")
                    }
                }
            }
            if case .array(let children)? = command["subcommands"] { children.forEach(walk) }
        }
        walk(try #require(dump["command"]))
        #expect(seen > 60, "the common options appear on every command that reads the configuration")
        let root = try LoyaltydBinary.run(["--help"])
        for variable in ["LOYALTYD_CONFIG", "LOYALTYD_DATABASE", "LOYALTYD_SOCKET"] { #expect(root.stdout.contains(variable)) }
    }
}
