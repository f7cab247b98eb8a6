import NIOConcurrencyHelpers

/// The relay's counters, written in Prometheus' text format on the admin port.
final class RelayMetrics: Sendable {
    enum Counter: Int, CaseIterable, Sendable {
        case requests, forwarded, notFound, badGateway, busy, rateLimited, tooLarge, agentConnections, agentRefused

        /// The name on the metrics page.
        var name: String {
            switch self {
            case .requests: return "postern_relay_requests_total"
            case .forwarded: return "postern_relay_forwarded_total"
            case .notFound: return "postern_relay_not_found_total"
            case .badGateway: return "postern_relay_bad_gateway_total"
            case .busy: return "postern_relay_busy_total"
            case .rateLimited: return "postern_relay_rate_limited_total"
            case .tooLarge: return "postern_relay_too_large_total"
            case .agentConnections: return "postern_relay_agent_connections_total"
            case .agentRefused: return "postern_relay_agent_refused_total"
            }
        }
    }

    /// By ``Counter``'s raw value: counting hashes nothing (two counts a public request).
    private let counters = NIOLockedValueBox([Int](repeating: 0, count: Counter.allCases.count))

    func count(_ counter: Counter) {
        counters.withLockedValue { $0[counter.rawValue] += 1 }
    }

    func text(registry: TunnelRegistry) -> String {
        let values = counters.withLockedValue { $0 }
        var out = ""
        for counter in Counter.allCases {
            out += "# TYPE \(counter.name) counter\n\(counter.name) \(values[counter.rawValue])\n"
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
