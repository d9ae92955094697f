// The command line's --remote and --ssh values: the expected form, or one line that shows it (exit 2).
import { expect } from 'chai';
import { SocklabError } from '../../harness/errors.js';
import { checkSshOption, parseRemoteOption, parseSshOption } from '../../harness/remote/remote-options.js';
import { sshProblem } from '../../harness/remote/ssh-connection.js';
import { shellLine } from '../../harness/remote/shell-words.js';

function usageError(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).to.be.instanceOf(SocklabError);
    expect((error as SocklabError).exitCode).to.equal(2);
    return (error as SocklabError).message;
  }
  throw new Error('no error');
}

describe('--remote and --ssh values', () => {
  it('--remote ROLE=HOST:PORT, with IPv6 in brackets', () => {
    expect(parseRemoteOption('tcp-server=192.168.1.20:12000')).to.deep.equal({ role: 'tcp-server', host: '192.168.1.20', port: 12000 });
    expect(parseRemoteOption('web-server=lab-pc.example.edu:8080')).to.deep.equal({ role: 'web-server', host: 'lab-pc.example.edu', port: 8080 });
    expect(parseRemoteOption('udp-server=[fe80::1]:12000')).to.deep.equal({ role: 'udp-server', host: 'fe80::1', port: 12000 });
  });

  it('--remote: the expected form when it is not that, the port range when the port is out of it', () => {
    expect(usageError(() => parseRemoteOption('tcp-server'))).to.equal('--remote expects ROLE=HOST:PORT, e.g. tcp-server=192.168.1.20:12000; got "tcp-server"');
    expect(usageError(() => parseRemoteOption('tcp-server=lab-pc'))).to.equal('--remote expects ROLE=HOST:PORT, e.g. tcp-server=192.168.1.20:12000; got "tcp-server=lab-pc"');
    expect(usageError(() => parseRemoteOption('tcp-server=lab-pc:70000'))).to.equal('--remote tcp-server=lab-pc:70000: expected a port 1–65535, got "70000"');
  });

  it('--ssh ROLE=[USER@]HOST', () => {
    expect(parseSshOption('tcp-server=student@192.168.1.20')).to.deep.equal({ role: 'tcp-server', user: 'student', host: '192.168.1.20' });
    expect(parseSshOption('proxy=lab-pc')).to.deep.equal({ role: 'proxy', host: 'lab-pc' });
  });

  it('--ssh: never a host or user that ssh could read as an option', () => {
    expect(usageError(() => parseSshOption('foo'))).to.equal('--ssh expects ROLE=USER@HOST, e.g. tcp-server=student@192.168.1.20; got "foo"');
    expect(usageError(() => parseSshOption('tcp-server=-oProxyCommand=touch /tmp/x'))).to.match(/^--ssh expects ROLE=USER@HOST/);
    expect(usageError(() => parseSshOption('tcp-server=-l@lab-pc'))).to.match(/^--ssh expects ROLE=USER@HOST/);
    expect(usageError(() => parseSshOption('Tcp-Server=lab-pc'))).to.match(/^--ssh expects ROLE=USER@HOST/);
  });

  it('--ssh-option KEY=VALUE as ssh -o takes it', () => {
    expect(checkSshOption('Port=2222')).to.equal('Port=2222');
    expect(usageError(() => checkSshOption('-F/etc/passwd'))).to.equal('--ssh-option expects KEY=VALUE as ssh -o takes it, e.g. Port=2222 or ConnectTimeout=5; got "-F/etc/passwd"');
  });
});

describe('ssh on this machine and the shell on the other', () => {
  it("keeps ssh's last line and says what to do about its usual refusals", () => {
    expect(sshProblem("Warning: Permanently added '198.51.100.2' (ED25519) to the list of known hosts.\r\nroot@198.51.100.2: Permission denied (publickey).\n")).to.match(/^root@198\.51\.100\.2: Permission denied \(publickey\)\. \(the machine refused every key offered: /);
    expect(sshProblem('Host key verification failed.\n')).to.include('--ssh-option StrictHostKeyChecking=accept-new');
    expect(sshProblem('kex_exchange_identification: read: Connection reset by peer\n')).to.equal('kex_exchange_identification: read: Connection reset by peer');
    expect(sshProblem('')).to.equal(null);
  });

  it('quotes every word for the remote shell, which ssh hands one line', () => {
    expect(shellLine(['python3', 'TCPServer.py', '40123'])).to.equal('python3 TCPServer.py 40123');
    expect(shellLine(["it's", 'a b', '$HOME', '', 'x;rm -rf /'])).to.equal(`'it'\\''s' 'a b' '$HOME' '' 'x;rm -rf /'`);
  });
});
