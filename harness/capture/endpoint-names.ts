// How endpoints are written in summaries and events: `127.0.0.1:40123`, `[::1]:40123`, and with the
// name the experiment gave the endpoint when it has one: `tcp-server (127.0.0.1:40123)`.
import type { Endpoint } from '../model/capture.js';

export function formatEndpoint(endpoint: Endpoint): string {
  if (endpoint.port === undefined) return endpoint.host;
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/**
 * Looks endpoints up in the experiment's names. Keys are `host:port`; for IPv6 both `[::1]:5000` and
 * `::1:5000` are accepted, and a bare host names every port of it.
 */
export class EndpointNames {
  constructor(readonly names: Record<string, string>) {}

  nameOf(endpoint: Endpoint): string | undefined {
    const { host, port } = endpoint;
    if (port !== undefined) {
      const named = this.names[`${host}:${port}`] ?? this.names[`[${host}]:${port}`];
      if (named !== undefined) return named;
    }
    return this.names[host];
  }

  /** `tcp-server (127.0.0.1:40123)`; unnamed: `client (127.0.0.1:51234)` with a role, else the address. */
  describe(endpoint: Endpoint, role?: string): string {
    const name = this.nameOf(endpoint);
    const address = formatEndpoint(endpoint);
    if (name !== undefined) return `${name} (${address})`;
    return role ? `${role} (${address})` : address;
  }

  /** All names in use, for "no endpoint is named X" hints. */
  knownNames(): string[] {
    return [...new Set(Object.values(this.names))].sort();
  }
}
