import { MATCH_START, MATCH_STOP, toHighlightHtml, withoutSentinels } from './highlight';

const mark = (word: string) => `${MATCH_START}${word}${MATCH_STOP}`;

describe('highlight HTML', () => {
  it('escapes the stored text and adds only <mark> where the sentinels were', () => {
    expect(toHighlightHtml(`<img src=x onerror=alert(1)> ${mark('Zeta')}`)).toBe(
      '&lt;img src=x onerror=alert(1)&gt; <mark>Zeta</mark>',
    );
    expect(toHighlightHtml(`"${mark('Café')}" & 'Crème' </mark>`)).toBe(
      '&quot;<mark>Café</mark>&quot; &amp; &#39;Crème&#39; &lt;/mark&gt;',
    );
    expect(toHighlightHtml('plain')).toBe('plain');
  });

  it('removes the sentinels from stored text before it is marked', () => {
    expect(withoutSentinels(`${mark('Fake')} Omega`)).toBe('Fake Omega');
    expect(toHighlightHtml(withoutSentinels(`${mark('<b>')}`))).toBe('&lt;b&gt;');
  });
});
