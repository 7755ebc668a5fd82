// For command-line scripts: flags parsed strictly with a --help that lists every one, bad flags
// and values answered with the usage and exit 2, and a library error turned into one line and
// exit 1 (never a stack trace).
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { VaapiVkError } from "./errors";

export type CliFlag =
  | { type: "string"; help: string; value: string; default?: string }
  | { type: "boolean"; help: string; default?: boolean };

type Values<F extends Record<string, CliFlag>> = {
  [K in keyof F]: F[K] extends { type: "boolean" }
    ? boolean
    : F[K] extends { default: string }
      ? string
      : string | undefined;
};

/** A command line's shape: what it does, its positional arguments, and its flags. */
export type CliSpec<F extends Record<string, CliFlag>> = {
  command: string;
  summary: string;
  positionals: string;
  flags: F;
};

/** The --help text: usage, then one line per flag with its value and default. */
export function cliHelp(spec: CliSpec<Record<string, CliFlag>>): string {
  const lines = Object.entries(spec.flags).map(([name, f]) => {
    const left = `  --${name}${f.type === "string" ? ` ${f.value}` : ""}`;
    const def = f.default !== undefined && f.default !== false ? ` (default: ${f.default})` : "";
    return `${left.padEnd(30)} ${f.help}${def}`;
  });
  return [
    `usage: bun run ${spec.command} ${spec.positionals} [flags]`,
    "",
    spec.summary,
    "",
    "flags:",
    "  --help                       this text",
    ...lines,
  ].join("\n");
}

/** Say what was wrong with the command line, show the usage, and exit 2. */
export function cliUsageError(spec: CliSpec<Record<string, CliFlag>>, message: string): never {
  console.error(`error: ${message}\n\n${cliHelp(spec)}`);
  process.exit(2);
}

/** Parse argv strictly against `spec`: --help prints the usage and exits 0; an unknown flag or a missing value exits 2 with the usage. */
export function parseCli<F extends Record<string, CliFlag>>(
  spec: CliSpec<F>,
  argv = process.argv.slice(2),
): { values: Values<F>; positionals: string[] } {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(cliHelp(spec));
    process.exit(0);
  }
  const options = Object.fromEntries(
    Object.entries(spec.flags).map(([name, f]) => [name, { type: f.type, default: f.default }]),
  );
  try {
    const parsed = parseArgs({
      args: argv,
      options: options as NonNullable<Parameters<typeof parseArgs>[0]>["options"],
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values as Values<F>, positionals: parsed.positionals };
  } catch (e) {
    cliUsageError(spec, (e as Error).message);
  }
}

/** A whole number from a flag's text (decimal digits only: "0x10" and "1e3" are refused), within [min, max]. */
export function cliInt(
  spec: CliSpec<Record<string, CliFlag>>,
  flag: string,
  text: string | undefined,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = text !== undefined && /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    cliUsageError(
      spec,
      `--${flag} ${text ?? ""}: give a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : " up"}`,
    );
  return n;
}

/** Check, before any work, that `path` can be written: not a directory, in a directory that exists and is writable. */
export function cliWritable(spec: CliSpec<Record<string, CliFlag>>, flag: string, path: string): void {
  const dir = dirname(resolve(path));
  if (existsSync(path) && statSync(path).isDirectory())
    cliUsageError(spec, `--${flag} ${path} is a directory; give a file name`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    cliUsageError(spec, `--${flag} ${path}: ${existsSync(dir) ? `${dir} is not writable` : `${dir} does not exist`}`);
  }
}

export async function runCli(main: () => void | Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (e instanceof VaapiVkError) {
      console.error(`error [${e.code}]: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}
