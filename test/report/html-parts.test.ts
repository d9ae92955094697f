import { expect } from 'chai';
import { diffLines } from '../../harness/report/html/line-diff.js';
import { renderMarkdown } from '../../harness/report/html/markdown.js';
import { escapeHtml, outputHtml } from '../../harness/report/html/safe-html.js';

describe('HTML report parts', () => {
  it('diffs lines by longest common subsequence', () => {
    expect(diffLines('a\nb\nc\n', 'a\nx\nc')).to.deep.equal([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'added', text: 'x' },
      { kind: 'same', text: 'c' },
    ]);
    expect(diffLines('', 'new')).to.deep.equal([{ kind: 'added', text: 'new' }]);
    expect(diffLines('x\ny', 'y\nz').map((line) => line.kind)).to.deep.equal(['removed', 'same', 'added']);
  });

  it('renders Markdown but shows raw HTML as text and loads no images', () => {
    const rendered = renderMarkdown('# Why\n**RST** <b onclick="x()">bold</b>\n\n<div>block</div>\n\n![pixel](https://tracker.example/p.png)').value;
    expect(rendered).to.include('<h4>Why</h4>');
    expect(rendered).to.include('<strong>RST</strong> &lt;b onclick=&quot;x()&quot;&gt;bold&lt;/b&gt;');
    expect(rendered).to.include('<p>&lt;div&gt;block&lt;/div&gt;</p>');
    expect(rendered).not.to.match(/<img|<b |<div/);
    expect(rendered).to.include('[image: pixel — https://tracker.example/p.png]');
  });

  it('keeps web and relative links but drops scripts and protocol-relative ones', () => {
    const rendered = renderMarkdown('[rfc](https://www.rfc-editor.org/rfc/rfc793) [pcap](captures/a.pcap) [x](javascript:alert(1)) [y](//evil.example/)').value;
    expect(rendered).to.include('<a href="https://www.rfc-editor.org/rfc/rfc793" rel="noopener noreferrer">rfc</a>');
    expect(rendered).to.include('<a href="captures/a.pcap" rel="noopener noreferrer">pcap</a>');
    expect(rendered).to.include(' x ');
    expect(rendered).not.to.match(/javascript:|evil\.example/);
  });

  it('escapes attributes and shows bidi overrides and lone surrogates as escapes', () => {
    expect(escapeHtml(`<a href='x'>"&"</a>`)).to.equal('&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;');
    expect(escapeHtml('a\u202eb\ud800c\r\nd 🎉')).to.equal('a\\u202eb\\ud800c\nd 🎉');
    expect(outputHtml('<\u001b>').value).to.equal('&lt;<span class="ctl">\\x1b</span>&gt;');
  });
});
