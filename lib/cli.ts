// For command-line scripts: run `main`, and turn a library error into one line and exit code 1.
import { VaapiVkError } from "./errors";

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
