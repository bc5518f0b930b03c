import ChainSync
import LoyaltyDomain
import LoyaltyConfig
import LoyaltyStore
import TillProtocol

/// The `status` method's result.
func statusReport(
    store: LoyaltyStore, configuration: LoyaltyConfiguration, startedAt: Int64, clock: WallClock,
    connections: Int, subscribers: Int, readers: ReaderDirectory, chain: ChainLink? = nil
) async -> JSONValue {
    let health = await store.health()
    var database: [(String, JSONValue)] = [
        ("state", .string(health.state)),
        ("path", .string(store.path)),
        ("schema_version", .integer(Int64(health.schemaVersion))),
        ("members", .integer(Int64(health.members))),
        ("purchases", .integer(Int64(health.purchases))),
    ]
    if let problem = health.problem { database.append(("problem", .string(problem))) }
    return .object([
        ("version", .string(LoyaltydVersion.current)),
        ("store_id", .string(configuration.storeID)),
        ("currency", .string(configuration.currency.code)),
        ("rules_version", .string(configuration.program.version)),
        ("uptime_seconds", .integer((clock.now() - startedAt) / 1000)),
    ] + readers.statusJSON + [
        ("database", .object(database)),
        ("connections", .integer(Int64(connections))),
        ("subscribers", .integer(Int64(subscribers))),
    ] + (chain.map { [("chain", chainStatus($0, nowMilliseconds: clock.now()))] } ?? []))
}

/// The `chain` member of `status`, present only in a chain (docs/protocol.md §7).
func chainStatus(_ link: ChainLink, nowMilliseconds: Int64) -> JSONValue {
    let state = link.current
    let offlineSince = link.offlineSince(nowMilliseconds: nowMilliseconds)
    return .object([
        ("state", .string(offlineSince == nil ? "online" : "offline")),
        ("offline_seconds", offlineSince.map { .integer((nowMilliseconds - $0) / 1000) } ?? .null),
        ("last_contact_seconds_ago", state.lastContactMilliseconds.map { .integer((nowMilliseconds - $0) / 1000) } ?? .null),
        ("last_error", state.lastError.map(JSONValue.string) ?? .null),
        ("cursor", .integer(state.cursor)),
        ("clock_offset_ms", state.clockOffsetMilliseconds.map(JSONValue.integer) ?? .null),
    ])
}
