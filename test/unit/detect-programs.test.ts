// Which file plays which role, and how it takes its arguments, for submissions laid out and written
// the way students do it: the corpus's own folders, and small programs written here.
import { expect } from 'chai';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadLab } from '../../harness/lab/load-lab.js';
import { detectPrograms, foundProgram, type DetectedProgram } from '../../harness/grade/detect-programs.js';
import { detectConvention } from '../../harness/grade/detect-arguments.js';
import { readSourceCode } from '../../harness/grade/source-code.js';
import { conventionLabel } from '../../harness/lab/role-arguments.js';
import { repoRoot } from '../support/paths.js';
import { TempDir } from '../support/temp-dir.js';

const lab = loadLab(path.join(repoRoot, 'specs', 'lab.yaml'));
const corpus = path.join(repoRoot, 'test', 'fixtures', 'corpus');

/** role → `file (how): convention`, the way a grader would summarise it. */
function summary(programs: DetectedProgram[]): Record<string, string> {
  return Object.fromEntries(
    programs.map((program) => {
      const found = foundProgram(program);
      const convention = found.convention ? `${found.convention.name}${found.convention.source ? ` @${found.convention.source.line}` : ''}` : 'tried in order';
      return [program.role, `${found.program} (${program.how}): ${convention}`];
    }),
  );
}

describe('detecting programs by name, by content and by their command line', () => {
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  /** A copy of a corpus submission without its socklab.yaml (and verdict), so that detection decides. */
  function copyOf(name: string): string {
    const copy = path.join(temp.path, name);
    cpSync(path.join(corpus, name), copy, { recursive: true });
    rmSync(path.join(copy, 'socklab.yaml'), { force: true });
    rmSync(path.join(copy, 'verdict.yaml'));
    return copy;
  }

  it('finds task1/tcp_server.py and 2-webserver/server.py by what they do (corpus 05), and says why', () => {
    const detection = detectPrograms(path.join(corpus, '05-subfolders-web-indexerror'), lab);
    expect(summary(detection.programs)).to.deep.equal({
      'tcp-server': 'task1/tcp_server.py (content): PORT @10',
      'tcp-client': 'task1/tcp_client.py (content): HOST PORT @11',
      'udp-server': 'task1/udp_server.py (content): PORT @10',
      'udp-client': 'task1/udp_client.py (content): HOST PORT @11',
      'web-server': '2-webserver/server.py (content): none @8',
    });
    expect(detection.missing).to.deep.equal(['proxy', 'mail-client']);
    expect(detection.notes).to.include('tcp-server: task1/tcp_server.py: a TCP server (SOCK_STREAM, bind, listen, accept); takes PORT (task1/tcp_server.py:10)');
    expect(detection.notes).to.include('web-server: 2-webserver/server.py: a web server (listen, accept, the request line parsed, an HTTP status line); takes no arguments (2-webserver/server.py:8)');
  });

  it('finds Web-Server/Web-Server.py (07), http_proxy.py (13), web-proxy/web-proxy.py (12), mail_client.py (16)', () => {
    expect(summary(detectPrograms(path.join(corpus, '07-web-absolute-path'), lab).programs)['web-server']).to.equal('Web-Server/Web-Server.py (content): none @8');
    expect(summary(detectPrograms(copyOf('13-proxy-always-get-root'), lab).programs).proxy).to.equal('http_proxy.py (content): IP PORT @10');
    expect(summary(detectPrograms(copyOf('12-threaded-proxy-works'), lab).programs).proxy).to.equal('web-proxy/web-proxy.py (content): --port PORT @82');
    const mail = detectPrograms(path.join(corpus, '16-mail-gmail-env'), lab);
    expect(summary(mail.programs)['mail-client']).to.equal('mail_client.py (content): none @19');
    expect(mail.programs.find((program) => program.role === 'mail-client')?.why).to.equal('a mail client (HELO/EHLO, MAIL FROM)');
  });

  it('plays both roles with one file that picks one by its first argument (26)', () => {
    const detection = detectPrograms(copyOf('26-one-file-per-protocol'), lab);
    expect(summary(detection.programs)).to.deep.equal({
      'tcp-server': 'tcp.py server (content): PORT @31',
      'tcp-client': 'tcp.py client (content): HOST PORT @33',
      'udp-server': 'udp.py server (content): PORT @28',
      'udp-client': 'udp.py client (content): HOST PORT @30',
    });
    expect(detection.programs[0].why).to.equal('a TCP server (bind, listen, accept), when its first argument is server');
  });

  it('prefers the lab file names, never takes an HTTP test client for the TCP client, and leaves a role without a program missing', () => {
    const detection = detectPrograms(path.join(corpus, '06-web-closes-listening-socket'), lab);
    expect(summary(detection.programs)['tcp-client']).to.equal('TCPClient.py (file name): HOST PORT @6');
    temp.write('alice/client.py', readText(corpus, '06-web-closes-listening-socket/client.py'));
    temp.write('alice/TCPServer.py', readText(corpus, '01-handout-python3/TCPServer.py'));
    expect(detectPrograms(path.join(temp.path, 'alice'), lab).missing).to.include('tcp-client');
  });

  it('resolves two candidates for a role by the fit of their names, and names both', () => {
    const server = readText(corpus, '05-subfolders-web-indexerror/task1/tcp_server.py');
    temp.write('bob/old/server_backup.py', server);
    temp.write('bob/lab/tcp_server.py', server);
    const detection = detectPrograms(path.join(temp.path, 'bob'), lab);
    expect(summary(detection.programs)['tcp-server']).to.equal('lab/tcp_server.py (content): PORT @10');
    expect(foundProgram(detection.programs[0]).others).to.deep.equal(['old/server_backup.py']);
    expect(detection.notes).to.include(
      'tcp-server: lab/tcp_server.py and old/server_backup.py each look like a TCP server (SOCK_STREAM, bind, listen, accept); chose lab/tcp_server.py (its name and folder fit the role best, then the shallowest, then the first by name)',
    );
  });

  it("puts a web server's pages where its HelloWorld.html is, below its folder", () => {
    const detection = detectPrograms(copyOf('20-argparse-web-server'), lab);
    const web = detection.programs.find((program) => program.role === 'web-server')!;
    expect([web.file, web.filesDir, conventionLabel(web.conventions![0].convention)]).to.deep.equal(['server/web.py', 'server/www', '--port PORT']);
    expect(detection.programs.find((program) => program.role === 'tcp-server')?.filesDir).to.equal(undefined);
    // With its socklab.yaml, the command is the student's, and the pages are found the same way.
    const mapped = detectPrograms(path.join(corpus, '20-argparse-web-server'), lab).programs.find((program) => program.role === 'web-server')!;
    expect([mapped.how, mapped.file, mapped.filesDir, mapped.conventions]).to.deep.equal(['socklab.yaml', 'server/web.py', 'server/www', undefined]);
  });

  describe('the command-line convention, read from the source', () => {
    const conventionOf = (code: string, usage: 'PORT' | 'HOST PORT', file = 'prog.py') => {
      temp.write(file, code);
      const [first, ...rest] = detectConvention(readSourceCode(temp.path, file), usage);
      return rest.length ? 'tried in order' : `${conventionLabel(first.convention)} @${first.source?.line}`;
    };

    it('servers: PORT, IP PORT, --port PORT (argparse), none', () => {
      expect(conventionOf('import sys\n# usage: server.py HOST PORT (sys.argv[2])\nport = int(sys.argv[1])\n', 'PORT')).to.equal('PORT @3');
      expect(conventionOf('from sys import argv\nIP = argv[1]\nPORT = int(argv[2])\n', 'PORT')).to.equal('IP PORT @3');
      expect(conventionOf("import argparse\np = argparse.ArgumentParser()\np.add_argument('-p', '--port',\n    type=int, default=8888)\n", 'PORT')).to.equal('--port PORT @3');
      expect(conventionOf("from socket import *\nserverPort = 12000\ns = socket(AF_INET, SOCK_STREAM)\ns.bind(('', serverPort))\n", 'PORT')).to.equal('none @4');
      expect(conventionOf("import argparse\np = argparse.ArgumentParser()\np.add_argument('port', type=int)\n", 'PORT')).to.equal('PORT @3');
    });

    it('clients: HOST PORT, PORT (corpus 18), --host HOST --port PORT, a tuple unpacked from sys.argv, none', () => {
      expect(conventionOf(readText(corpus, '18-client-loopback-port-only/TCPClient.py'), 'HOST PORT')).to.equal('PORT @6');
      expect(conventionOf('import sys\nserverName = sys.argv[1]\nserverPort = int(sys.argv[2])\n', 'HOST PORT')).to.equal('HOST PORT @3');
      expect(conventionOf("import argparse\np = argparse.ArgumentParser()\np.add_argument('--server')\np.add_argument('--port', type=int)\n", 'HOST PORT')).to.equal('--server HOST --port PORT @4');
      expect(conventionOf('import sys\n_, host, port = sys.argv\n', 'HOST PORT')).to.equal('HOST PORT @2');
      expect(conventionOf("serverName = 'servername'\nserverPort = 12000\nclientSocket.connect((serverName, serverPort))\n", 'HOST PORT')).to.equal('none @3');
    });

    it('Java and C by the same signals', () => {
      expect(conventionOf('public class S { public static void main(String[] argv) throws Exception { int port = Integer.parseInt(argv[0]); } }\n', 'PORT', 'S.java')).to.equal('PORT @1');
      expect(conventionOf('class C {\n public static void main(String args[]) {\n  String host = args[0];\n  int port = Integer.parseInt(args[1]);\n }\n}\n', 'HOST PORT', 'C.java')).to.equal('HOST PORT @4');
      expect(conventionOf('int main(int argc, char *argv[]) {\n  int port = atoi(argv[1]); // argv[2] unused\n}\n', 'PORT', 's.c')).to.equal('PORT @2');
    });

    it('leaves the conventions to be tried in order where the source does not tell', () => {
      expect(conventionOf('import sys\ndef main(args):\n    port = int(args[2])\nmain(sys.argv)\n', 'PORT')).to.equal('tried in order');
      expect(conventionOf("import getopt, sys\nopts, _ = getopt.getopt(sys.argv[1:], 'p:')\n", 'PORT')).to.equal('tried in order');
      expect(detectConvention(null, 'PORT').map((choice) => choice.convention.name)).to.deep.equal(['PORT', 'IP PORT', '--port PORT', 'none']);
    });
  });
});

function readText(folder: string, file: string): string {
  return readFileSync(path.join(folder, file), 'utf8');
}
