// How the report names a network endpoint: the role's name when the capture knows it
// (`tcp-server`), else its address, written the way endpointNames keys are (`127.0.0.1:40123`).
import type { Endpoint } from '../../model/capture.js';

/** `127.0.0.1:40123`, `[::1]:40123`, or the bare host for ICMP (which has no port). */
export function endpointAddress(endpoint: Endpoint): string {
  if (endpoint.port === undefined) return endpoint.host;
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/** The name a capture gave this endpoint, trying `[v6]:port` and `v6:port` spellings alike. */
export function endpointName(endpoint: Endpoint, endpointNames: Record<string, string>): string | undefined {
  const address = endpointAddress(endpoint);
  if (Object.hasOwn(endpointNames, address)) return endpointNames[address];
  const unbracketed = `${endpoint.host}:${endpoint.port}`;
  if (endpoint.port !== undefined && Object.hasOwn(endpointNames, unbracketed)) return endpointNames[unbracketed];
  return undefined;
}

/** `tcp-server (127.0.0.1:40123)` or just the address. */
export function endpointLabel(endpoint: Endpoint, endpointNames: Record<string, string>): string {
  const name = endpointName(endpoint, endpointNames);
  const address = endpointAddress(endpoint);
  return name ? `${name} (${address})` : address;
}
