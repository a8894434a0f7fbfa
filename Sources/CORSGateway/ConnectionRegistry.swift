import HummingbirdCore
import NIOCore
import Synchronization

/// The client connections open, and which of them wait idle for a next request: at the connection cap, the one
/// idle the longest is closed to make room, as nginx reuses idle keep-alive connections when it runs out
/// (`ngx_drain_connections`). A connection in the middle of a request is never closed for room.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        var idleSince: ContinuousClock.Instant?
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    func opened(_ channel: any Channel) {
        entries.withLock { $0[ObjectIdentifier(channel)] = Entry(channel: channel, idleSince: .now) }
    }

    func closed(_ channel: any Channel) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Marks a connection idle (waiting for the first byte of a request) or busy.
    func setIdle(_ channel: any Channel, _ idle: Bool) {
        entries.withLock { $0[ObjectIdentifier(channel)]?.idleSince = idle ? .now : nil }
    }

    var count: Int { entries.withLock { $0.count } }

    /// Closes the longest-idle connection, if any; returns whether one was closed.
    @discardableResult
    func evictIdle() -> Bool {
        let victim: (any Channel)? = entries.withLock { entries in
            guard
                let oldest = entries.filter({ $0.value.idleSince != nil }).min(by: {
                    $0.value.idleSince! < $1.value.idleSince!
                })
            else { return nil }
            entries[oldest.key]?.idleSince = nil
            return oldest.value.channel
        }
        victim?.close(promise: nil)
        return victim != nil
    }
}

/// Hummingbird's hook on accepting connections: below the cap, accept; at it, make room by closing an idle
/// connection (accepting resumes when it has closed), or leave new connections in the listen backlog.
struct ConnectionCap: AvailableConnectionsDelegate {
    let maximum: Int
    let registry: ConnectionRegistry
    var open = 0

    mutating func connectionOpened() { open += 1 }
    mutating func connectionClosed() { open -= 1 }

    func isAcceptingNewConnections() -> Bool {
        if open < maximum { return true }
        registry.evictIdle()
        return false
    }
}
