// Which specs and lab file a command uses when its command line names none: the current folder's
// specs/ when it has a lab file (a course folder), else socklab's own; and the line that says which.
import { expect } from 'chai';
import path from 'node:path';
import { describeDefaultsUsed, specDefaults } from '../../harness/commands/default-paths.js';
import { repoRoot } from '../support/paths.js';
import { TempDir } from '../support/temp-dir.js';

describe('default spec folder and lab file', () => {
  let temp: TempDir;
  beforeEach(() => (temp = new TempDir()));
  afterEach(() => temp.remove());

  const own = path.join(repoRoot, 'specs');

  it("uses socklab's own specs in a folder without specs/lab.yaml, and says how to make a course folder", () => {
    temp.write('specs/task1/only-a-spec.yaml', 'id: x\n');
    const defaults = specDefaults(temp.path);
    expect(defaults).to.deep.equal({ specs: own, lab: path.join(own, 'lab.yaml'), fixtures: path.join(own, 'fixtures'), origin: 'socklab' });
    expect(describeDefaultsUsed(defaults, false, defaults.lab, temp.path)).to.equal(
      `socklab: socklab's own specs and lab file (${own}); this folder has no specs/lab.yaml (socklab init DIR makes a course folder)`,
    );
  });

  it("uses the current folder's specs/ when it has a lab file, and names only what was a default", () => {
    temp.write('specs/lab.yaml', 'roles: {}\n');
    const specs = path.join(temp.path, 'specs');
    const defaults = specDefaults(temp.path);
    expect(defaults).to.deep.equal({ specs, lab: path.join(specs, 'lab.yaml'), fixtures: path.join(specs, 'fixtures'), origin: 'here' });
    expect(describeDefaultsUsed(defaults, false, defaults.lab, temp.path)).to.equal('socklab: specs ./specs and lab file ./specs/lab.yaml, from this folder');
    expect(describeDefaultsUsed(defaults, true, defaults.lab, temp.path)).to.equal('socklab: lab file ./specs/lab.yaml, from this folder');
    expect(describeDefaultsUsed(defaults, false, '/elsewhere/lab.yaml', temp.path)).to.equal('socklab: specs ./specs, from this folder');
    expect(describeDefaultsUsed(defaults, true, '/elsewhere/lab.yaml', temp.path)).to.equal(undefined);
  });

  it("in socklab's own clone, its specs are socklab's own, without the hint", () => {
    const defaults = specDefaults(repoRoot);
    expect(defaults.origin).to.equal('socklab');
    expect(describeDefaultsUsed(defaults, true, defaults.lab, repoRoot)).to.equal(`socklab: socklab's own lab file (${path.join(own, 'lab.yaml')})`);
  });
});
