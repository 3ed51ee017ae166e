import { processIo } from "./cli/io.ts";
import { runCli } from "./cli/program.ts";

/** Process entry: `portico …` (and `npm start` = `portico serve`). */
const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
