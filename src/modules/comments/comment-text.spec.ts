import { excerptOf, isEmoji, parseMentions } from './comment-text';

const A = '0190a5e0-0000-7000-8000-00000000000a';
const B = '0190a5e0-0000-7000-8000-00000000000b';

describe('comment text rules', () => {
  it('parses distinct mentions in order, ignoring look-alikes', () => {
    const body = `Hi @[Ann](user:${A}) and @[Bob](user:${B.toUpperCase()}), again @[Ann](user:${A}); not @Ann (user:${B}) nor @[x](users:${A})`;
    expect(parseMentions(body)).toEqual([A, B]);
    expect(parseMentions('no mentions')).toEqual([]);
  });

  it('does not count mentions quoted as code', () => {
    const a = `@[Ann](user:${A})`;
    const b = `@[Bob](user:${B})`;
    expect(parseMentions('```ts\n' + a + '\n```\n' + b)).toEqual([B]);
    expect(parseMentions('~~~\n' + a + '\n~~~~\nand ' + b)).toEqual([B]);
    expect(parseMentions('```\nnever closed ' + a + '\n' + b)).toEqual([]);
    expect(parseMentions('`' + a + '` but ' + b)).toEqual([B]);
    expect(parseMentions('``a ` ' + a + '`` then ' + b)).toEqual([B]);
    // A lone backtick opens no span: the mention counts.
    expect(parseMentions('it`s ' + a)).toEqual([A]);
    expect(parseMentions('inline ```' + a + '``` is a span too, ' + b)).toEqual([B]);
  });

  it.each(['👍', '❤️', '🎉', '👍🏽', '👩‍💻', '🇫🇷', '1️⃣'])('accepts the emoji %s', (emoji) => {
    expect(isEmoji(emoji)).toBe(true);
  });

  it.each(['', 'a', '1', ':+1:', '<b>', '👍👍👍👍👍👍👍👍👍', 'ǃ', '\u200d', '👍 '])(
    'refuses %j',
    (value) => {
      expect(isEmoji(value)).toBe(false);
    },
  );

  it('cuts excerpts at 140 code points', () => {
    expect(excerptOf('😀'.repeat(200))).toBe('😀'.repeat(140));
  });
});
