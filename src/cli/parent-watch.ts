/**
 * `npm start` and `npx portico` run Portico under `sh -c`. On SIGTERM npm signals only that
 * shell, which dies and leaves Portico running with both ports. So when npm (or another package
 * manager: they all set npm_execpath) started this process, it stops when its parent goes: the
 * parent's exit shows as a new parent process id. A server started any other way (systemd,
 * Docker, `nohup`) keeps running as before.
 *
 * Returns a function that ends the watch.
 */
export const stopWithParent = (
  env: Readonly<Record<string, string | undefined>>,
  onParentGone: () => void,
): (() => void) => {
  if (env.npm_execpath === undefined) return () => {};
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onParentGone();
  }, 500);
  timer.unref();
  return () => clearInterval(timer);
};
