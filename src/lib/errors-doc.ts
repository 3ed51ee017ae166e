import { errorCatalogue } from "./errors.ts";

/** docs/errors.md, generated from the catalogue (`npm run docs:errors`); a test fails when it drifts. */
export const renderErrorsDoc = (): string => {
  const rows = Object.entries(errorCatalogue).map(([code, spec]) => {
    const retry = "retryable" in spec && spec.retryable ? "yes" : "";
    return `| \`${code}\` | ${spec.status} | ${retry} | ${spec.message.replace(/\|/g, "\\|")} |`;
  });
  return [
    "# Error codes",
    "",
    "Every error Portico reports carries one of these stable codes: the admin API in the `code` field of",
    "its `application/problem+json` body, the CLI at the start of its one-line message (with `--json`, as",
    '`{"error": {"code", "message"}}` on standard error). The status is the HTTP status of the admin API',
    "(the CLI's exit code for `CLI_*`; other codes exit 1). The message is the default; most errors add a",
    "detail that names the field or the thing at fault.",
    "",
    "Generated from `errorCatalogue` (`src/lib/errors.ts`, its areas in `src/lib/error-catalogue/`) by `npm run docs:errors`; do not edit by hand.",
    "",
    "| code | status | retryable | default message |",
    "|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
};
