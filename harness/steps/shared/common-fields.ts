// Fields every step may carry whatever its kind, added to each kind's schema by the registry.
import { Type, type Static } from '@sinclair/typebox';

export const StepCondition = Type.Object(
  {
    exists: Type.String({
      minLength: 1,
      description: "A path (templates allowed, e.g. {{dir.web-server}}/HelloWorld.html): the step runs only when it exists; otherwise it is skipped with the reason.",
    }),
  },
  { title: 'StepCondition', additionalProperties: false, expected: 'a condition: { exists: PATH }' },
);
export type StepCondition = Static<typeof StepCondition>;

export const commonStepFields = {
  when: Type.Optional(StepCondition),
};
