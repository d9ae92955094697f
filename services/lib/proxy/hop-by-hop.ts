import { listTokens, type HeaderField } from '../http/header-fields.js';

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1): a proxy must not pass
 * them on, nor any header the sender's Connection field names.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
]);

/** The fields minus hop-by-hop ones and minus any name in `alsoDrop` (lowercase). */
export function endToEndFields(fields: readonly HeaderField[], alsoDrop: readonly string[] = []): HeaderField[] {
  const drop = new Set([...HOP_BY_HOP, ...listTokens(fields, 'connection'), ...alsoDrop]);
  return fields.filter((field) => !drop.has(field.name.toLowerCase()));
}
