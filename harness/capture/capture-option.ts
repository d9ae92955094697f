// `capture:` of an experiment: capture its packets, optionally with expectations on the wire.
import { Type, type Static } from '@sinclair/typebox';
import { CaptureExpectationSchema } from './capture-expectation-schema.js';

export const CaptureOption = Type.Union(
  [
    Type.Boolean(),
    Type.Object(
      { expect: Type.Optional(CaptureExpectationSchema) },
      { additionalProperties: false, expected: 'capture: true, or { expect: … } with packet expectations' },
    ),
  ],
  { expected: 'capture: true, or { expect: … }', description: 'Capture this experiment\'s packets with tcpdump (reports/<id>.pcap).' },
);
export type CaptureOption = Static<typeof CaptureOption>;
