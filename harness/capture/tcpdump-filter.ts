// The capture filter: only the experiment's own ports, so experiments running side by side on the same
// loopback interface do not see each other's packets. An ICMP error carries no ports in its own header,
// so it is matched by the ports of the datagram it quotes:
//   ICMP:   8-byte ICMP header, then the quoted IPv4 header (its length from the IHL in icmp[8]),
//           then the quoted source port (+0) and destination port (+2).
//   ICMPv6: 8-byte ICMPv6 header, then the quoted 40-byte IPv6 header, so ports at icmp6[48] and icmp6[50].
import { isIP } from 'node:net';

export interface FilterOptions {
  /**
   * Ports whose TCP/UDP traffic (either direction) and ICMP errors are captured (at least one), or
   * `all`: every IP packet, for a link that carries only the experiment's traffic (its own world).
   */
  ports: number[] | 'all';
  /** When given, only packets from or to these hosts (IP addresses). */
  hosts?: string[];
}

export function buildCaptureFilter(options: FilterOptions): string {
  if (options.ports === 'all') return 'ip or ip6';
  const ports = [...new Set(options.ports)].sort((a, b) => a - b);
  if (ports.length === 0) throw new RangeError('capture filter: at least one port is needed');
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`capture filter: port must be 1–65535, got ${port}`);
  }
  for (const host of options.hosts ?? []) {
    if (isIP(host) === 0) throw new RangeError(`capture filter: host must be an IP address, got ${JSON.stringify(host)}`);
  }
  const quotedPorts = (at: (offset: string) => string, source: string, destination: string) =>
    ports.flatMap((port) => [`${at(source)} == ${port}`, `${at(destination)} == ${port}`]).join(' or ');
  const quotedIpv4Length = '((icmp[8] & 0xf) * 4)';
  const transport = `(tcp or udp) and (${ports.map((port) => `port ${port}`).join(' or ')})`;
  const icmp4 = `icmp and icmp[icmptype] == icmp-unreach and (${quotedPorts((offset) => `icmp[${offset}:2]`, `${quotedIpv4Length} + 8`, `${quotedIpv4Length} + 10`)})`;
  const icmp6 = `icmp6 and icmp6[icmp6type] == icmp6-destinationunreach and (${quotedPorts((offset) => `icmp6[${offset}:2]`, '48', '50')})`;
  const filter = `(${transport}) or (${icmp4}) or (${icmp6})`;
  if (!options.hosts || options.hosts.length === 0) return filter;
  return `(${filter}) and (${options.hosts.map((host) => `host ${host}`).join(' or ')})`;
}
