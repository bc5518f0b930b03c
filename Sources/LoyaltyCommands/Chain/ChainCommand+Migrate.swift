import ArgumentParser
import ChainSync
import LoyaltyConfig
import Logging

extension ChainCommand {
    /// `chain migrate`: creates or upgrades the central schema.
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or upgrade the chain's central schema (numbered migrations, each applied once).",
            discussion: """
                Run it as the central database's admin role (it needs CREATE on the database and \
                CREATEROLE, not superuser). Safe to run again and from two places at once. Exit status 1 \
                when the centre cannot be reached or a migration fails.
                """
        )

        @OptionGroup var centre: CentreOptions

        func run() async throws {
            let address = try centre.address()
            do {
                let applied = try await CentralSchema.migrate(address, logger: Logger(label: "loyaltyd.chain"))
                print(applied.isEmpty ? "the central schema is current" : "applied: \(applied.joined(separator: ", "))")
            } catch {
                printError("chain migrate failed: \(ChainErrorText.of(error))")
                throw ExitCode.failure
            }
        }
    }

    /// `chain add-box`: a login role for a new box, registered for its store.
    struct AddBox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-box",
            abstract: "Create a box's PostgreSQL role and register the box for its store (head office, once per box).",
            discussion: """
                The role may only call the chain's functions; the centre takes the box's store from it, so \
                a box cannot write another store's facts. Give --box-password-file for a password (SCRAM) \
                login, or leave it out for a box that logs in with a client certificate whose name is the role.
                """
        )

        @OptionGroup var centre: CentreOptions
        @Option(help: ArgumentHelp("The box's id, as its facts will name it.", valueName: "id")) var box: String
        @Option(help: ArgumentHelp("The store the box belongs to (its store.id).", valueName: "id")) var store: String
        @Option(help: ArgumentHelp("The box's PostgreSQL login role (letters, digits, _).", valueName: "name")) var role: String
        @Option(help: ArgumentHelp("A file holding the box role's password.", valueName: "file"), completion: .file())
        var boxPasswordFile: String?

        func run() async throws {
            let address = try centre.address()
            var password: String?
            if let boxPasswordFile {
                guard let text = try? String(contentsOfFile: boxPasswordFile, encoding: .utf8) else {
                    printError("cannot read \(boxPasswordFile)")
                    throw ExitCode.failure
                }
                password = text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            do {
                try await CentralSchema.addBox(address, boxID: box, storeID: store, role: role, password: password, logger: Logger(label: "loyaltyd.chain"))
                print("box \(box) of store \(store) registered with role \(role)")
            } catch {
                printError("chain add-box failed: \(ChainErrorText.of(error))")
                throw ExitCode.failure
            }
        }
    }
}

extension ChainCommand.CentreOptions {
    func address() throws -> CentralDatabaseAddress {
        guard let mode = ChainOptions.TLSOptions.Mode(rawValue: sslmode) else {
            throw ValidationError("--sslmode: one of disable, require, verify-full")
        }
        do {
            return try CentralDatabaseAddress(url: url, passwordFile: passwordFile, tls: .init(mode: mode, caFile: sslrootcert))
        } catch {
            throw ValidationError(error.description)
        }
    }
}
