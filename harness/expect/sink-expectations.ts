// Checks what the smtp-sink received. Message checks look at the last message received; `commands`
// must appear in that order (other commands may come between) in the last client session.
import { Type, type Static } from '@sinclair/typebox';
import type { ExpectationResult } from '../model/result.js';
import type { SmtpSink } from '../fixtures/smtp-sink.js';
import { matchText } from './text-matcher.js';
import { countHolds, countRange, verdict as check } from './verdict.js';
import { TextMatcher } from './expectation-schemas.js';

export const Email = Type.String({ minLength: 3, pattern: '@', expected: 'an e-mail address' });

export const SinkExpectation = Type.Object(
  {
    messages: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Object({ min: Type.Optional(Type.Integer({ minimum: 0 })), max: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false })], { expected: 'a count, or { min, max }' })),
    from: Type.Optional(Email),
    to: Type.Optional(Type.Array(Email, { minItems: 1, expected: 'a list of e-mail addresses' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), TextMatcher], { expected: 'a header value or a text matcher' }))),
    body: Type.Optional(TextMatcher),
    commands: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z]+(\\|[A-Za-z]+)*$' }), {
        minItems: 1,
        expected: 'SMTP command names in the order they must appear, e.g. [EHLO, MAIL, RCPT, DATA, QUIT]; HELO|EHLO accepts either',
      }),
    ),
    waitsForReplies: Type.Optional(
      Type.Boolean({ description: 'Every command came after the reply to the one before: the client reads each reply (checked while the dialog is in plain text).' }),
    ),
    secure: Type.Optional(Type.Boolean({ description: 'The message came over TLS (STARTTLS).' })),
    user: Type.Optional(Type.String({ description: 'The AUTH user the message was sent as.' })),
  },
  { additionalProperties: false, expected: 'sink expectations: messages, from, to, headers, body, commands, waitsForReplies, secure, user' },
);
export type SinkExpectation = Static<typeof SinkExpectation>;

export function judgeSink(expect: SinkExpectation, sink: SmtpSink): ExpectationResult[] {
  const checks: ExpectationResult[] = [];
  const count = sink.messages.length;
  if (expect.messages !== undefined) {
    const { min, max } = countRange(expect.messages);
    const values = { kind: 'count', subject: 'messages', expected: { min, max }, actual: count } as const;
    checks.push(check('messages', countHolds(count, expect.messages), min === max ? `${min} message(s) delivered` : `between ${min ?? 0} and ${max ?? '∞'} messages`, `${count} delivered`, values));
  }
  const last = sink.messages.at(-1);
  const needsMessage = expect.from ?? expect.to ?? expect.headers ?? expect.body ?? expect.secure ?? expect.user;
  if (needsMessage !== undefined && !last) {
    checks.push(check('message', false, 'a delivered message to check', 'no message was delivered'));
  } else if (last) {
    if (expect.from !== undefined) checks.push(check('from', last.from === expect.from, `MAIL FROM:<${expect.from}>`, `MAIL FROM:<${last.from}>`));
    if (expect.to !== undefined) {
      const same = [...expect.to].sort().join(',') === [...last.to].sort().join(',');
      checks.push(check('to', same, expect.to.map((to) => `<${to}>`).join(' '), last.to.map((to) => `<${to}>`).join(' ') || 'no recipients'));
    }
    for (const [name, matcher] of Object.entries(expect.headers ?? {})) {
      const value = last.headers[name.toLowerCase()];
      if (value === undefined) checks.push(check(`headers.${name}`, false, `a ${name} header`, `no ${name} header (headers: ${Object.keys(last.headers).join(', ')})`));
      else if (typeof matcher === 'string') checks.push(check(`headers.${name}`, value === matcher, JSON.stringify(matcher), JSON.stringify(value)));
      else checks.push(...matchText(`headers.${name}`, matcher, value));
    }
    if (expect.body) checks.push(...matchText('body', expect.body, last.body));
    if (expect.secure !== undefined) checks.push(check('secure', last.secure === expect.secure, expect.secure ? 'delivered over TLS' : 'delivered in plain text', last.secure ? 'over TLS' : 'in plain text', { kind: 'flag', expected: expect.secure, actual: last.secure }));
    if (expect.user !== undefined) checks.push(check('user', last.user === expect.user, `AUTH as ${expect.user}`, last.user ? `AUTH as ${last.user}` : 'no AUTH'));
  }
  if (expect.commands) {
    const sessions = [...sink.sessions.values()].filter((session) => session.commands.length > 0);
    const commands = sessions.at(-1)?.commands ?? [];
    const missing = firstMissing(expect.commands.map((command) => command.toUpperCase()), commands);
    checks.push(check('commands', missing === null, expect.commands.join(' → '), commands.length ? `${commands.join(' → ')}${missing ? ` (no ${missing} where expected)` : ''}` : 'no commands'));
  }
  if (expect.waitsForReplies !== undefined) {
    const sessions = [...sink.sessions.values()].filter((session) => session.commands.length > 0);
    const early = sessions.flatMap((session) => sink.earlyCommands(session.remote));
    const waits = sessions.length > 0 && early.length === 0;
    const actual = sessions.length === 0 ? 'no client session' : early.length ? `sent ${early.map((command) => (command === '.' ? 'the final "."' : command)).join(', ')} before the reply to the command before` : 'waited for each reply';
    checks.push(check('waitsForReplies', waits === expect.waitsForReplies, expect.waitsForReplies ? 'each command after the reply to the one before' : 'commands sent without waiting', actual));
  }
  return checks;
}

/** The first expected command not found after the previous one, or null when all appear in order. */
function firstMissing(expected: string[], actual: string[]): string | null {
  let position = 0;
  for (const command of expected) {
    const names = command.split('|');
    const found = actual.findIndex((candidate, index) => index >= position && names.includes(candidate));
    if (found === -1) return command;
    position = found + 1;
  }
  return null;
}
