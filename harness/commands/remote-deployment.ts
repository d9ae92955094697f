// `--remote ROLE=HOST:PORT` and `--ssh ROLE=USER@HOST` for `run` and `grade`: checked against the lab
// and the run's other options (a usage error, exit 2, before anything connects), then the machines
// are reached (an unreachable machine or a refused key: one line, exit 3, within ssh's ConnectTimeout).
import type { RoleTable } from '../lab/role-table.js';
import { EXIT_CODES, SocklabError } from '../errors.js';
import { closestMatch } from '../spec/did-you-mean.js';
import { checkSshOption, parseRemoteOption, parseSshOption } from '../remote/remote-options.js';
import { RemoteRoles } from '../remote/remote-roles.js';

export interface RemoteOptions {
  /** `--remote ROLE=HOST:PORT` (repeatable): the role runs there already, started by hand. */
  remote: string[];
  /** `--ssh ROLE=USER@HOST` (repeatable): socklab starts the role's program there over SSH. */
  ssh: string[];
  /** `--ssh-option KEY=VALUE` (repeatable): passed to ssh as `-o KEY=VALUE`. */
  sshOption: string[];
  /** `--ssh-identity FILE`: ssh's `-i FILE`. */
  sshIdentity?: string;
}

/**
 * The run's roles on other machines. `byHandAllowed`: whether a role played by a program of the
 * command line (`--role`, `--submission`) may be one started by hand (grading: the student's own,
 * started there by hand); `run` refuses it, since that program would never run.
 */
export async function openRemoteRoles(options: RemoteOptions, roles: RoleTable, context: { command: 'run' | 'grade' }): Promise<RemoteRoles> {
  if (options.remote.length === 0 && options.ssh.length === 0) {
    if (options.sshOption.length || options.sshIdentity) throw new SocklabError('BAD_REMOTE_OPTION', '--ssh-option and --ssh-identity apply to --ssh ROLE=USER@HOST, which is not given', EXIT_CODES.specInvalid);
    return RemoteRoles.none();
  }
  const remote = options.remote.map(parseRemoteOption);
  const ssh = options.ssh.map(parseSshOption);
  options.sshOption.forEach(checkSshOption);
  const names = [...roles.roleNames];
  const seen = new Map<string, string>();
  for (const { role, option } of [...remote.map(({ role }) => ({ role, option: '--remote' })), ...ssh.map(({ role }) => ({ role, option: '--ssh' }))]) {
    if (!names.includes(role)) {
      const suggestion = closestMatch(role, names);
      throw new SocklabError('UNKNOWN_ROLE', `${option} ${role}: unknown role${suggestion ? ` (did you mean ${suggestion}?)` : ''}; the lab defines: ${names.join(', ')}`, EXIT_CODES.specInvalid);
    }
    const earlier = seen.get(role);
    if (earlier) throw new SocklabError('BAD_REMOTE_OPTION', `${role} is given twice (${earlier} and ${option}): a role runs in one place`, EXIT_CODES.specInvalid);
    seen.set(role, option);
    if (option === '--remote' && context.command === 'run' && roles.get(role).source === 'submission') {
      throw new SocklabError('BAD_REMOTE_OPTION', `--remote ${role}: that role runs there already, started by hand, so the program --role/--submission gives it would never run; --ssh ${role}=USER@HOST runs that program there`, EXIT_CODES.specInvalid);
    }
  }
  // socklab's reference programs are Node programs: Node must be there to run one.
  const reference = context.command === 'run' ? ssh.filter(({ role }) => roles.get(role).source === 'reference').map(({ role }) => role) : [];
  const opened = await RemoteRoles.open({ remote, ssh, settings: { options: options.sshOption, identity: options.sshIdentity } }, reference);
  for (const { role } of ssh) {
    const remoteRole = opened.get(role);
    if (context.command === 'grade' && remoteRole?.startedBy === 'ssh' && !remoteRole.connection.facts.tools.has('node')) {
      process.stderr.write(`socklab: warning: node is not installed on ${remoteRole.connection.facts.hostName}: where socklab's reference ${role} partners a student's program (blame isolation), it cannot run there\n`);
    }
  }
  return opened;
}

/** One line per role on another machine, for the start of a run. */
export function describeRemoteRoles(remoteRoles: RemoteRoles, roleNames: Iterable<string>): string[] {
  return [...roleNames].flatMap((role) => {
    const deployment = remoteRoles.describe(role);
    if (!deployment) return [];
    return deployment.startedBy === 'hand'
      ? [`socklab: ${role} runs at ${deployment.host}:${deployment.port}, started by hand: socklab drives the other roles against it; its output and exit status are not observable from here`]
      : [`socklab: ${role} runs on ${deployment.user}@${deployment.host} (host ${deployment.hostName}), started by socklab over SSH`];
  });
}
