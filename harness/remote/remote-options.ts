// The command line's two ways to put a role on another machine, checked before anything runs:
//   --remote ROLE=HOST:PORT   the role is already running there, started by hand (as in the lab);
//   --ssh ROLE=[USER@]HOST    socklab starts it there over SSH, in a temporary folder.
// A wrong value is a usage error (exit 2) in one line that shows the expected form.
import { isIP } from 'node:net';
import { EXIT_CODES, SocklabError } from '../errors.js';

export interface HandStartedRequest {
  role: string;
  host: string;
  port: number;
}

export interface SshRequest {
  role: string;
  /** Absent: ssh's own default (the local user name, or `User` in ~/.ssh/config). */
  user?: string;
  host: string;
}

const ROLE = /^[a-z][a-z0-9-]*$/;
/** A host name or IPv4 address; never one that ssh could read as an option. */
const HOST_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** `tcp-server=192.168.1.20:12000`, or `tcp-server=[fe80::1]:12000` for IPv6. */
export function parseRemoteOption(text: string): HandStartedRequest {
  const usage = () => usageError('--remote', text, 'ROLE=HOST:PORT, e.g. tcp-server=192.168.1.20:12000');
  const { role, value } = splitRole(text) ?? usage();
  const match = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(value) ?? /^([^:[\]]+):(\d+)$/.exec(value);
  if (!match) return usage();
  const [, host, portText] = match;
  if (!validHost(host)) return usage();
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SocklabError('BAD_REMOTE_OPTION', `--remote ${text}: expected a port 1–65535, got "${portText}"`, EXIT_CODES.specInvalid);
  }
  return { role, host, port };
}

/** `tcp-server=student@192.168.1.20`, or `tcp-server=lab-pc` (ssh's default user). */
export function parseSshOption(text: string): SshRequest {
  const usage = () => usageError('--ssh', text, 'ROLE=USER@HOST, e.g. tcp-server=student@192.168.1.20');
  const { role, value } = splitRole(text) ?? usage();
  const at = value.lastIndexOf('@');
  const user = at >= 0 ? value.slice(0, at) : undefined;
  const host = at >= 0 ? value.slice(at + 1) : value;
  if ((user !== undefined && !USER.test(user)) || !validHost(host)) return usage();
  return { role, host, ...(user !== undefined ? { user } : {}) };
}

/** `--ssh-option KEY=VALUE` as ssh's `-o` takes it (`ConnectTimeout=5`, `Port=2222`). */
export function checkSshOption(text: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*[= ]\S/.test(text)) usageError('--ssh-option', text, 'KEY=VALUE as ssh -o takes it, e.g. Port=2222 or ConnectTimeout=5');
  return text;
}

function splitRole(text: string): { role: string; value: string } | null {
  const separator = text.indexOf('=');
  if (separator <= 0) return null;
  const role = text.slice(0, separator);
  return ROLE.test(role) ? { role, value: text.slice(separator + 1) } : null;
}

function validHost(host: string): boolean {
  return isIP(host) !== 0 || HOST_NAME.test(host);
}

function usageError(option: string, text: string, form: string): never {
  throw new SocklabError('BAD_REMOTE_OPTION', `${option} expects ${form}; got "${text}"`, EXIT_CODES.specInvalid);
}
