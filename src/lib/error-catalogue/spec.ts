/** What the catalogue says of one code: its HTTP status (the CLI's exit code for `CLI_*`) and default message. */
export type ErrorSpec = {
  readonly status: number;
  readonly message: string;
  readonly retryable?: boolean;
};
