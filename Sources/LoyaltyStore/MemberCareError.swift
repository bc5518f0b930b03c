import GRDB
import LoyaltyDomain

/// Why a technician's member or card operation (`loyaltyd member …`, `loyaltyd card …`) was refused.
///
/// Messages name members by id and carriers masked, never by personal data, so they are safe in
/// any output.
public enum MemberCareError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the till would be told too: unknown member or card, carrier in use, storage unavailable.
    case store(StoreError)
    /// The member was merged into another one; act on that one instead.
    case merged(MemberID, into: MemberID)
    /// A merge of a member with itself.
    case sameMember
    /// A value the operation cannot take (an empty name, a group too long …).
    case invalid(String)

    public var description: String {
        switch self {
        case .store(.unknownMember): "no such member"
        case .store(.unknownCard(let carrier)): "no member has the card \(carrier.masked)"
        case .store(let error): error.description
        case .merged(let member, let survivor): "member \(member) was merged into \(survivor); use that member"
        case .sameMember: "a member cannot be merged into itself"
        case .invalid(let why): why
        }
    }
}

extension LoyaltyStore {
    /// ``write(_:)`` for the technician's operations: a ``MemberCareError`` thrown inside stays
    /// what it is, and store failures are wrapped in ``MemberCareError/store(_:)``.
    func careWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(MemberCareError) -> T {
        do {
            return try await commits.write(body)
        } catch let error as MemberCareError {
            throw error
        } catch {
            throw .store(Self.storeError(error))
        }
    }

    /// ``read(_:)`` with the same error mapping as ``careWrite(_:)``.
    func careRead<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(MemberCareError) -> T {
        do {
            return try await pool.read(body)
        } catch let error as MemberCareError {
            throw error
        } catch {
            throw .store(Self.storeError(error))
        }
    }
}
