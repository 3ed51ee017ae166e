/** A source of time, injected wherever time appears so tests never patch globals. */
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can move. */
export const fixedClock = (
  start: Date | string,
): Clock & { advance(ms: number): void; set(at: Date): void } => {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
    set: (at) => {
      current = at.getTime();
    },
  };
};
