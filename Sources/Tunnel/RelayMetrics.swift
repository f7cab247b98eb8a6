import NIOConcurrencyHelpers

/// The relay's counters, written in Prometheus' text format on the admin port.
final class RelayMetrics: Sendable {
    enum Counter: String, CaseIterable, Sendable {
        case requests = "postern_relay_requests_total"
        case forwarded = "postern_relay_forwarded_total"
        case notFound = "postern_relay_not_found_total"
        case badGateway = "postern_relay_bad_gateway_total"
        case busy = "postern_relay_busy_total"
        case rateLimited = "postern_relay_rate_limited_total"
        case tooLarge = "postern_relay_too_large_total"
        case agentConnections = "postern_relay_agent_connections_total"
        case agentRefused = "postern_relay_agent_refused_total"
    }

    private let counters = NIOLockedValueBox([Counter: Int]())

    func count(_ counter: Counter) {
        counters.withLockedValue { $0[counter, default: 0] += 1 }
    }

    func text(registry: TunnelRegistry) -> String {
        let values = counters.withLockedValue { $0 }
        var out = ""
        for counter in Counter.allCases {
            out += "# TYPE \(counter.rawValue) counter\n\(counter.rawValue) \(values[counter, default: 0])\n"
        }
        let tunnels = registry.streamCounts.sorted { $0.name < $1.name }
        out += "# TYPE postern_relay_tunnels gauge\npostern_relay_tunnels \(tunnels.count)\n"
        out += "# TYPE postern_relay_agent_links gauge\npostern_relay_agent_links \(registry.all.count)\n"
        out += "# TYPE postern_relay_active_streams gauge\n"
        for tunnel in tunnels {
            out += "postern_relay_active_streams{tunnel=\"\(tunnel.name)\"} \(tunnel.active)\n"
        }
        return out
    }
}
