/// Who is on the other end of a till connection, from the kernel (`SO_PEERCRED`), so it cannot be
/// forged by the client. Laid out exactly as Linux's `struct ucred`.
public struct PeerCredentials: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    public var description: String { "pid=\(pid) uid=\(uid) gid=\(gid)" }
}

/// Which peers may use the till socket. Empty lists allow everyone who can open the socket file
/// (its mode and group are the first gate); root is always allowed.
public struct PeerPolicy: Sendable, Hashable {
    public var allowedUIDs: Set<UInt32>
    public var allowedGIDs: Set<UInt32>

    public init(allowedUIDs: Set<UInt32> = [], allowedGIDs: Set<UInt32> = []) {
        self.allowedUIDs = allowedUIDs
        self.allowedGIDs = allowedGIDs
    }

    /// Whether `peer` may connect. `groups` lists the peer user's supplementary groups; it is
    /// asked only when the primary group is not enough.
    public func allows(_ peer: PeerCredentials?, groups: (UInt32) -> [UInt32] = { _ in [] }) -> Bool {
        guard let peer else { return allowedUIDs.isEmpty && allowedGIDs.isEmpty }
        if peer.uid == 0 { return true }
        if !allowedUIDs.isEmpty, !allowedUIDs.contains(peer.uid) { return false }
        if !allowedGIDs.isEmpty, !allowedGIDs.contains(peer.gid) {
            return groups(peer.uid).contains(where: allowedGIDs.contains)
        }
        return true
    }
}
