// When the window locks itself: after `minutes` without a key press, click, scroll or pointer move.
export class IdleTimer {
  #last: number;
  readonly #now: () => number;

  constructor(
    public minutes: number,
    now: () => number = Date.now,
  ) {
    this.#now = now;
    this.#last = now();
  }

  /** The officer did something. */
  touch(): void {
    this.#last = this.#now();
  }

  /** No activity for `minutes`. */
  expired(): boolean {
    return this.#now() - this.#last >= this.minutes * 60_000;
  }
}
