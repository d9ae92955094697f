// What a run does where socklab's Linux machinery is missing: which way readiness goes (the kernel's
// tables, lsof, a connect probe), SOCKLAB_READINESS forcing one and refused when it cannot be had, and
// the lines that say so in the run's record; lsof's output as macOS and Linux write it.
import { expect } from 'chai';
import { chmodSync } from 'node:fs';
import path from 'node:path';
import { probePlatform } from '../../harness/process/platform-support.js';
import { parseLsof } from '../../harness/process/readiness-fallbacks.js';
import { TempDir } from '../support/temp-dir.js';

describe('platform support', () => {
  let temp: TempDir;
  /**
   * A PATH holding only the named tools: shell scripts that work as the probe tries them (lsof lists
   * its caller, ps exits 0), or, for `broken-lsof`, an lsof that fails as Linux's does without /proc.
   */
  let tools: (...names: Array<'lsof' | 'ps' | 'broken-lsof'>) => string;
  let noProc: string;
  beforeEach(() => {
    temp = new TempDir();
    noProc = path.join(temp.path, 'no-proc', 'self', 'net', 'tcp');
    tools = (...names) => {
      const dir = path.join(temp.path, `bin-${names.join('-') || 'none'}`);
      const scripts = { lsof: 'echo "p$PPID"', ps: 'exit 0', 'broken-lsof': 'echo "lsof: can\'t fopen(/proc/mounts, \\"r\\")" >&2; exit 1' };
      for (const name of names) chmodSync(temp.write(path.relative(temp.path, path.join(dir, name.replace('broken-', ''))), `#!/bin/sh\n${scripts[name]}\n`), 0o755);
      return dir;
    };
  });
  afterEach(() => temp.remove());

  it('on Linux: the kernel\'s socket tables, and nothing missing', () => {
    expect(probePlatform({ procNet: '/proc/self/net/tcp', searchPath: tools('lsof', 'ps'), forced: undefined })).to.deep.include({ proc: true, readiness: 'proc', missing: [] });
  });

  it('without /proc (macOS): lsof for readiness, ps for the sweep, no stillness, each said in one line', () => {
    const searchPath = tools('lsof', 'ps');
    expect(probePlatform({ procNet: noProc, searchPath, forced: undefined })).to.deep.equal({
      proc: false,
      readiness: 'lsof',
      lsof: path.join(searchPath, 'lsof'),
      ps: path.join(searchPath, 'ps'),
      missing: [
        "readiness by lsof (no /proc): the sockets of each program's process group as lsof lists them",
        'no stillness detection (no /proc): run steps wait out their timeouts',
        'escaped processes found by `ps e` (no /proc/PID/environ)',
      ],
    });
  });

  it('without /proc, lsof or ps: a connect probe, UDP taken as there after a delay, and no sweep, said', () => {
    const found = probePlatform({ procNet: noProc, searchPath: tools(), forced: undefined });
    expect(found.readiness).to.equal('connect');
    expect(found.missing).to.deep.equal([
      "readiness by connecting (no /proc, and lsof is not installed): a TCP server sees one extra connection that sends nothing, and so does a packet capture; UDP sockets cannot be seen, so a UDP server or a client's first datagram counts as there 1s after its start; no port discovery",
      'no stillness detection (no /proc): run steps wait out their timeouts',
      'no sweep of escaped processes (no /proc, no ps): a program that leaves its process group may outlive the run',
    ]);
  });

  it('without /proc, an lsof that is there and fails (as Linux\'s does) is not used, and says why', () => {
    const found = probePlatform({ procNet: noProc, searchPath: tools('broken-lsof', 'ps'), forced: undefined });
    expect(found).to.deep.include({ readiness: 'connect', lsof: null });
    expect(found.missing[0]).to.match(/^readiness by connecting \(no \/proc, and lsof does not work here \(exit 1: lsof: can't fopen\(\/proc\/mounts, "r"\)\)\): /);
  });

  it('SOCKLAB_READINESS forces a method that is there, and is ignored, said why, when it is not or is no method', () => {
    const searchPath = tools('ps');
    expect(probePlatform({ procNet: '/proc/self/net/tcp', searchPath, forced: 'connect' })).to.deep.include({ readiness: 'connect' });
    expect(probePlatform({ procNet: '/proc/self/net/tcp', searchPath, forced: 'connect' }).missing[0]).to.match(/^readiness by connecting \(SOCKLAB_READINESS=connect\): /);
    expect(probePlatform({ procNet: '/proc/self/net/tcp', searchPath, forced: 'lsof' })).to.deep.include({ readiness: 'proc', missing: ['SOCKLAB_READINESS=lsof ignored: lsof is not installed'] });
    expect(probePlatform({ procNet: noProc, searchPath, forced: 'proc' }).missing[0]).to.equal('SOCKLAB_READINESS=proc ignored: there is no /proc');
    expect(probePlatform({ procNet: '/proc/self/net/tcp', searchPath, forced: 'netstat' })).to.deep.include({ readiness: 'proc', missing: ['SOCKLAB_READINESS=netstat ignored: expected one of proc, lsof, connect'] });
  });

  it('reads lsof -F n: listeners on every address, loopback, IPv6 in brackets; connected UDP sockets only when asked', () => {
    const output = ['p812', 'n*:8080', 'n127.0.0.1:8081', 'n[::1]:8082', 'n[::]:8083', 'p813', 'n127.0.0.1:5000->127.0.0.1:6000', 'nlocalhost:8084'].join('\n');
    expect(parseLsof(output, false)).to.deep.equal([
      { port: 8080, loopback: false },
      { port: 8081, loopback: true },
      { port: 8082, loopback: true },
      { port: 8083, loopback: false },
      { port: 8084, loopback: true },
    ]);
    expect(parseLsof(output, true)).to.deep.include({ port: 5000, loopback: true });
    expect(parseLsof('', false)).to.deep.equal([]);
  });
});
