import { parseArgs, ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` `parseArgs` (strict, no positionals) for one CLI command, where the argument after a
 * string option is always that option's value — even when it starts with `-`.
 *
 * `parseArgs` refuses `--password -x7…` as "ambiguous" (Node's rule, so that a forgotten value does
 * not swallow the next flag); generated secrets are base64url and start with `-` one time in 64, so
 * `npm start`'s `create-admin --password <generated>` failed that often. Here `--name value` becomes
 * `--name=value` for every declared string option unless `value` is itself a declared option
 * (`--email --password p` still reports the missing email value).
 *
 * @param args the command's arguments, e.g. `['--email', 'a@b.c', '--password', '-secret']`
 * @param options the command's options, as for `parseArgs`
 * @returns the parsed values (`string` for string options, `true` for booleans given)
 * @throws TypeError (`ERR_PARSE_ARGS_*`) on an unknown option or a string option without a value
 */
export function parseCommandArgs<T extends Options>(args: string[], options: T) {
  const declared = new Set(Object.keys(options).map((name) => `--${name}`));
  const normalized: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    const next = args[i + 1];
    if (
      name !== undefined &&
      options[name]?.type === 'string' &&
      next !== undefined &&
      !declared.has(next.split('=')[0])
    ) {
      normalized.push(`${arg}=${next}`);
      i++;
    } else {
      normalized.push(arg);
    }
  }
  return parseArgs({ args: normalized, options, strict: true, allowPositionals: false }).values;
}
