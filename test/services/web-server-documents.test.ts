import { expect } from 'chai';
import { appendFileSync } from 'node:fs';
import { chmod, mkdtemp, realpath, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DocumentStore, type FoundDocument } from '../../services/lib/web/documents.js';
import { FileCache } from '../../services/lib/web/file-cache.js';
import { FreshStats } from '../../services/lib/web/fresh-stat.js';

// The web server's documents with the small-file cache in front: whatever the cache holds, what is
// served is what the file holds when the request is answered. The cache's clock is moved forward
// instead of waiting for files to settle.

const LATER = () => Date.now() + 60_000;

describe('web-server documents: the file cache and its checks', () => {
  let root: string;
  beforeEach(async () => {
    root = await realpath(await mkdtemp(join(tmpdir(), 'socklab-documents-')));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** A store whose cache counts what it kept, and sees every file as settled. */
  function store(options: { maxFileBytes?: number; maxTotalBytes?: number; now?: () => number } = {}) {
    const cache = new FileCache({ now: LATER, ...options });
    const offers: boolean[] = [];
    const offer = cache.offer.bind(cache);
    cache.offer = (...args) => {
      const kept = offer(...args);
      offers.push(kept);
      return kept;
    };
    return { documents: new DocumentStore(root, cache), offers };
  }

  const text = (document: FoundDocument) => (document.kind === 'bytes' ? document.bytes.toString() : document.kind);

  it('serves a cached file from memory until its stat changes, a chmod (ctime) included', async () => {
    const { documents, offers } = store();
    const file = join(root, 'page.html');
    await writeFile(file, 'one');
    expect(text(await documents.find(['page.html']))).to.equal('one');
    expect(text(await documents.find(['page.html']))).to.equal('one');
    expect(offers, 'read once, then served from the cache').to.deep.equal([true]);
    await chmod(file, 0o600);
    expect(text(await documents.find(['page.html']))).to.equal('one');
    expect(offers, 'read again after the chmod').to.deep.equal([true, true]);
  });

  it('sees a same-size rewrite, a replacement by rename, a symlink swapped in and a deletion at the next request', async () => {
    const { documents, offers } = store();
    const file = join(root, 'page.html');
    await writeFile(file, 'one');
    await documents.find(['page.html']);
    await writeFile(file, 'two');
    expect(text(await documents.find(['page.html']))).to.equal('two');
    await writeFile(join(root, 'other.html'), 'six');
    await unlink(file);
    await symlink(join(root, 'other.html'), file);
    expect(text(await documents.find(['page.html'])), 'a symlink inside the root is followed').to.equal('six');
    await unlink(file);
    await symlink('/etc/passwd', file);
    expect((await documents.find(['page.html'])).kind, 'and one leading out is refused').to.equal('forbidden');
    await unlink(file);
    expect((await documents.find(['page.html'])).kind).to.equal('not-found');
    expect(offers).to.deep.equal([true, true, true]);
  });

  it('does not cache a file changed within the last 2 s (timestamps tick too coarsely to tell two writes apart)', async () => {
    const { documents, offers } = store({ now: Date.now });
    await writeFile(join(root, 'fresh.txt'), 'aaa');
    expect(text(await documents.find(['fresh.txt']))).to.equal('aaa');
    await writeFile(join(root, 'fresh.txt'), 'bbb');
    expect(text(await documents.find(['fresh.txt']))).to.equal('bbb');
    expect(offers).to.deep.equal([false, false]);
  });

  it('streams files above the size limit and keeps the cache within its total', async () => {
    const { documents, offers } = store({ maxFileBytes: 10, maxTotalBytes: 16 });
    await writeFile(join(root, 'big.bin'), 'x'.repeat(11));
    const big = await documents.find(['big.bin']);
    expect(big.kind).to.equal('file');
    if (big.kind === 'file') await big.handle.close();
    for (const name of ['a', 'b', 'c']) await writeFile(join(root, name), name.repeat(8));
    for (const name of ['a', 'b', 'c', 'a']) expect(text(await documents.find([name]))).to.equal(name.repeat(8));
    // Room for two entries of 8 bytes: "a" was evicted by "c" and read again.
    expect(offers).to.deep.equal([true, true, true, true]);
  });

  it('tries index.html, then HelloWorld.html for "/", through the cache too', async () => {
    const { documents } = store();
    await writeFile(join(root, 'HelloWorld.html'), 'hello');
    expect(text(await documents.find([]))).to.equal('hello');
    await writeFile(join(root, 'index.html'), 'index');
    expect(text(await documents.find([]))).to.equal('index');
    await unlink(join(root, 'index.html'));
    expect(text(await documents.find([]))).to.equal('hello');
  });

  it('FreshStats: every caller gets a stat made after it asked, shared with the callers of the same event-loop turn', async () => {
    const file = join(root, 'grows.txt');
    await writeFile(file, 'a');
    const stats = new FreshStats();
    const first = stats.stat(file);
    expect(stats.stat(file), 'callers of one turn share one stat').to.equal(first);
    appendFileSync(file, 'b'); // after both asked, before the turn ends
    const shared = await first;
    expect(shared.ok && shared.stats.size, 'the stat saw what was written after the callers asked').to.equal(2);
    appendFileSync(file, 'c');
    const later = stats.stat(file);
    expect(later, 'a later turn gets a stat of its own').not.to.equal(first);
    const after = await later;
    expect(after.ok && after.stats.size).to.equal(3);
    expect((await stats.stat(join(root, 'missing'))).ok).to.equal(false);
  });
});
