// The class gradebook: which tasks count for each student (scoring.ts), missing roles of the graded
// tasks only, "not handed in" instead of failures, the why column and grades.csv.
import { expect } from 'chai';
import { assessedTotals, assessTasks } from '../../harness/model/scoring.js';
import { buildGradebook, gradebookCsv, mostFailed } from '../../harness/grade/gradebook.js';
import { mainCause } from '../../harness/grade/main-cause.js';
import { gradedExperiment as graded, gradedRun, hardCodedClient, task1Programs } from '../support/class-results.js';

const tcp = ['tcp-server', 'tcp-client'];
const udp = ['udp-server', 'udp-client'];
const task1 = [graded({ id: 'tcp-lowercase', task: 'task1', roles: tcp }), graded({ id: 'udp-lowercase', task: 'task1', roles: udp })];
const task2 = (status: 'passed' | 'failed' = 'failed') => [graded({ id: 'web-hello', task: 'task2', roles: ['web-server'], status, points: 2 }), graded({ id: 'web-404', task: 'task2', roles: ['web-server', 'curl'], status })];
const task3 = (status: 'passed' | 'failed' = 'failed') => [graded({ id: 'proxy-cache-hit', task: 'task3', roles: ['proxy'], status, points: 3 })];
const summary = (tasks: ReturnType<typeof assessTasks>) => tasks.map(({ task, roles, handedIn, assessed }) => `${task} [${roles.join(' ')}] ${handedIn ? 'handed in' : 'not handed in'}, ${assessed ? 'counts' : 'left out'}`);

describe('which tasks count for a student (scoring.ts assessTasks)', () => {
  it('a task is handed in when the submission has a program for one of the roles its graded experiments launch (tools such as curl are not roles of the student)', () => {
    const run = gradedRun('ann', [...task1, ...task2('passed')], { ...task1Programs, 'web-server': 'WebServer.py' });
    expect(summary(assessTasks(run.experiments, run.submission))).to.deep.equal(['task1 [tcp-client tcp-server udp-client udp-server] handed in, counts', 'task2 [web-server] handed in, counts']);
  });

  it('Task 1 alone graded: every role the other tasks use may be missing without anything being not handed in', () => {
    const run = gradedRun('bob', task1);
    expect(summary(assessTasks(run.experiments, run.submission))).to.deep.equal(['task1 [tcp-client tcp-server udp-client udp-server] handed in, counts']);
  });

  it('of several optional tasks graded, those not handed in are left out; the one handed in counts', () => {
    const run = gradedRun('cy', [...task1, ...task2(), ...task3('passed')], { ...task1Programs, proxy: 'ProxyServer.py' });
    const tasks = assessTasks(run.experiments, run.submission);
    expect(summary(tasks)).to.deep.equal([
      'task1 [tcp-client tcp-server udp-client udp-server] handed in, counts',
      'task2 [web-server] not handed in, left out',
      'task3 [proxy] handed in, counts',
    ]);
    expect(assessedTotals(run.experiments, tasks)).to.deep.equal({ score: 5, maxScore: 5 });
    expect(run).to.include({ score: 5, maxScore: 8 });
  });

  it('when none of the optional tasks graded was handed in they all count: the assigned task is missing, which is not full marks', () => {
    const run = gradedRun('dee', [...task1, ...task2(), ...task3()]);
    const tasks = assessTasks(run.experiments, run.submission);
    expect(summary(tasks)).to.deep.equal([
      'task1 [tcp-client tcp-server udp-client udp-server] handed in, counts',
      'task2 [web-server] not handed in, counts',
      'task3 [proxy] not handed in, counts',
    ]);
    expect(assessedTotals(run.experiments, tasks)).to.deep.equal({ score: 2, maxScore: 8 });
  });

  it('Task 1 is mandatory: not handed in, it still counts; half of it handed in is handed in', () => {
    const nothing = gradedRun('eve', [...task1, ...task2('passed')], { 'web-server': 'WebServer.py' });
    expect(summary(assessTasks(nothing.experiments, nothing.submission))[0]).to.equal('task1 [tcp-client tcp-server udp-client udp-server] not handed in, counts');
    const tcpOnly = gradedRun('fay', task1, { 'tcp-server': 'TCPServer.py', 'tcp-client': 'TCPClient.py' });
    expect(summary(assessTasks(tcpOnly.experiments, tcpOnly.submission))[0]).to.equal('task1 [tcp-client tcp-server udp-client udp-server] handed in, counts');
  });

  it('the reference programs (no submission) hand in everything, and skipped experiments count for neither total', () => {
    const experiments = [...task1, graded({ id: 'web-browser', task: 'task2', roles: ['web-server'], status: 'skipped', points: 4 })];
    const tasks = assessTasks(experiments, undefined);
    expect(summary(tasks)).to.deep.equal(['task1 [] handed in, counts', 'task2 [] handed in, counts']);
    expect(assessedTotals(experiments, tasks)).to.deep.equal({ score: 2, maxScore: 2 });
  });
});

describe('gradebook', () => {
  it('lists a role as missing only when the graded experiments use it, and totals over the tasks that count', () => {
    const book = buildGradebook([
      { student: 'tcp-only', run: gradedRun('tcp-only', [graded({ id: 'tcp-lowercase', task: 'task1', roles: tcp })], { 'tcp-server': 'TCPServer.py', 'tcp-client': 'TCPClient.py' }), page: 'tcp-only/index.html' },
      { student: 'half', run: gradedRun('half', [...task1, ...task2()], { 'tcp-server': 'TCPServer.py', 'tcp-client': 'TCPClient.py' }), page: 'half/index.html' },
    ]);
    expect(book.students.map(({ student, missing, total, max, runTotal, runMax }) => [student, missing, `${total}/${max}`, `${runTotal}/${runMax}`])).to.deep.equal([
      ['half', ['udp-server', 'udp-client', 'web-server'], '2/5', '2/5'],
      ['tcp-only', [], '1/1', '1/1'],
    ]);
    expect(book.tasks.map((task) => [task.task, task.mandatory, task.experiments.map((experiment) => experiment.id)])).to.deep.equal([
      ['task1', true, ['tcp-lowercase', 'udp-lowercase']],
      ['task2', false, ['web-hello', 'web-404']],
    ]);
  });

  it('groups the columns task by task whatever order the experiments ran in', () => {
    const run = gradedRun('ann', [task1[0], task2()[0], task1[1]], { ...task1Programs, 'web-server': 'WebServer.py' });
    expect(buildGradebook([{ student: 'ann', run, page: 'ann/index.html' }]).experiments.map((experiment) => experiment.id)).to.deep.equal(['tcp-lowercase', 'udp-lowercase', 'web-hello']);
  });

  it('counts in "most failed" only the students who handed the task in', () => {
    const book = buildGradebook([
      { student: 'web', run: gradedRun('web', [...task1, ...task2()], { ...task1Programs, 'web-server': 'WebServer.py' }), page: 'web/index.html' },
      { student: 'proxy', run: gradedRun('proxy', [...task1, ...task2(), ...task3('passed')], { ...task1Programs, proxy: 'ProxyServer.py' }), page: 'proxy/index.html' },
    ]);
    expect(mostFailed(book).map(({ id, failed, of }) => `${id}: ${failed} of ${of}`)).to.deep.equal(['web-404: 1 of 1', 'web-hello: 1 of 1']);
  });
});

describe('the why column (main-cause.ts)', () => {
  const python2 = (file: string) => ({ code: 'python2', message: `${file} looks like Python 2 (print statement), so python3 stops at once.` });
  const upper = { code: 'unicode-upper', message: 'TCPServer.py uses str.upper(), which also changes non-ASCII letters.' };

  it('names the feedback code that cost the most points, with the program it blames', () => {
    const run = gradedRun('gus', [
      graded({ id: 'tcp-lowercase', task: 'task1', roles: tcp, status: 'failed', points: 2, feedback: [python2('TCPServer.py')] }),
      graded({ id: 'tcp-empty-line', task: 'task1', roles: tcp, status: 'failed', points: 3, feedback: [python2('TCPServer.py')] }),
      graded({ id: 'tcp-non-ascii', task: 'task1', roles: tcp, status: 'failed', feedback: [upper] }),
    ]);
    expect(mainCause(run, assessTasks(run.experiments, run.submission))).to.deep.equal({ text: 'Python 2 (TCPServer.py)', lost: 5, experimentId: 'tcp-empty-line' });
  });

  it('weights each code by the points lost, not by how often it was said', () => {
    const run = gradedRun('hal', [
      ...['a', 'b', 'c'].map((id) => graded({ id, task: 'task1', roles: tcp, status: 'failed', feedback: [upper] })),
      graded({ id: 'd', task: 'task1', roles: udp, status: 'failed', points: 4, feedback: [python2('UDPClient.py'), python2('UDPServer.py')] }),
      graded({ id: 'e', task: 'task1', roles: tcp, status: 'passed', points: 9, feedback: [{ code: 'ignores-cli-port', message: 'TCPClient.py was told port 1 but connected to localhost:12000' }] }),
    ]);
    expect(mainCause(run, assessTasks(run.experiments, run.submission))?.text).to.equal('Python 2 (UDPClient.py, UDPServer.py)');
  });

  it('says which port a program hard-coded and where, from what the world saw', () => {
    const run = gradedRun('ida', [
      graded({
        id: 'address-from-command-line',
        task: 'task1',
        roles: ['tcp-server', 'tcp-client'],
        status: 'failed',
        feedback: [{ code: 'ignores-cli-port', message: 'TCPClient.py connected to port 12000, hard-coded at TCPClient.py:4' }],
        world: { 'tcp-client': hardCodedClient(12000, 'TCPClient.py', 4) },
      }),
      graded({ id: 'p3', task: 'task1', roles: ['tcp-server', 'tcp-client'], status: 'failed', points: 2, feedback: [{ code: 'ignores-cli-port', message: 'TCPClient.py connected to port 12000' }], world: { 'tcp-client': hardCodedClient(12000, 'TCPClient.py', 4) } }),
    ]);
    expect(mainCause(run, assessTasks(run.experiments, run.submission))).to.deep.equal({ text: 'hard-coded port 12000 (TCPClient.py:4)', lost: 3, experimentId: 'p3' });
  });

  it('a task that counts but was not handed in is a cause, linked to its group; one left out is not', () => {
    const counted = gradedRun('jo', [...task1, ...task2()]);
    expect(mainCause(counted, assessTasks(counted.experiments, counted.submission))).to.deep.equal({ text: 'task2 not handed in', lost: 3, task: 'task2' });
    const leftOut = gradedRun('kim', [...task1, ...task2(), ...task3('passed')], { ...task1Programs, proxy: 'ProxyServer.py' });
    expect(mainCause(leftOut, assessTasks(leftOut.experiments, leftOut.submission))).to.equal(undefined);
  });

  it('a failure without feedback names the experiment; a harness error asks to grade again', () => {
    const unexplained = gradedRun('lee', [graded({ id: 'tcp-long-line', task: 'task1', roles: tcp, status: 'failed' })]);
    expect(mainCause(unexplained, assessTasks(unexplained.experiments, unexplained.submission))).to.deep.equal({ text: 'fails tcp-long-line', lost: 1, experimentId: 'tcp-long-line' });
    const broken = gradedRun('max', [graded({ id: 'tcp-lowercase', task: 'task1', roles: tcp, status: 'error', points: 2 })]);
    expect(mainCause(broken, assessTasks(broken.experiments, broken.submission))?.text).to.equal('harness error: grade again');
  });

  it('partial credit loses only the points not earned; full marks have no why', () => {
    const partial = gradedRun('ned', [graded({ id: 'tcp-lowercase', task: 'task1', roles: tcp, status: 'failed', points: 3, score: 2, feedback: [upper] })]);
    expect(mainCause(partial, assessTasks(partial.experiments, partial.submission))).to.deep.equal({ text: 'str.upper() changes non-ASCII (TCPServer.py)', lost: 1, experimentId: 'tcp-lowercase' });
    const full = gradedRun('oli', task1);
    expect(mainCause(full, assessTasks(full.experiments, full.submission))).to.equal(undefined);
  });
});

describe('grades.csv', () => {
  it('has a why column, "not handed in" cells, ERROR for harness errors, and totals over the tasks that count', () => {
    const book = buildGradebook([
      { student: 'web', run: gradedRun('web', [...task1, ...task2('passed')], { ...task1Programs, 'web-server': 'WebServer.py' }), page: 'web/index.html' },
      { student: 'proxy', run: gradedRun('proxy', [...task1, ...task2(), ...task3('passed')], { ...task1Programs, proxy: 'ProxyServer.py' }), page: 'proxy/index.html' },
      { student: 'none', run: gradedRun('none', [graded({ id: 'tcp-lowercase', task: 'task1', roles: tcp, status: 'error' }), task1[1], ...task2(), ...task3()]), page: 'none/index.html' },
    ]);
    expect(gradebookCsv(book)).to.equal(
      [
        'student,tcp-lowercase,udp-lowercase,web-hello,web-404,proxy-cache-hit,total,max,why',
        'none,ERROR,1,not handed in,not handed in,not handed in,1,8,"task2, task3 not handed in"',
        'proxy,1,1,not handed in,not handed in,3,5,5,',
        'web,1,1,2,1,,5,5,',
        '',
      ].join('\n'),
    );
  });

  it('quotes what needs quoting and defuses spreadsheet formulas, in names and in the why', () => {
    const hostile = '=HYPERLINK("http://x","y"),\n-2';
    const run = gradedRun(hostile, [graded({ id: 'tcp-lowercase', task: 'task1', roles: tcp, status: 'failed', feedback: [{ code: 'python2', message: 'a,"b".py looks like Python 2' }] })], { 'tcp-server': 'a,"b".py', 'tcp-client': 'TCPClient.py' });
    const csv = gradebookCsv(buildGradebook([{ student: hostile, run, page: 'x/index.html' }]));
    expect(csv.slice(csv.indexOf('\n') + 1)).to.equal(`"'=HYPERLINK(""http://x"",""y""),\n-2",0,0,1,"Python 2 (a,""b"".py)"\n`);
  });
});
