import { isIPv4, isIPv6 } from 'node:net';
import { expectCode, type SmtpConnection } from './connection.js';
import type { Capabilities, SmtpReply } from './reply.js';

// SMTP AUTH (RFC 4954) with the two mechanisms every submission server offers. Both send the
// password merely base64-encoded, which is why mail-client only authenticates over TLS or to a
// server on this machine.

export type AuthMechanism = 'PLAIN' | 'LOGIN';

export interface Credentials {
  user: string;
  password: string;
}

/** What the transcript shows instead of anything carrying credentials. */
export const HIDDEN = '****';

/** PLAIN when offered (one round trip), else LOGIN; undefined when the server offers neither. */
export function chooseAuthMechanism(capabilities: Capabilities): AuthMechanism | undefined {
  const offered = capabilities.get('AUTH') ?? [];
  if (offered.includes('PLAIN')) return 'PLAIN';
  if (offered.includes('LOGIN')) return 'LOGIN';
  return undefined;
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped IPv6 forms: traffic that never leaves the machine. */
export function isLoopbackAddress(address: string): boolean {
  const unmapped = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  if (isIPv4(unmapped)) return unmapped.startsWith('127.');
  // ::1 however it is written ("::1", "0:0:0:0:0:0:0:1").
  return isIPv6(address) && /^(0*:)*:?0*1$/.test(address);
}

/** Runs the AUTH exchange; resolves with the 235 reply, fails with the server's refusal. */
export async function authenticate(connection: SmtpConnection, mechanism: AuthMechanism, credentials: Credentials): Promise<SmtpReply> {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  if (mechanism === 'PLAIN') {
    // RFC 4616: authorization identity (empty: same as the user), NUL, user, NUL, password.
    const initialResponse = base64(`\0${credentials.user}\0${credentials.password}`);
    return connection.expect(`AUTH PLAIN ${initialResponse}`, [235], `AUTH PLAIN ${HIDDEN}`);
  }
  await connection.expect('AUTH LOGIN', [334]);
  expectCode(await connection.command(base64(credentials.user), HIDDEN), [334], 'AUTH LOGIN user name');
  return expectCode(await connection.command(base64(credentials.password), HIDDEN), [235], `AUTH LOGIN for ${credentials.user}`);
}
