// The static checks on small Python files written by the test: python3's own parser reads them
// (nothing runs), and each finding names the line a grader would point at. Look-alikes stay quiet.
import { expect } from 'chai';
import { analysisOf, analyzeSubmission, findingsOf, placeOf, type FileAnalysis } from '../../harness/grade/static-checks.js';
import { TempDir } from '../support/temp-dir.js';

describe('static checks of a submission', function () {
  this.timeout(60_000);
  let temp: TempDir;
  let files: FileAnalysis[] = [];
  const file = (name: string) => files.find((entry) => entry.file === name)!;

  before(async () => {
    temp = new TempDir();
    temp.write('TCPServer.py', ['from socket import *', 'serverPort = 12000', 'serverSocket = socket(AF_INET, SOCK_STREAM)', "serverSocket.bind(('', serverPort))", 'serverSocket.listen(1)', ''].join('\n'));
    temp.write('task4/MailClient.py', ['import os', "user = os.environ['GMAIL_USER']", "port = os.getenv('SMTP_PORT', '25')", 'print "hello"', ''].join('\n'));
    temp.write(
      'web/WebServer.py',
      [
        'from socket import *',
        'import sys',
        'serverSocket = socket(AF_INET, SOCK_STREAM)',
        'serverSocket.bind(("", int(sys.argv[1])))',
        'serverSocket.listen(1)',
        'while True:',
        '    connectionSocket, addr = serverSocket.accept()',
        '    message = connectionSocket.recv(1024).decode()',
        '    filename = message.split()[1]',
        '    try:',
        '        f = open(filename)',
        '    except IOError:',
        '        serverSocket.close()',
        '',
      ].join('\n'),
    );
    temp.write(
      'TCPClient.py',
      ['from socket import *', 'import sys', 'clientSocket = socket(AF_INET, SOCK_STREAM)', "clientSocket.connect(('localhost', 12000))", 'reply = clientSocket.recv(1024)', 'sentence = raw_input("x")', ''].join('\n'),
    );
    temp.write('Good.py', ['import sys', 'from socket import *', 's = socket(AF_INET, SOCK_STREAM)', 's.connect((sys.argv[1], int(sys.argv[2])))', 'while True:', '    data = s.recv(1024)', '    if not data:', '        break', ''].join('\n'));
    temp.write('Mail3.py', ['import os', "user = os.environ['GMAIL_USER']", "port = os.getenv('SMTP_PORT', '25')", ''].join('\n'));
    temp.write('.hidden/Skipped.py', 'print "never read"\n');
    const analysis = await analyzeSubmission(temp.path);
    expect(analysis.unavailable).to.equal(undefined);
    files = analysis.files;
  });
  after(() => temp?.remove());

  it('finds every .py file in sub-folders, leaving hidden folders out', () => {
    expect(files.map((entry) => entry.file)).to.deep.equal(['Good.py', 'Mail3.py', 'TCPClient.py', 'TCPServer.py', 'task4/MailClient.py', 'web/WebServer.py']);
  });

  it('a Python 2 file: the syntax error with its line and the habit that explains it', () => {
    const mail = file('task4/MailClient.py');
    expect(mail.syntaxError).to.deep.include({ line: 4, text: 'print "hello"' });
    expect(mail.python2).to.equal('print statement');
    expect(file('TCPServer.py').syntaxError ?? null).to.equal(null);
  });

  it('a port written into bind, through a variable, at the line that writes it', () => {
    const [port] = findingsOf(file('TCPServer.py'), 'port-literal');
    expect(port).to.deep.include({ value: 12000, line: 2, call: 'bind', callLine: 4, text: 'serverPort = 12000' });
    expect(placeOf(file('TCPServer.py'), port.line)).to.equal('TCPServer.py:2');
    // A port from the command line is no literal.
    expect(findingsOf(file('web/WebServer.py'), 'port-literal')).to.deep.equal([]);
  });

  it('a host and a port written into connect, one recv() per response, and a Python 2 name', () => {
    const client = file('TCPClient.py');
    expect(findingsOf(client, 'host-literal').map((finding) => [finding.value, finding.line])).to.deep.equal([['localhost', 4]]);
    expect(findingsOf(client, 'port-literal').map((finding) => finding.value)).to.deep.equal([12000]);
    expect(findingsOf(client, 'single-recv').map((finding) => finding.line)).to.deep.equal([5]);
    expect(findingsOf(client, 'python2-name').map((finding) => finding.value)).to.deep.equal(['raw_input']);
    // A client reading in a loop, with its address from argv, shows none of these.
    const good = file('Good.py');
    for (const kind of ['host-literal', 'port-literal', 'single-recv', 'python2-name'] as const) expect(findingsOf(good, kind), kind).to.deep.equal([]);
  });

  it("the URL path opened as it comes, and the listening socket closed in its accept loop", () => {
    const web = file('web/WebServer.py');
    expect(findingsOf(web, 'url-path-opened').map((finding) => finding.line)).to.deep.equal([11]);
    expect(findingsOf(web, 'listening-socket-closed').map((finding) => [finding.line, finding.value])).to.deep.equal([[13, 'serverSocket']]);
  });

  it('environment variables read, and whether the program has a default', () => {
    expect(findingsOf(file('Mail3.py'), 'env-read').map((finding) => [finding.value, finding.hasDefault, finding.line])).to.deep.equal([
      ['GMAIL_USER', false, 2],
      ['SMTP_PORT', true, 3],
    ]);
  });

  it('the analysis of a role finds its file from a detected path or a command', () => {
    const analysis = { files };
    expect(analysisOf(analysis, 'web/WebServer.py')?.file).to.equal('web/WebServer.py');
    expect(analysisOf(analysis, 'python3 ./TCPClient.py --verbose')?.file).to.equal('TCPClient.py');
    expect(analysisOf(analysis, 'java TCPClient')).to.equal(undefined);
  });
});
