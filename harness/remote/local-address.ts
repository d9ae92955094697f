// This machine's address toward another one: the source address the kernel picks for a datagram to it
// (a UDP socket's connect sends nothing). Servers started here for a remote partner listen there, and
// `{{client.host}}` names it.
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** `host` as an address: itself when it is one, else what the system's resolver says. */
export async function addressOf(host: string): Promise<string> {
  if (isIP(host)) return host;
  return (await lookup(host)).address;
}

export function localAddressToward(address: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.connect(9, address, () => {
      const local = socket.address().address;
      socket.close();
      resolve(local);
    });
  });
}
