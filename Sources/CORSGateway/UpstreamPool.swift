import NIOCore
import NIOSSL
import Synchronization

/// The connections to the upstream: reused while they stay open, at most ``GatewayLimits/upstreamConnections``
/// at once, with at most ``GatewayLimits/upstreamQueue`` requests waiting for one, each for no longer than its
/// deadline. Every way out of a limit is an ``UpstreamFailure`` the gateway answers with a status and a reason.
final class UpstreamPool: Sendable {
    private enum Grant {
        case connection(UpstreamConnection)
        /// A slot was freed: open a new connection.
        case connect
        case timedOut
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Grant, Never>
    }

    private struct State {
        var idle: [UpstreamConnection] = []
        var open = 0
        var waiters: [Waiter] = []
        var nextID = 0
        var shutDown = false
    }

    let target: UpstreamTarget
    private let limits: GatewayLimits
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?
    private let state = Mutex(State())

    init(target: UpstreamTarget, limits: GatewayLimits, group: any EventLoopGroup) throws {
        self.target = target
        self.limits = limits
        self.group = group
        tls = target.isTLS ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
    }

    /// A connection for one exchange: an idle one, a new one, or the next one freed before `deadline`.
    func acquire(deadline: ContinuousClock.Instant) async throws(UpstreamFailure) -> UpstreamConnection {
        enum Decision {
            case use(UpstreamConnection)
            case connect
            case wait
            case refuse(UpstreamFailure)
        }
        let decision = state.withLock { state -> Decision in
            if state.shutDown { return .refuse(.shuttingDown) }
            while let connection = state.idle.popLast() {
                if connection.channel.isActive { return .use(connection) }
                state.open -= 1
            }
            if state.open < limits.upstreamConnections {
                state.open += 1
                return .connect
            }
            return state.waiters.count < limits.upstreamQueue ? .wait : .refuse(.queueFull)
        }
        switch decision {
        case .use(let connection):
            connection.reused.store(true, ordering: .relaxed)
            return connection
        case .connect:
            return try await connect()
        case .refuse(let failure):
            throw failure
        case .wait:
            switch await wait(until: deadline) {
            case .connection(let connection):
                connection.reused.store(true, ordering: .relaxed)
                return connection
            case .connect:
                return try await connect()
            case .timedOut:
                throw .noConnectionInTime
            }
        }
    }

    /// Gives a connection back after an exchange: kept for the next one when `reusable`, closed otherwise.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        let keep = reusable && connection.channel.isActive
        if !keep { connection.close() }
        let (waiter, grant): (Waiter?, Grant) = state.withLock { state in
            if keep, !state.shutDown {
                if state.waiters.isEmpty {
                    state.idle.append(connection)
                    return (nil, .connect)
                }
                return (state.waiters.removeFirst(), .connection(connection))
            }
            if keep { connection.close() }
            state.open -= 1
            guard !state.waiters.isEmpty else { return (nil, .connect) }
            state.open += 1
            return (state.waiters.removeFirst(), .connect)
        }
        waiter?.continuation.resume(returning: grant)
    }

    /// Closes the idle connections and refuses new exchanges; exchanges in flight finish.
    func shutdown() {
        let (idle, waiters) = state.withLock { state in
            state.shutDown = true
            defer {
                state.open -= state.idle.count
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        idle.forEach { $0.close() }
        waiters.forEach { $0.continuation.resume(returning: .timedOut) }
    }

    private func connect() async throws(UpstreamFailure) -> UpstreamConnection {
        do {
            let connection = try await UpstreamConnection.connect(to: target, tls: tls, limits: limits, group: group)
            connection.channel.closeFuture.whenComplete { [weak self] _ in self?.forget(connection) }
            return connection
        } catch {
            // The slot is free again: hand it to a waiter, which will try to connect in its turn.
            let waiter: Waiter? = state.withLock { state in
                guard !state.waiters.isEmpty else {
                    state.open -= 1
                    return nil
                }
                return state.waiters.removeFirst()
            }
            waiter?.continuation.resume(returning: .connect)
            if error is ChannelError, case .connectTimeout = error as! ChannelError { throw .connectTimeout }
            throw .unreachable(String(describing: error))
        }
    }

    /// An idle connection that closed (the upstream closed it, or its idle time ran out) leaves the pool.
    private func forget(_ connection: UpstreamConnection) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.idle.firstIndex(where: { $0 === connection }) else { return nil }
            state.idle.remove(at: index)
            guard !state.waiters.isEmpty else {
                state.open -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.continuation.resume(returning: .connect)
    }

    private func wait(until deadline: ContinuousClock.Instant) async -> Grant {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        let timer = Task {
            try? await Task.sleep(until: deadline)
            let waiter: Waiter? = state.withLock { state in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: .timedOut)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let queued = state.withLock { state in
                guard !state.shutDown else { return false }
                state.waiters.append(Waiter(id: id, continuation: continuation))
                return true
            }
            if !queued { continuation.resume(returning: .timedOut) }
        }
    }
}

/// Why a request could not be exchanged with the upstream, with the status the gateway answers and a stable code.
package enum UpstreamFailure: Error, Sendable, Hashable {
    /// Every connection is busy and the queue of waiting requests is full.
    case queueFull
    /// No connection came free before the request's deadline.
    case noConnectionInTime
    /// The connection could not be established in time.
    case connectTimeout
    /// The connection was refused or failed.
    case unreachable(String)
    /// No byte moved for the upstream timeout.
    case timeout
    /// The upstream closed or reset the connection mid-exchange.
    case closed
    /// The upstream's response is not HTTP/1.1 the gateway accepts.
    case protocolError(String)
    /// The gateway is shutting down.
    case shuttingDown

    package var status: Int {
        switch self {
        case .queueFull, .noConnectionInTime, .shuttingDown: 503
        case .connectTimeout, .timeout: 504
        case .unreachable, .closed, .protocolError: 502
        }
    }

    package var code: String {
        switch self {
        case .queueFull: "upstream-queue-full"
        case .noConnectionInTime: "upstream-busy"
        case .connectTimeout: "upstream-connect-timeout"
        case .unreachable: "upstream-unreachable"
        case .timeout: "upstream-timeout"
        case .closed: "upstream-closed"
        case .protocolError: "upstream-protocol-error"
        case .shuttingDown: "shutting-down"
        }
    }

    package var message: String {
        switch self {
        case .queueFull: "every upstream connection is busy and the queue of waiting requests is full"
        case .noConnectionInTime: "no upstream connection came free in time"
        case .connectTimeout: "the upstream server did not accept a connection in time"
        case .unreachable: "the upstream server could not be reached"
        case .timeout: "the upstream server did not answer in time"
        case .closed: "the upstream server closed the connection before its response was complete"
        case .protocolError: "the upstream server's response is not valid HTTP/1.1"
        case .shuttingDown: "the gateway is shutting down"
        }
    }
}
