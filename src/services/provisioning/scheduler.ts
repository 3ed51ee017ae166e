/**
 * When channels run: every `synchronizationFrequency` seconds, and within seconds of a change in
 * the built-in directory (its change log is polled every second, which is one indexed
 * `max(seq)` per second, and works across nodes). Changes that arrive together are handled by
 * one cycle; a channel never runs two cycles at once, and a change during a cycle runs it again.
 */
export type ScheduledChannel = {
  readonly key: string;
  /** Runs when the built-in directory changes. */
  readonly followsDirectory: boolean;
  /** Epoch ms before which it must not run (Salesforce's API limit is spent). */
  readonly notBefore?: number | undefined;
};

export type SchedulerDeps = {
  listChannels(): Promise<ScheduledChannel[]>;
  synchronizationFrequencyMs(): Promise<number>;
  lastDirectoryChange(): Promise<number>;
  runChannel(key: string, reason: "schedule" | "change"): Promise<void>;
  /** Only the time of day is read (no timers are faked): `Date.now` in production. */
  now(): number;
  onError(key: string, error: unknown): void;
  tickMs?: number;
  /** How long to wait for more changes after the first one before running. */
  settleMs?: number;
};

export type Scheduler = {
  /** Runs a channel now (an admin's `run`), or once more after the cycle in progress. */
  trigger(key: string): Promise<void>;
  /**
   * Lets the cycles in progress finish (each stops after the batch it is applying, when the
   * runner honours its abort signal) and starts none after.
   */
  stop(): Promise<void>;
  /** Channels running a cycle now, and those queued to run once more after theirs. */
  depth(): { running: number; waiting: number };
};

export const startScheduler = (deps: SchedulerDeps): Scheduler => {
  const tickMs = deps.tickMs ?? 1000;
  const settleMs = deps.settleMs ?? 300;
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const lastRun = new Map<string, number>();
  let lastSeq: number | undefined;
  let stopped = false;
  let ticking: Promise<void> = Promise.resolve();

  const run = (key: string, reason: "schedule" | "change"): Promise<void> => {
    const current = running.get(key);
    if (current) {
      again.add(key);
      return current;
    }
    const work = (async () => {
      try {
        do {
          again.delete(key);
          lastRun.set(key, deps.now());
          try {
            await deps.runChannel(key, reason);
          } catch (error) {
            deps.onError(key, error);
          }
        } while (again.has(key) && !stopped);
      } finally {
        running.delete(key);
      }
    })();
    running.set(key, work);
    return work;
  };

  const tick = async () => {
    const channels = await deps.listChannels();
    const seq = await deps.lastDirectoryChange();
    const changed = lastSeq !== undefined && seq !== lastSeq;
    lastSeq = seq;
    if (changed) await new Promise((resolve) => setTimeout(resolve, settleMs));
    const every = await deps.synchronizationFrequencyMs();
    const now = deps.now();
    for (const channel of channels) {
      if (channel.notBefore !== undefined && now < channel.notBefore) continue;
      if (changed && channel.followsDirectory) void run(channel.key, "change");
      else if (now - (lastRun.get(channel.key) ?? 0) >= every) void run(channel.key, "schedule");
    }
  };

  let busy = false;
  const timer = setInterval(() => {
    // A slow tick (a slow database) skips the next ones rather than queueing them.
    if (busy || stopped) return;
    busy = true;
    ticking = tick()
      .catch((error: unknown) => deps.onError("scheduler", error))
      .finally(() => {
        busy = false;
      });
  }, tickMs);
  timer.unref();

  return {
    trigger: (key) => run(key, "schedule"),
    depth: () => ({ running: running.size, waiting: again.size }),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await ticking;
      await Promise.allSettled([...running.values()]);
    },
  };
};
