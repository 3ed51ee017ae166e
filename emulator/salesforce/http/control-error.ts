/** A bad control API request: answered 400 `{error, message}`, the emulator's own shape. */
export class ControlError extends Error {}

export function bad(message: string): ControlError {
  return new ControlError(message);
}
