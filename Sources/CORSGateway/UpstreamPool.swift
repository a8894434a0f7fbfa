import NIOCore
import NIOSSL
import Synchronization

/// The connections to the upstream: reused while they stay open, at most ``GatewayLimits/upstreamConnections``
/// at once, with at most ``GatewayLimits/upstreamQueue`` requests waiting for one, each for no longer than its
/// deadline. Every way out of a limit is an ``UpstreamFailure`` the gateway answers with a status and a reason.
///
/// A connection serves exchanges on its own event loop only, so that an exchange and its connection never hop
/// between threads: an idle connection on another loop is closed to make room rather than lent across.
final class UpstreamPool: Sendable {
    private enum Grant {
        case connection(UpstreamConnection)
        /// A slot was freed: open a new connection.
        case connect
    }

    private struct Waiter {
        let id: Int
        let eventLoop: any EventLoop
        let promise: EventLoopPromise<Grant>
        let timeout: Scheduled<Void>
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
    private let tls: NIOSSLContext?
    private let state = Mutex(State())

    init(target: UpstreamTarget, limits: GatewayLimits) throws {
        self.target = target
        self.limits = limits
        tls = target.isTLS ? try NIOSSLContext(configuration: .makeClientConfiguration()) : nil
    }

    /// A connection on `eventLoop` for one exchange: an idle one, a new one, or the next one freed before
    /// `deadline`. The future completes on `eventLoop`.
    func acquire(on eventLoop: any EventLoop, deadline: NIODeadline) -> EventLoopFuture<UpstreamConnection> {
        enum Decision {
            case use(UpstreamConnection)
            case connect(replacing: UpstreamConnection?)
            case wait(EventLoopFuture<Grant>)
            case refuse(UpstreamFailure)
        }
        let decision = state.withLock { state -> Decision in
            if state.shutDown { return .refuse(.shuttingDown) }
            if let connection = Self.takeIdle(on: eventLoop, from: &state) { return .use(connection) }
            if state.open < limits.upstreamConnections {
                state.open += 1
                return .connect(replacing: nil)
            }
            if let other = state.idle.popLast() { return .connect(replacing: other) }
            guard state.waiters.count < limits.upstreamQueue else { return .refuse(.queueFull) }
            let id = state.nextID
            state.nextID += 1
            let promise = eventLoop.makePromise(of: Grant.self)
            let timeout = eventLoop.scheduleTask(deadline: deadline) { [weak self] in
                guard let self else { return }
                self.timeOut(id)
            }
            state.waiters.append(Waiter(id: id, eventLoop: eventLoop, promise: promise, timeout: timeout))
            return .wait(promise.futureResult)
        }
        switch decision {
        case .use(let connection):
            connection.reuses.store(true, ordering: .relaxed)
            return eventLoop.makeSucceededFuture(connection)
        case .connect(let replaced):
            replaced?.close()
            return connect(on: eventLoop)
        case .refuse(let failure):
            return eventLoop.makeFailedFuture(failure)
        case .wait(let granted):
            return granted.flatMap { grant in
                switch grant {
                case .connection(let connection):
                    connection.reuses.store(true, ordering: .relaxed)
                    return eventLoop.makeSucceededFuture(connection)
                case .connect:
                    return self.connect(on: eventLoop)
                }
            }
        }
    }

    /// An idle connection on `eventLoop`, when there is one: the common case, answered at once, with no future.
    func idleConnection(on eventLoop: any EventLoop) -> UpstreamConnection? {
        let connection = state.withLock { state in state.shutDown ? nil : Self.takeIdle(on: eventLoop, from: &state) }
        connection?.reuses.store(true, ordering: .relaxed)
        return connection
    }

    /// Takes the most recently idle connection on `eventLoop` out of the idle list; closed ones met on the way are
    /// dropped and their slots freed. Only that loop's connections are looked at: a sweep of all of them would
    /// cost every request a look at every idle connection.
    private static func takeIdle(on eventLoop: any EventLoop, from state: inout State) -> UpstreamConnection? {
        while let index = state.idle.lastIndex(where: { $0.channel.eventLoop === eventLoop }) {
            let connection = state.idle.remove(at: index)
            if connection.channel.isActive { return connection }
            state.open -= 1
        }
        return nil
    }

    /// Gives a connection back after an exchange: kept for the next one when `reusable`, closed otherwise.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        let keep = reusable && connection.channel.isActive
        let (waiter, grant): (Waiter?, Grant?) = state.withLock { state in
            if keep, !state.shutDown {
                guard !state.waiters.isEmpty else {
                    state.idle.append(connection)
                    return (nil, .connection(connection))
                }
                // Waiters are served in order; one on another loop gets the slot, for a connection of its own.
                let waiter = state.waiters.removeFirst()
                return (waiter, waiter.eventLoop === connection.channel.eventLoop ? .connection(connection) : .connect)
            }
            guard !state.waiters.isEmpty else {
                state.open -= 1
                return (nil, nil)
            }
            return (state.waiters.removeFirst(), .connect)
        }
        // Kept (lent on or idle) only when granted as a connection.
        if case .connection = grant {} else { connection.close() }
        if let waiter, let grant {
            waiter.timeout.cancel()
            waiter.promise.succeed(grant)
        }
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
        for waiter in waiters {
            waiter.timeout.cancel()
            waiter.promise.fail(UpstreamFailure.shuttingDown)
        }
    }

    private func connect(on eventLoop: any EventLoop) -> EventLoopFuture<UpstreamConnection> {
        UpstreamConnection.connect(to: target, tls: tls, limits: limits, on: eventLoop).map { connection in
            connection.channel.closeFuture.whenComplete { [weak self] _ in self?.forget(connection) }
            return connection
        }.flatMapErrorThrowing { error in
            // The slot is free again: hand it to a waiter, which will try to connect in its turn.
            self.freeSlot()
            if let error = error as? ChannelError, case .connectTimeout = error { throw UpstreamFailure.connectTimeout }
            throw UpstreamFailure.unreachable(String(describing: error))
        }.hop(to: eventLoop)
    }

    /// An idle connection that closed (the upstream closed it, or its idle time ran out) leaves the pool.
    private func forget(_ connection: UpstreamConnection) {
        let idle = state.withLock { state in
            guard let index = state.idle.firstIndex(where: { $0 === connection }) else { return false }
            state.idle.remove(at: index)
            return true
        }
        if idle { freeSlot() }
    }

    /// A connection slot is free: the first waiter opens a connection in it, or the count goes down.
    private func freeSlot() {
        let waiter: Waiter? = state.withLock { state in
            guard !state.waiters.isEmpty else {
                state.open -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        if let waiter {
            waiter.timeout.cancel()
            waiter.promise.succeed(.connect)
        }
    }

    private func timeOut(_ id: Int) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.promise.fail(UpstreamFailure.noConnectionInTime)
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
