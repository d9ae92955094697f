import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

// Host names and addresses as they appear in ready lines, logs and error lines.

/** "127.0.0.1:5000", or "[::1]:5000" so that an IPv6 address's colons cannot be read as the port's. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The lab binds AF_INET sockets; IPv6 only when the host is written as an IPv6 address. */
export function udpSocketTypeFor(host: string): 'udp4' | 'udp6' {
  return host.includes(':') ? 'udp6' : 'udp4';
}

export interface ResolvedHost {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a host name for UDP, preferring IPv4 like the lab's Python client (AF_INET with
 * gethostbyname): "localhost" may list ::1 first, and a udp4 server would never hear from us.
 * Rejects with the resolver's error (code ENOTFOUND, EAI_AGAIN, …).
 */
export async function resolveHostPreferringIpv4(host: string): Promise<ResolvedHost> {
  const literalFamily = isIP(host);
  if (literalFamily === 4 || literalFamily === 6) return { address: host, family: literalFamily };
  const addresses = await lookup(host, { all: true });
  const chosen = addresses.find((entry) => entry.family === 4) ?? addresses[0];
  if (!chosen) throw Object.assign(new Error(`no addresses for ${host}`), { code: 'ENOTFOUND' });
  return { address: chosen.address, family: chosen.family === 6 ? 6 : 4 };
}
