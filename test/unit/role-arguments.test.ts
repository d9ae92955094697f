// How a step's arguments reach a role's program: as given, through a role command's template, or by a
// command-line convention (lab/role-arguments.ts, plan/role-invocation.ts).
import { expect } from 'chai';
import path from 'node:path';
import {
  arrangeArguments,
  conventionsToTry,
  fillArgumentTemplates,
  handoutCommand,
  roleCommandProblem,
  usageValues,
  usesArgumentTemplates,
  type ConventionName,
} from '../../harness/lab/role-arguments.js';
import { loadLab } from '../../harness/lab/load-lab.js';
import { RoleTable } from '../../harness/lab/role-table.js';
import { planInvocation, roleCommandLine } from '../../harness/plan/role-invocation.js';
import { repoRoot } from '../support/paths.js';

const server = 'PORT';
const client = 'HOST PORT';
const mail = (loadLab(path.join(repoRoot, 'specs', 'lab.yaml')).roles['mail-client']).usage;

describe('role arguments', () => {
  it('reads the values a step passes against the role usage', () => {
    expect(usageValues(server, ['40123'])).to.deep.equal({ port: '40123', rest: [] });
    expect(usageValues(server, ['40123', '--once'])).to.deep.equal({ port: '40123', rest: ['--once'] });
    expect(usageValues(client, ['192.0.2.1', '40123'])).to.deep.equal({ host: '192.0.2.1', port: '40123', rest: [] });
    expect(usageValues(mail, ['--server', '192.0.2.3', '--port', '2525', '--from', 'a@b'])).to.deep.equal({ host: '192.0.2.3', port: '2525', rest: ['--from', 'a@b'] });
  });

  it('places them as each convention asks, the handout first', () => {
    const arranged = (usage: string, name: ConventionName, args: string[], flags?: { host?: string; port?: string }) => arrangeArguments({ name, ...(flags ? { flags } : {}) }, usage, args);
    expect(conventionsToTry(server).map((convention) => convention.name)).to.deep.equal(['PORT', 'IP PORT', '--port PORT', 'none']);
    expect(conventionsToTry(client).map((convention) => convention.name)).to.deep.equal(['HOST PORT', 'PORT', '--host HOST --port PORT', 'none']);
    expect(conventionsToTry(mail).map((convention) => convention.name)).to.deep.equal(['as given', 'none']);
    expect(arranged(server, 'PORT', ['8888'])).to.deep.equal(['8888']);
    expect(arranged(server, 'IP PORT', ['8888'])).to.deep.equal(['0.0.0.0', '8888']);
    expect(arranged(server, '--port PORT', ['8888'])).to.deep.equal(['--port', '8888']);
    expect(arranged(server, '--port PORT', ['8888'], { port: '-p' })).to.deep.equal(['-p', '8888']);
    expect(arranged(server, 'none', ['8888'])).to.deep.equal([]);
    expect(arranged(client, 'HOST PORT', ['192.0.2.1', '8888'])).to.deep.equal(['192.0.2.1', '8888']);
    expect(arranged(client, 'PORT', ['192.0.2.1', '8888'])).to.deep.equal(['8888']);
    expect(arranged(client, '--host HOST --port PORT', ['192.0.2.1', '8888'], { host: '--server', port: '--port' })).to.deep.equal(['--server', '192.0.2.1', '--port', '8888']);
    expect(arranged(mail, 'none', ['--server', 'x', '--port', '1'])).to.deep.equal([]);
    // A step that passes no port keeps its arguments as they are.
    expect(arranged(server, 'IP PORT', [])).to.deep.equal([]);
  });

  it('fills {{port}} and {{host}} from the step; a server\'s {{host}} is its own address', () => {
    expect(fillArgumentTemplates(['python3', 'web-server.py', '--port', '{{port}}'], server, ['6789'], '192.0.2.1')).to.deep.equal(['python3', 'web-server.py', '--port', '6789']);
    expect(fillArgumentTemplates(['python3', 'proxy.py', '{{host}}', '{{ port }}'], server, ['8888'], '192.0.2.1')).to.deep.equal(['python3', 'proxy.py', '192.0.2.1', '8888']);
    expect(fillArgumentTemplates(['python3', 'c.py', '--to={{host}}:{{port}}'], client, ['192.0.2.1', '12000'], '192.0.2.2')).to.deep.equal(['python3', 'c.py', '--to=192.0.2.1:12000']);
    expect(fillArgumentTemplates(['python3', 'c.py', '{{host}}'], client, [], '192.0.2.2')).to.equal(null);
  });

  it('knows which templates a role command may use', () => {
    expect(usesArgumentTemplates(['python3', 'x.py', '{{port}}'])).to.equal(true);
    expect(usesArgumentTemplates(['python3', 'x.py', '{{tmp}}/cache'])).to.equal(false);
    expect(roleCommandProblem(['python3', 'x.py', '{{server.host}}', '{{tmp}}'])).to.equal(null);
    expect(roleCommandProblem(['python3', 'x.py', '{{ports.web}}'])).to.equal(
      'unknown template {{ports.web}} in "python3 x.py {{ports.web}}"; a role command may use {{port}}, {{host}}, {{server.host}}, {{client.host}}, {{internet.host}}, {{tmp}}',
    );
  });

  it("keeps of a template command, for the handout's command line, the program and its mode word", () => {
    expect(handoutCommand(['python3', 'http_proxy.py', '0.0.0.0', '{{port}}'])).to.deep.equal(['python3', 'http_proxy.py']);
    expect(handoutCommand(['python3', 'web-proxy/web-proxy.py', '--port', '{{port}}'])).to.deep.equal(['python3', 'web-proxy/web-proxy.py']);
    expect(handoutCommand(['python3', 'c.py', '--host', '{{host}}', '--port', '{{port}}'])).to.deep.equal(['python3', 'c.py']);
    expect(handoutCommand(['python3', 'tcp.py', 'server', '{{port}}'])).to.deep.equal(['python3', 'tcp.py', 'server']);
  });

  it('builds each command line, and a command-line experiment judges the handout\'s way', () => {
    const roles = new RoleTable(loadLab(path.join(repoRoot, 'specs', 'lab.yaml')));
    roles.override('proxy', 'python3 web-proxy/web-proxy.py --port {{port}}', '/sub');
    roles.override('web-server', 'python3 server.py', '/sub', { conventions: [{ convention: { name: 'none' }, how: 'source', source: { file: 'server.py', line: 8, text: "serverSocket.bind(('', 8000))" } }] });
    roles.override('tcp-server', 'python3 TCPServer.py', '/sub', { conventions: conventionsToTry(server).map((convention) => ({ convention, how: 'try' as const })) });
    const line = (role: string, args: string[], tags: string[] = ['task3'], attempt = 0) => {
      const binding = roles.get(role);
      const planned = planInvocation(binding.invocation, binding.command, tags);
      return roleCommandLine({ ...planned, usage: binding.usage, args, attempt, ownHost: '192.0.2.1' });
    };
    expect(line('proxy', ['8888'])).to.deep.equal({ command: ['python3', 'web-proxy/web-proxy.py', '--port', '8888'], invocation: { convention: 'template', how: 'template' } });
    expect(line('proxy', ['8888'], ['task3', 'command-line'])).to.deep.equal({ command: ['python3', 'web-proxy/web-proxy.py', '8888'], invocation: { convention: 'PORT', how: 'handout' } });
    expect(line('web-server', ['6789'])).to.deep.equal({
      command: ['python3', 'server.py'],
      invocation: { convention: 'none', how: 'source', source: { file: 'server.py', line: 8, text: "serverSocket.bind(('', 8000))" } },
    });
    expect(line('web-server', ['6789'], ['task2', 'command-line'])).to.deep.equal({ command: ['python3', 'server.py', '6789'], invocation: { convention: 'PORT', how: 'handout' } });
    expect(line('tcp-server', ['12000'], ['task1'], 1)).to.deep.equal({ command: ['python3', 'TCPServer.py', '0.0.0.0', '12000'], invocation: { convention: 'IP PORT', how: 'tried' } });
    expect(line('tcp-client', ['192.0.2.1', '12000'])).to.deep.equal({ command: [...roles.reference('tcp-client').command, '192.0.2.1', '12000'] });
    expect(() => roles.override('proxy', 'python3 p.py {{ports.proxy}}')).to.throw('role proxy: unknown template {{ports.proxy}}');
  });
});
