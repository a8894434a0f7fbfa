import Synchronization

/// An ``OriginSource`` behind a bounded cache, so that a hostile client sending random origins cannot turn every
/// request into a lookup: answers are kept (refusals too) for a time to live, at most `capacity` of them (the oldest
/// go first), at most `maximumConcurrentLookups` lookups run at once (beyond that an unknown origin is refused
/// without one), and a lookup that takes longer than `timeout` is refused. A lookup that fails is not kept: the next
/// request asks again.
public final class CachedOriginSource: OriginSource {
    /// Why an origin was refused without the source's answer.
    public enum Failure: Error, Sendable, Hashable {
        /// The source did not answer within the timeout.
        case timedOut
        /// `maximumConcurrentLookups` lookups were already running.
        case tooManyLookups
    }

    private struct Entry {
        var allowed: Bool
        var expiry: Double
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Keys in the order they were stored, from `head` on, for evicting the oldest.
        var order: [String] = []
        var head = 0
        var running = 0
        var lookups = 0
    }

    private let source: any OriginSource
    private let capacity: Int
    private let timeToLive: Double
    private let negativeTimeToLive: Double
    private let timeout: Duration
    private let maximumConcurrentLookups: Int
    private let clock: @Sendable () -> Double
    private let state = Mutex(State())

    /// - Parameters:
    ///   - source: the source asked about an origin with no answer kept.
    ///   - capacity: the most answers kept.
    ///   - timeToLive: how long an allowed origin is kept.
    ///   - negativeTimeToLive: how long a refused origin is kept (by default, `timeToLive`).
    ///   - timeout: how long a lookup may take before the origin is refused.
    ///   - maximumConcurrentLookups: how many lookups may run at once.
    ///   - clock: seconds on a monotonic scale (for tests); by default the process's monotonic clock.
    public init(
        _ source: some OriginSource, capacity: Int = 10_000, timeToLive: Duration = .seconds(60),
        negativeTimeToLive: Duration? = nil, timeout: Duration = .seconds(2), maximumConcurrentLookups: Int = 16,
        clock: (@Sendable () -> Double)? = nil
    ) {
        self.source = source
        self.capacity = max(1, capacity)
        self.timeToLive = Self.seconds(timeToLive)
        self.negativeTimeToLive = Self.seconds(negativeTimeToLive ?? timeToLive)
        self.timeout = timeout
        self.maximumConcurrentLookups = max(1, maximumConcurrentLookups)
        self.clock = clock ?? PreflightCache.monotonicSeconds
    }

    /// How many times the wrapped source has been asked.
    public var lookups: Int { state.withLock { $0.lookups } }

    /// How many answers are kept now.
    public var count: Int { state.withLock { $0.entries.count } }

    public func allows(_ origin: Origin) async throws -> Bool {
        let key = origin.serialization
        let now = clock()
        let cached: Bool? = try state.withLock { state in
            if let entry = state.entries[key], entry.expiry > now { return entry.allowed }
            guard state.running < maximumConcurrentLookups else { throw Failure.tooManyLookups }
            state.running += 1
            state.lookups += 1
            return nil
        }
        if let cached { return cached }
        defer { state.withLock { $0.running -= 1 } }
        let allowed = try await lookUp(origin)
        let expiry = clock() + (allowed ? timeToLive : negativeTimeToLive)
        state.withLock { state in store(Entry(allowed: allowed, expiry: expiry), for: key, in: &state) }
        return allowed
    }

    /// The source's answer, or ``Failure/timedOut``.
    private func lookUp(_ origin: Origin) async throws -> Bool {
        let source = source
        let timeout = timeout
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await source.allows(origin) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Failure.timedOut
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private func store(_ entry: Entry, for key: String, in state: inout State) {
        if state.entries.updateValue(entry, forKey: key) != nil { return }
        state.order.append(key)
        while state.entries.count > capacity, state.head < state.order.count {
            state.entries[state.order[state.head]] = nil
            state.head += 1
        }
        // Keys of replaced entries stay in `order`; compact once the dead prefix is as long as the live part.
        if state.head > capacity {
            state.order.removeFirst(state.head)
            state.head = 0
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
