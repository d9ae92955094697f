import { expect } from 'chai';
import { escapeXmlAttribute, escapeXmlText, removeInvalidXmlChars, xmlAttributes } from '../../harness/report/xml-escape.js';

describe('xml-escape', () => {
  it('escapes markup in text, including the > of a CDATA terminator', () => {
    expect(escapeXmlText('<a href="x">&</a> ]]>')).to.equal('&lt;a href="x"&gt;&amp;&lt;/a&gt; ]]&gt;');
  });

  it('escapes quotes and keeps line breaks and tabs of attribute values as references', () => {
    expect(escapeXmlAttribute(`say "hi"\n\t'now'\r`)).to.equal('say &quot;hi&quot;&#10;&#9;&apos;now&apos;&#13;');
  });

  it('removes characters XML 1.0 cannot carry, but keeps tab, newline, CR and astral characters', () => {
    expect(removeInvalidXmlChars('a\u0000b\u0001c\u001bd\u007f\t\n\r\uFFFE\uFFFF\ud800e\udc00f🎉')).to.equal('abcd\u007f\t\n\ref🎉');
  });

  it('renders attributes in order and leaves out undefined ones', () => {
    expect(xmlAttributes({ name: 'a<b', hostname: undefined, line: 3 })).to.equal(' name="a&lt;b" line="3"');
  });
});
