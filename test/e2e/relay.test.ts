// The user-space link (relay step) end to end with the reference UDP programs: datagrams reordered,
// and counts that fail when they are wrong.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../../harness/model/result.js';
import { repoRoot } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { TempDir } from '../support/temp-dir.js';

describe('relay step (end to end)', function () {
  this.timeout(120_000);
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  it('reorders two datagrams (the server sees the second first) and checks its counts', async () => {
    temp.write(
      'specs/relay.yaml',
      `- id: reorder
  title: two datagrams swapped on the link
  steps:
    - start: udp-server
      args: ["{{ports.server}}"]
      ready: { udp: "{{ports.server}}" }
    - relay: link
      protocol: udp
      listen: "{{ports.link}}"
      to: "{{ports.server}}"
      reorder: true
      expect: { received: 2, forwarded: 2, replies: 2 }
    - start: udp-client
      name: first
      args: ["{{server.host}}", "{{ports.link}}"]
      stdin: "first\\n"
      ready: { ownUdpSocket: true, timeout: 10s }
    - run: udp-client
      args: ["{{server.host}}", "{{ports.link}}"]
      stdin: "second\\n"
      expect: { stdout: { contains: SECOND } }
    - wait: first
      expect: { stdout: { contains: FIRST } }
    - stop: udp-server
      expect: { stdout: { matches: "sent 6 bytes[\\\\s\\\\S]*sent 5 bytes" } }
- id: wrong-counts
  title: relay counts that do not hold fail
  steps:
    - start: udp-server
      args: ["{{ports.server}}"]
      ready: { udp: "{{ports.server}}" }
    - relay: link
      protocol: udp
      listen: "{{ports.link}}"
      to: "{{ports.server}}"
      expect: { forwarded: 3, dropped: 1 }
    - run: udp-client
      args: ["{{server.host}}", "{{ports.link}}"]
      stdin: "x\\n"
`,
    );
    const out = path.join(temp.path, 'out');
    const cli = await runCli(['run', path.join(temp.path, 'specs'), '-o', out, '-r', 'json'], { cwd: repoRoot });
    expect(cli.exitCode).to.equal(1);
    const [reorder, wrong] = (JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as RunResult).experiments;
    expect(reorder.status, JSON.stringify(reorder.failures)).to.equal('passed');
    expect(wrong.failures.map((failure) => failure.message)).to.deep.equal(['forwarded: expected 3, got 1', 'dropped: expected 1, got 0']);
  });
});
