// The world's DNS server: every name a program looks up resolves inside the world. Names the
// experiment gives to its fixtures (`www.example.test` → an origin) get their own addresses; any
// other name ('hostname', 'servername', smtp.gmail.com, a student's laptop name) resolves to where a
// human grader's network would have pointed it: for a client, the experiment's server (or the
// Internet host when it has no server program); for a server (a proxy looking up its origin), the
// Internet host. Every question is recorded for the report.
// The UDP socket is made on the Internet host by its agent; the answers are built with dns-packet.
import type dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface DnsLookup {
  /** The name asked for, as asked (lower-cased). */
  name: string;
  type: string;
  /** The address of the host that asked. */
  from: string;
  /** The address answered, or null when the type has no answer here (AAAA, MX, …). */
  answer: string | null;
  /** performance.now() when it was asked. */
  at: number;
}

export interface DnsAnswers {
  /** Names with their own address (fixtures on the Internet host). */
  names: ReadonlyMap<string, string>;
  /** The address for every other name, by the address of the host that asks. */
  otherwise: (asker: string) => string;
}

/** Every name resolves for a few seconds only, so an answer never outlives its experiment's world. */
const TTL_SECONDS = 5;

export class WorldDns {
  readonly lookups: DnsLookup[] = [];

  constructor(
    private readonly socket: dgram.Socket,
    private readonly answers: DnsAnswers,
  ) {
    socket.on('message', (message, remote) => this.answer(message, remote));
    // A malformed datagram or a vanished asker is no reason to stop answering the others.
    socket.on('error', () => undefined);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // Already closed.
    }
  }

  private answer(message: Buffer, remote: dgram.RemoteInfo): void {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const answers: dnsPacket.Answer[] = [];
    for (const question of query.questions ?? []) {
      const name = question.name.toLowerCase().replace(/\.$/, '');
      const address = question.type === 'A' ? (this.answers.names.get(name) ?? this.answers.otherwise(remote.address)) : null;
      this.lookups.push({ name, type: question.type, from: remote.address, answer: address, at: performance.now() });
      if (address) answers.push({ type: 'A', name: question.name, ttl: TTL_SECONDS, data: address });
    }
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | dnsPacket.AUTHORITATIVE_ANSWER,
      questions: query.questions,
      answers,
    });
    this.socket.send(response, remote.port, remote.address);
  }
}
