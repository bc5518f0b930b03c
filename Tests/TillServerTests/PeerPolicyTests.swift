import Testing
import TillServer

@Suite struct PeerPolicyTests {
    let peer = PeerCredentials(pid: 10, uid: 1001, gid: 1001)

    @Test func emptyListsAllowEveryone() {
        #expect(PeerPolicy().allows(peer))
        #expect(PeerPolicy().allows(nil))
    }

    @Test func listsRestrictByUserAndGroupButNeverRoot() {
        #expect(!PeerPolicy(allowedUIDs: [1002]).allows(peer))
        #expect(PeerPolicy(allowedUIDs: [1001]).allows(peer))
        #expect(!PeerPolicy(allowedGIDs: [2000]).allows(peer))
        #expect(PeerPolicy(allowedGIDs: [2000]).allows(peer, groups: { _ in [1001, 2000] }), "supplementary groups count")
        #expect(PeerPolicy(allowedUIDs: [1002], allowedGIDs: [1]).allows(PeerCredentials(pid: 1, uid: 0, gid: 0)))
        #expect(!PeerPolicy(allowedUIDs: [1001]).allows(nil), "an unknown peer is refused when a list is set")
    }

    @Test func rootsGroupsComeFromTheUserDatabase() {
        #expect(PeerCredentials.groups(ofUser: 0).contains(0))
    }
}
