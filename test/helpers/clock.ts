/** A clock the test moves by hand, starting at the real time so tokens and rows look ordinary. */
export function manualClock(start = Date.now()) {
  let now = start;
  return {
    clock: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}
