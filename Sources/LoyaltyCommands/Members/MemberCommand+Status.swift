import ArgumentParser
import LoyaltyDomain
import LoyaltyStore

extension MemberCommand {
    /// `member block`.
    struct Block: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Block a member: tills can still look them up, but quotes and commits are refused (member_blocked).",
            discussion: "Blocking a blocked member changes nothing (exit status 0)."
        )

        @OptionGroup var member: MemberSelection
        @OptionGroup var options: CommonOptions

        func run() async throws {
            try await MemberCommand.set(member.reference, to: .blocked, options: options)
        }
    }

    /// `member unblock`.
    struct Unblock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unblock a member, so tills may quote and commit for them again.",
            discussion: "A merged member stays blocked (exit status 1). Unblocking an active member changes nothing (exit status 0)."
        )

        @OptionGroup var member: MemberSelection
        @OptionGroup var options: CommonOptions

        func run() async throws {
            try await MemberCommand.set(member.reference, to: .active, options: options)
        }
    }

    static func set(_ reference: MemberReference, to status: MemberStatus, options: CommonOptions) async throws {
        let store = try options.loadConfiguration().openCurrentStore()
        do {
            let outcome = try await store.setStatus(of: reference, to: status, nowMilliseconds: WallClock.system.now())
            let word = status == .blocked ? "blocked" : "unblocked"
            print(outcome.changed ? "member \(outcome.member) \(word)" : "member \(outcome.member) was already \(status == .blocked ? "blocked" : "active")")
        } catch {
            throw failure(error)
        }
    }
}
