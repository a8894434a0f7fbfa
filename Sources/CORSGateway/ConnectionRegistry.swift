import HummingbirdCore
import NIOCore
import Synchronization

/// The client connections open, and which of them wait idle for a next request: at the connection cap, the one
/// idle the longest is closed to make room, as nginx reuses idle keep-alive connections when it runs out
/// (`ngx_drain_connections`). A connection in the middle of a request is never closed for room.
final class ConnectionRegistry: Sendable {
    /// One open connection, and since when it waits idle. Its handler marks it idle or busy on its own lock, so a
    /// request never writes to the registry's table (doing so allocated a dozen times per request).
    final class Connection: Sendable {
        let channel: any Channel
        fileprivate let idleSince = Mutex<ContinuousClock.Instant?>(.now)

        fileprivate init(channel: any Channel) { self.channel = channel }

        /// Marks the connection idle (waiting for the first byte of a request) or busy.
        func setIdle(_ idle: Bool) {
            idleSince.withLock { $0 = idle ? .now : nil }
        }
    }

    private let connections = Mutex<[ObjectIdentifier: Connection]>([:])

    /// Registers a connection, idle until its first request begins.
    func opened(_ channel: any Channel) -> Connection {
        let connection = Connection(channel: channel)
        connections.withLock { $0[ObjectIdentifier(channel)] = connection }
        return connection
    }

    func closed(_ channel: any Channel) {
        _ = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    var count: Int { connections.withLock { $0.count } }

    /// Closes the longest-idle connection, if any; returns whether one was closed.
    @discardableResult
    func evictIdle() -> Bool {
        let victim: Connection? = connections.withLock { connections in
            var oldest: (connection: Connection, since: ContinuousClock.Instant)?
            for connection in connections.values {
                guard let since = connection.idleSince.withLock({ $0 }) else { continue }
                if oldest.map({ since < $0.since }) ?? true { oldest = (connection, since) }
            }
            // Chosen once: it no longer counts as idle while it closes.
            oldest?.connection.setIdle(false)
            return oldest?.connection
        }
        victim?.channel.close(promise: nil)
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
