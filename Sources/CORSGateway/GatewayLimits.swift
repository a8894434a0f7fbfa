package import HTTP1Wire
import NIOCore

/// Every timeout and cap of `cors serve`, so that no client and no upstream can hold the gateway's resources
/// without bound. The defaults are what nginx and Envoy ship, named where each is declared.
package struct GatewayLimits: Sendable, Hashable {
    /// From a connection's first byte of a request to its last header byte (nginx `client_header_timeout` 60 s);
    /// also how long a new connection may stay silent. Past it: 408, then the connection is closed.
    package var headerTimeout: Duration = .seconds(60)
    /// How long a request body may stall — no byte while the gateway is waiting for one (nginx
    /// `client_body_timeout` 60 s, measured between two reads as nginx does).
    package var bodyTimeout: Duration = .seconds(60)
    /// How long a kept-alive connection may wait for its next request (nginx `keepalive_timeout` 75 s).
    package var idleTimeout: Duration = .seconds(75)
    /// How long a client may leave a response unread (nginx `send_timeout` 60 s).
    package var sendTimeout: Duration = .seconds(60)
    /// How long the gateway keeps reading and discarding after it closes a connection whose request it did not read
    /// to the end, so that the client gets the response before the reset (nginx `lingering_timeout` 5 s).
    package var lingerTimeout: Duration = .seconds(5)
    /// Client connections open at once (nginx's default is 512 per worker; Envoy's listener has no limit).
    /// At the cap, the longest-idle kept-alive connection is closed to make room; if none is idle, new
    /// connections wait in the listen backlog.
    package var maxConnections = 1024
    /// Requests read ahead on one connection before their responses are written (HTTP/1.1 pipelining).
    package var maxPipelinedRequests = 16
    /// Header and body limits of the HTTP/1.1 parser.
    package var http1 = HTTP1Limits()

    /// Connections to the upstream open at once (Envoy's cluster `max_connections` 1024).
    package var upstreamConnections = 1024
    /// Requests that may wait for an upstream connection when all are busy (Envoy's `max_pending_requests` 1024);
    /// past it: 503 at once.
    package var upstreamQueue = 1024
    /// Establishing an upstream connection (Envoy's `connect_timeout` 5 s).
    package var upstreamConnectTimeout: Duration = .seconds(5)
    /// How long an exchange with the upstream may go with no byte moving either way — waiting for the response
    /// included — and how long a request may wait for an upstream connection (nginx `proxy_read_timeout` 60 s).
    /// Past it: 504.
    package var upstreamTimeout: Duration = .seconds(60)
    /// How long an unused upstream connection is kept for reuse (nginx's upstream `keepalive_timeout` 60 s).
    package var upstreamIdleTimeout: Duration = .seconds(60)

    /// After SIGTERM or SIGINT: how long requests in flight may take before the remaining connections are closed.
    /// (Kubernetes waits 30 s before it kills a pod.)
    package var shutdownTimeout: Duration = .seconds(30)

    package init() {}

    /// How often a connection checks its deadlines: a quarter of the shortest timeout, within 50 ms and 1 s.
    var tick: Duration {
        let shortest = [headerTimeout, bodyTimeout, idleTimeout, sendTimeout, upstreamTimeout].min()!
        return min(max(shortest / 4, .milliseconds(50)), .seconds(1))
    }
}

extension ChannelHandlerContext {
    /// Calls `check` with `handler` and this context every `interval` on the channel's event loop, until the
    /// returned task is cancelled: how a connection's handler watches its deadlines.
    func repeatEvery<Handler: AnyObject>(
        _ interval: Duration, _ handler: Handler, _ check: @escaping (Handler, ChannelHandlerContext) -> Void
    ) -> RepeatedTask {
        let loopBound = NIOLoopBound((handler: handler, context: self, check: check), eventLoop: eventLoop)
        let tick = TimeAmount(interval)
        return eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            loopBound.value.check(loopBound.value.handler, loopBound.value.context)
        }
    }
}
