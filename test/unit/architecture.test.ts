// The architecture's rules hold on the real code, and the checks that enforce them do fail on a
// deliberate violation: dependency-cruiser with .dependency-cruiser.cjs, ESLint with eslint.config.mjs.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { execa } from 'execa';
import { repoRoot } from '../support/paths.js';
import { TempDir } from '../support/temp-dir.js';

interface CruiseViolation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

async function cruise(cwd: string, targets: string[]): Promise<CruiseViolation[]> {
  const depcruise = path.join(repoRoot, 'node_modules', '.bin', 'depcruise');
  const run = await execa(depcruise, [...targets, '--config', path.join(cwd, '.dependency-cruiser.cjs'), '--output-type', 'json'], { cwd, reject: false });
  expect(run.stdout, run.stderr).to.match(/^\{/);
  return (JSON.parse(run.stdout) as { summary: { violations: CruiseViolation[] } }).summary.violations;
}

describe('architecture', function () {
  this.timeout(120_000);

  it('the harness, services and tests follow the layer rules (dependency-cruiser)', async () => {
    const violations = await cruise(repoRoot, ['harness', 'services', 'test']);
    expect(violations.map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`)).to.deep.equal([]);
  });

  it('dependency-cruiser fails each rule on a deliberate violation', async () => {
    const tree = new TempDir();
    try {
      copyFileSync(path.join(repoRoot, '.dependency-cruiser.cjs'), path.join(tree.path, '.dependency-cruiser.cjs'));
      tree.write('tsconfig.json', '{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext" } }\n');
      tree.write('package.json', '{ "type": "module" }\n');
      tree.write('harness/model/result.ts', "import { run } from '../run/run-suite.js';\nexport const model = run;\n");
      tree.write('harness/run/run-suite.ts', "import { model } from '../model/result.js';\nexport const run = () => model;\n");
      tree.write('harness/report/junit.ts', "import { run } from '../run/run-suite.js';\nexport const junit = run;\n");
      tree.write('harness/steps/run-step.ts', "import { step } from '../plan/plan-experiment.js';\nexport const runStep = step;\n");
      tree.write('harness/plan/plan-experiment.ts', 'export const step = 1;\n');
      tree.write('harness/grade/uses-services.ts', "import { service } from '../../services/tcp-server.js';\nexport const grade = service;\n");
      tree.write('services/tcp-server.ts', "import { model } from '../harness/model/result.js';\nexport const service = model;\n");
      const violations = await cruise(tree.path, ['harness', 'services']);
      const found = (rule: string, from: string) => violations.some((violation) => violation.rule.name === rule && violation.from === from);
      expect(found('layer-model', 'harness/model/result.ts'), 'model imports the runner').to.equal(true);
      expect(found('reporters-see-only-the-model', 'harness/report/junit.ts'), 'a reporter imports the runner').to.equal(true);
      expect(found('layer-steps', 'harness/steps/run-step.ts'), 'a step kind imports the planner').to.equal(true);
      expect(found('harness-never-imports-services', 'harness/grade/uses-services.ts'), 'grading imports a service').to.equal(true);
      expect(found('services-never-import-the-harness', 'services/tcp-server.ts'), 'a service imports the harness').to.equal(true);
      expect(violations.some((violation) => violation.rule.name === 'no-circular'), 'model ↔ run cycle').to.equal(true);
    } finally {
      tree.remove();
    }
  });

  it('ESLint (typescript-eslint) finds nothing in the code', async () => {
    const eslint = path.join(repoRoot, 'node_modules', '.bin', 'eslint');
    const run = await execa(eslint, ['--max-warnings', '0', '.'], { cwd: repoRoot, reject: false });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).to.equal(0);
  });

  it('ESLint fails on a deliberate mistake', async () => {
    const eslint = path.join(repoRoot, 'node_modules', '.bin', 'eslint');
    const code = 'export function f(a: number) {\n  const unused = a;\n  return 1;\n}\n';
    const run = await execa(eslint, ['--stdin', '--stdin-filename', 'test/deliberate.ts'], { cwd: repoRoot, input: code, reject: false });
    expect(run.exitCode).to.equal(1);
    expect(run.stdout).to.match(/'unused' is assigned a value but never used/);
  });
});
