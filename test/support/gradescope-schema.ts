// The Gradescope autograder results format, as its documentation ("Autograder Specifications")
// publishes it, written as a JSON Schema to check our output against.
export const gradescopeResultsSchema = {
  type: 'object',
  required: ['tests'],
  properties: {
    score: { type: 'number' },
    max_score: { type: 'number' },
    execution_time: { type: 'number' },
    output: { type: 'string' },
    output_format: { enum: ['text', 'html', 'simple_format', 'md', 'ansi'] },
    visibility: { enum: ['hidden', 'after_due_date', 'after_published', 'visible'] },
    stdout_visibility: { enum: ['hidden', 'after_due_date', 'after_published', 'visible'] },
    extra_data: { type: 'object' },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          score: { type: 'number' },
          max_score: { type: 'number' },
          status: { enum: ['passed', 'failed'] },
          name: { type: 'string' },
          name_format: { enum: ['text', 'html', 'simple_format', 'md', 'ansi'] },
          number: { type: 'string' },
          output: { type: 'string' },
          output_format: { enum: ['text', 'html', 'simple_format', 'md', 'ansi'] },
          tags: { type: 'array', items: { type: 'string' } },
          visibility: { enum: ['hidden', 'after_due_date', 'after_published', 'visible'] },
          extra_data: { type: 'object' },
        },
      },
    },
    leaderboard: { type: 'array' },
  },
  additionalProperties: false,
} as const;
