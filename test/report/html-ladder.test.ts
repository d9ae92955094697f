import { expect } from 'chai';
import { XMLValidator } from 'fast-xml-parser';
import type { CaptureSummary, Endpoint, PacketSummary } from '../../harness/model/capture.js';
import { renderLadder } from '../../harness/report/html/ladder-svg.js';

const client: Endpoint = { host: '127.0.0.1', port: 51000 };
const server: Endpoint = { host: '127.0.0.1', port: 40123 };

function tcp(index: number, timeMs: number, source: Endpoint, destination: Endpoint, flags: string[], info: string, payloadLength = 0): PacketSummary {
  return { index, timeMs, source, destination, protocol: 'tcp', payloadLength, tcp: { flags, seq: 0, ack: 0, window: 65495 }, info };
}

function summaryOf(packets: PacketSummary[], packetCount = packets.length): CaptureSummary {
  return { linkType: 'LINKTYPE_NULL', packetCount, packets, conversations: [], events: [] };
}

const refused = summaryOf([
  tcp(1, 0, client, server, ['SYN'], 'SYN seq=0 win=65495'),
  tcp(2, 0.04, server, client, ['ACK', 'RST'], 'RST, ACK seq=0 ack=1 win=0'),
]);

const unreachable = summaryOf([
  { index: 1, timeMs: 0, source: client, destination: server, protocol: 'udp', payloadLength: 6, info: 'UDP len=6' },
  {
    index: 2,
    timeMs: 0.05,
    source: { host: '127.0.0.1' },
    destination: { host: '127.0.0.1' },
    protocol: 'icmp',
    payloadLength: 0,
    icmp: { type: 3, code: 3, description: 'destination unreachable: port unreachable', quoted: { protocol: 'udp', source: client, destination: server } },
    info: 'destination unreachable (port unreachable)',
  },
]);

const names = { '127.0.0.1:51000': 'tcp-client', '127.0.0.1:40123': 'tcp-server' };

/** The `<g class="packet …">` elements, each with its class list and its markup up to the closing tag. */
function arrows(svg: string): Array<{ classes: string[]; from: string; to: string; markup: string }> {
  return [...svg.matchAll(/<g class="packet ([^"]*)" data-packet="\d+" data-from="(\d+)" data-to="(\d+)">([\s\S]*?)<\/g>/g)].map((match) => ({
    classes: match[1]!.split(' '),
    from: match[2]!,
    to: match[3]!,
    markup: match[4]!,
  }));
}

const laneCount = (svg: string) => svg.match(/<g class="lane"/g)?.length ?? 0;

describe('renderLadder', () => {
  it('draws one lane per endpoint and one arrow per packet, as well-formed SVG', () => {
    const svg = renderLadder(refused, names);
    expect(XMLValidator.validate(svg)).to.equal(true);
    expect(svg).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="ladder"/);
    expect(laneCount(svg)).to.equal(2);
    expect(arrows(svg).map((a) => [a.from, a.to])).to.deep.equal([['0', '1'], ['1', '0']]);
  });

  it('labels lanes with endpoint names where known, else host:port', () => {
    const svg = renderLadder(refused, { '127.0.0.1:40123': 'tcp-server' });
    expect(svg).to.include('>tcp-server</text>');
    expect(svg).to.include('>127.0.0.1:40123</text>');
    expect(svg).to.include('>127.0.0.1:51000</text>');
    expect(svg).not.to.include('tcp-client');
  });

  it('labels each arrow with the packet info and its time', () => {
    const [syn, rst] = arrows(renderLadder(refused, names));
    expect(syn!.markup).to.include('>SYN seq=0 win=65495</text>');
    expect(syn!.markup).to.include('>0.000 ms</text>');
    expect(rst!.markup).to.include('>0.040 ms</text>');
    expect(rst!.markup).to.include('>RST, ACK seq=0 ack=1 win=0</text>');
  });

  it('draws RST in solid red and other TCP packets in black', () => {
    const [syn, rst] = arrows(renderLadder(refused, names));
    expect(rst!.classes).to.include('rst');
    expect(rst!.markup).to.match(/<line [^>]*stroke="#cf222e"/);
    expect(rst!.markup).not.to.include('stroke-dasharray');
    expect(syn!.classes).not.to.include('rst');
    expect(syn!.markup).to.match(/<line [^>]*stroke="#1f2328"/);
  });

  it('draws an ICMP error dashed red, from the closed port back to the sender of the datagram', () => {
    const svg = renderLadder(unreachable, {});
    expect(laneCount(svg)).to.equal(2); // no extra lane for the bare host the ICMP came from
    const [udp, icmp] = arrows(svg);
    expect(udp!.classes).to.include('udp');
    expect([icmp!.from, icmp!.to]).to.deep.equal(['1', '0']);
    expect(icmp!.classes).to.include('icmp-error');
    expect(icmp!.markup).to.match(/<line [^>]*stroke="#cf222e"[^>]*stroke-dasharray="6 4"/);
  });

  it('writes IPv6 endpoints with brackets and matches names in either spelling', () => {
    const a = { host: '::1', port: 5000 };
    const b = { host: '::1', port: 6000 };
    const svg = renderLadder(summaryOf([tcp(1, 0, a, b, ['SYN'], 'SYN')]), { '::1:6000': 'server' });
    expect(svg).to.include('>[::1]:5000</text>');
    expect(svg).to.include('>server</text>');
  });

  it('caps the diagram at 150 packets and says how many there were', () => {
    const many = Array.from({ length: 200 }, (_, i) => tcp(i + 1, i, client, server, ['ACK'], `ACK ${i + 1}`));
    const svg = renderLadder(summaryOf(many, 240), names);
    expect(arrows(svg)).to.have.length(150);
    expect(svg).to.include('showing the first 150 of 240 packets');
    expect(arrows(renderLadder(summaryOf(many), names, { maxPackets: 10 }))).to.have.length(10);
  });

  it('marks a long pause between two packets', () => {
    const svg = renderLadder(summaryOf([tcp(1, 0, client, server, ['SYN'], 'SYN'), tcp(2, 1500, client, server, ['SYN'], 'SYN')]), names);
    expect(svg).to.include('⋮ +1.500 s</text>');
    expect(renderLadder(refused, names)).not.to.include('⋮');
  });

  it('escapes labels, names and tooltips, and shortens long labels', () => {
    const hostile = '<script>alert(1)</script> & "quoted"';
    const svg = renderLadder(summaryOf([tcp(1, 0, client, server, ['PSH', 'ACK'], hostile + 'x'.repeat(80), 5)]), {
      '127.0.0.1:51000': '<img src=x onerror=alert(2)>',
    });
    expect(XMLValidator.validate(svg)).to.equal(true);
    expect(svg).not.to.match(/<script|<img/);
    expect(svg).to.include('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;');
    expect(svg).to.match(/<text class="label"[^>]*>[^<]{20,90}…<\/text>/); // shortened on the arrow…
    expect(svg).to.include(`${'x'.repeat(80)}</title>`); // …in full in the tooltip
    expect(arrows(svg)[0]!.classes).to.include('data');
  });

  it('says so when there are no packets', () => {
    const svg = renderLadder(summaryOf([]), {});
    expect(laneCount(svg)).to.equal(0);
    expect(svg).to.include('no packets were captured');
  });
});
