// Which folders a sandboxed program may read: the system's, tool installations found on PATH (pyenv,
// nvm, cargo, ~/.local), SOCKLAB_SANDBOX_READ's; never a home folder or / as a whole, nothing inside
// a hidden folder, and no folder twice (only the outermost).
import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { readableFolders } from '../../harness/process/sandbox.js';
import { TempDir } from '../support/temp-dir.js';

describe('sandbox: readable folders', () => {
  let temp: TempDir;
  let home: string;
  const folder = (relative: string) => {
    const full = path.join(home, relative);
    mkdirSync(full, { recursive: true });
    return full;
  };
  beforeEach(() => {
    temp = new TempDir();
    home = path.join(temp.path, 'home', 'alice');
  });
  afterEach(() => temp.remove());

  it('has the system folders, and a tool installation for its bin or shims folder on PATH', () => {
    const PATH = [folder('.pyenv/shims'), folder('.pyenv/bin'), folder('.cargo/bin'), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
    const readable = readableFolders([], { PATH, HOME: home });
    expect(readable).to.include.members(['/usr', '/etc', path.join(home, '.pyenv'), path.join(home, '.cargo')]);
    expect(readable, 'inside /usr already').to.not.include('/usr/local');
  });

  it('never opens a whole home folder: ~/bin is readable by itself', () => {
    const readable = readableFolders([], { PATH: `${folder('bin')}:/usr/bin`, HOME: home });
    expect(readable).to.include(path.join(home, 'bin'));
    expect(readable).to.not.include(home);
  });

  it('leaves out PATH folders inside a hidden folder (socklab node_modules/.bin under npm run)', () => {
    const socklab = path.join(temp.path, 'socklab');
    mkdirSync(path.join(socklab, 'node_modules', '.bin'), { recursive: true });
    const readable = readableFolders([socklab], { PATH: `${path.join(socklab, 'node_modules', '.bin')}:/usr/bin`, HOME: home });
    expect(readable.filter((entry) => entry.startsWith(socklab))).to.deep.equal([]);
  });

  it('adds the existing absolute folders of SOCKLAB_SANDBOX_READ', () => {
    const conda = folder('opt-conda');
    const readable = readableFolders([], { PATH: '/usr/bin', HOME: home, SOCKLAB_SANDBOX_READ: `${conda}:relative/ignored:/no/such/folder` });
    expect(readable).to.include(conda);
    expect(readable).to.not.include('relative/ignored');
    expect(readable).to.not.include('/no/such/folder');
  });
});
