import { parseCommandArgs } from './parse-command-args';

const OPTIONS = {
  email: { type: 'string' },
  password: { type: 'string' },
  'if-missing': { type: 'boolean' },
} as const;

describe('parseCommandArgs', () => {
  it('takes the argument after a string option as its value, even when it starts with a dash', () => {
    // What broke `npm start` one time in 64: a generated base64url password starting with "-".
    expect(
      parseCommandArgs(['--email', 'a@b.test', '--password', '-x7Qk_e9', '--if-missing'], OPTIONS),
    ).toEqual({ email: 'a@b.test', password: '-x7Qk_e9', 'if-missing': true });
    expect(parseCommandArgs(['--password', '--', '--email', 'a@b.test'], OPTIONS)).toEqual({
      password: '--',
      email: 'a@b.test',
    });
    expect(parseCommandArgs(['--password', '-'], OPTIONS)).toEqual({ password: '-' });
  });

  it('keeps the --name=value form, values with "=" and empty values', () => {
    expect(parseCommandArgs(['--password=-a=b', '--email', ''], OPTIONS)).toEqual({
      password: '-a=b',
      email: '',
    });
  });

  it('still reports a string option whose value is missing or is the next option', () => {
    expect(() => parseCommandArgs(['--email'], OPTIONS)).toThrow(/argument missing/);
    expect(() => parseCommandArgs(['--email', '--password', 'p'], OPTIONS)).toThrow(/ambiguous/);
    expect(() => parseCommandArgs(['--email', '--if-missing'], OPTIONS)).toThrow(/ambiguous/);
  });

  it('refuses unknown options, values given to booleans and positionals', () => {
    expect(() => parseCommandArgs(['--nope', 'x'], OPTIONS)).toThrow(/Unknown option/);
    expect(() => parseCommandArgs(['--if-missing=yes'], OPTIONS)).toThrow(
      /does not take an argument/,
    );
    expect(() => parseCommandArgs(['stray'], OPTIONS)).toThrow(/positional/);
  });
});
