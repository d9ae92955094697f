// TCP options, read for what Wireshark writes of them in the Info column (`MSS=65495 SACK_PERM
// TSval=… TSecr=… WS=1024`, `SLE=… SRE=…`) and for the window scale a SYN announces.

export type TcpOption =
  | { kind: 'mss'; value: number }
  | { kind: 'window-scale'; shift: number }
  | { kind: 'sack-permitted' }
  | { kind: 'timestamps'; value: number; echo: number }
  /** Absolute sequence numbers of the other direction; shown relative to its base. */
  | { kind: 'sack'; blocks: Array<[number, number]> };

const END = 0;
const NOP = 1;
const KINDS: Record<number, (data: Buffer, at: number, length: number) => TcpOption | undefined> = {
  2: (data, at, length) => (length === 4 ? { kind: 'mss', value: data.readUInt16BE(at + 2) } : undefined),
  3: (data, at, length) => (length === 3 ? { kind: 'window-scale', shift: data[at + 2] } : undefined),
  4: (_data, _at, length) => (length === 2 ? { kind: 'sack-permitted' } : undefined),
  5: (data, at, length) => {
    const blocks: Array<[number, number]> = [];
    for (let offset = at + 2; offset + 8 <= at + length; offset += 8) blocks.push([data.readUInt32BE(offset), data.readUInt32BE(offset + 4)]);
    return blocks.length > 0 ? { kind: 'sack', blocks } : undefined;
  },
  8: (data, at, length) => (length === 10 ? { kind: 'timestamps', value: data.readUInt32BE(at + 2), echo: data.readUInt32BE(at + 6) } : undefined),
};

/** The options between `start` and `end` in the record; a malformed one ends the list, as it does for Wireshark. */
export function readTcpOptions(data: Buffer, start: number, end: number): TcpOption[] {
  const options: TcpOption[] = [];
  let at = start;
  const limit = Math.min(end, data.length);
  while (at < limit) {
    const kind = data[at];
    if (kind === END) break;
    if (kind === NOP) {
      at += 1;
      continue;
    }
    if (at + 1 >= limit) break;
    const length = data[at + 1];
    if (length < 2 || at + length > limit) break;
    const option = KINDS[kind]?.(data, at, length);
    if (option) options.push(option);
    at += length;
  }
  return options;
}

/** Wireshark caps the shift at 14 (RFC 7323). */
export function windowShift(options: TcpOption[]): number | undefined {
  const option = options.find((candidate) => candidate.kind === 'window-scale');
  return option?.kind === 'window-scale' ? Math.min(option.shift, 14) : undefined;
}

/** The options as the Info column ends: ` MSS=65495 SACK_PERM TSval=1 TSecr=0 WS=1024`. */
export function optionsInfo(options: TcpOption[], relativeToPeer: (sequence: number) => number): string {
  return options
    .map((option) => {
      switch (option.kind) {
        case 'mss':
          return ` MSS=${option.value}`;
        case 'window-scale':
          return ` WS=${2 ** Math.min(option.shift, 14)}`;
        case 'sack-permitted':
          return ' SACK_PERM';
        case 'timestamps':
          return ` TSval=${option.value} TSecr=${option.echo}`;
        case 'sack':
          return option.blocks.map(([left, right]) => ` SLE=${relativeToPeer(left)} SRE=${relativeToPeer(right)}`).join('');
      }
    })
    .join('');
}
