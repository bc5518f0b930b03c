import CPCSCLite

/// The readers the monitor knows and the last state of each: decides which state changes are a
/// card newly presented. Pure bookkeeping, tested without pcscd.
struct ReaderTable {
    enum Change: Equatable {
        case added(String)
        case removed(String)
    }

    enum Presentation: Equatable {
        /// A card arrived (or left and came back between two waits): read it.
        case newCard
        /// A card arrived but does not answer.
        case muteCard
    }

    private var states: [String: DWORD] = [:]
    /// Readers not yet seen in a wait: a card already on them at start is not a presentation.
    private var unobserved: Set<String> = []
    private(set) var names: [String] = []

    /// Brings the list of readers up to date.
    mutating func update(to current: [String]) -> [Change] {
        let added = current.filter { states[$0] == nil }
        let removed = names.filter { !current.contains($0) }
        for name in added {
            states[name] = DWORD(SCARD_STATE_UNAWARE)
            unobserved.insert(name)
        }
        for name in removed {
            states[name] = nil
            unobserved.remove(name)
        }
        names = current
        return added.map(Change.added) + removed.map(Change.removed)
    }

    func lastState(of reader: String) -> DWORD {
        states[reader] ?? DWORD(SCARD_STATE_UNAWARE)
    }

    /// Records `state` for `reader` and says whether it is a presentation to act on.
    mutating func record(_ reader: String, state: DWORD) -> Presentation? {
        guard let previous = states[reader] else { return nil }
        let current = state & ~DWORD(SCARD_STATE_CHANGED)
        states[reader] = current
        if unobserved.remove(reader) != nil { return nil }
        let present = current & DWORD(SCARD_STATE_PRESENT) != 0
        guard present else { return nil }
        let wasPresent = previous & DWORD(SCARD_STATE_PRESENT) != 0
        let counterMoved = (previous >> 16) & 0xFFFF != (current >> 16) & 0xFFFF
        guard !wasPresent || counterMoved else { return nil }
        return current & DWORD(SCARD_STATE_MUTE) != 0 ? .muteCard : .newCard
    }

    static func stateNames(_ bits: DWORD) -> [String] {
        let known: [(UInt32, String)] = [
            (UInt32(SCARD_STATE_IGNORE), "ignore"), (UInt32(SCARD_STATE_UNKNOWN), "unknown"),
            (UInt32(SCARD_STATE_UNAVAILABLE), "unavailable"), (UInt32(SCARD_STATE_EMPTY), "empty"),
            (UInt32(SCARD_STATE_PRESENT), "present"), (UInt32(SCARD_STATE_ATRMATCH), "atrmatch"),
            (UInt32(SCARD_STATE_EXCLUSIVE), "exclusive"), (UInt32(SCARD_STATE_INUSE), "inuse"),
            (UInt32(SCARD_STATE_MUTE), "mute"), (UInt32(SCARD_STATE_UNPOWERED), "unpowered"),
        ]
        return known.filter { UInt32(truncatingIfNeeded: bits) & $0.0 != 0 }.map(\.1)
    }
}
