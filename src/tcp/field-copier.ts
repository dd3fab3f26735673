// TCP tracking helper: build long-lived objects from a template and reset recycled ones (evicted
// connections) to their fresh state.

/**
 * A function that copies every own field of `template` onto another object of the same class,
 * generated once from the template's keys as a straight-line list of stores. Object.assign over
 * ~100 fields is an order of magnitude slower, and recycling runs once per connection in a SYN
 * flood. Copying from a fresh instance also resets fields added to the class later.
 */
export function fieldCopier<T extends object>(template: T): (from: T, to: T) => void {
  const body = Object.keys(template).map((k) => `t[${JSON.stringify(k)}] = s[${JSON.stringify(k)}];`).join('\n');
  return new Function('s', 't', body) as (from: T, to: T) => void;
}

/**
 * A function that returns a new plain object holding the own fields of `template` (same order,
 * same values), built by one object literal. V8 tracks a literal's allocation site and, once it
 * sees that the objects it makes live long, allocates them straight in the old generation; class
 * instances (`new C()`) never get that, so every connection was copied through the young
 * generation twice (a quarter of the tracking thread's time went to those copies). The caller
 * gives the object its class's prototype and fixes the fields that must not be shared.
 * Setting the prototype leaves every field tagged (`--trace-generalization`), so storing a number
 * outside V8's small integers allocates a heap number: half of all sequence numbers, and epoch
 * seconds too where V8 compresses pointers (31-bit small integers; Node's x64 builds have 32).
 * Measured on the bench capture, that costs nothing visible: with every timestamp and sequence
 * number made small, tracking took 425-512 ns per segment against 432-519 ns.
 * `first` names fields to store first. The per-segment path touched about half of an endpoint's 83
 * fields (71 since its 13 flags share one); declared order spread them over all of its 11 cache
 * lines, and the connection's first touch of each line is a cache miss (with 2,000 connections
 * open the objects do not fit in L2).
 * Hot fields first: `bench/track.mjs` 383-407 ns per segment against 396-456 ns (8 interleaved
 * pairs, medians of 5 runs).
 */
export function literalMaker<T extends object>(template: T, first: readonly (keyof T & string)[] = []): (from: T) => T {
  const keys = layout(template, first);
  const body = `return {${keys.map((k) => `${JSON.stringify(k)}: s[${JSON.stringify(k)}]`).join(', ')}};`;
  return new Function('s', body) as (from: T) => T;
}

/** The template's own keys with `first` moved to the front (in that order). */
export function layout<T extends object>(template: T, first: readonly (keyof T & string)[]): string[] {
  const own = Object.keys(template);
  for (const k of first) if (!own.includes(k)) throw new Error(`layout: ${k} is not a field`);
  const front = new Set<string>(first);
  return [...first, ...own.filter((k) => !front.has(k))];
}

/**
 * One class's fresh-state instance (the template) and what is made from it, each built on first
 * use: new instances by one object literal (`create`, see literalMaker) and the reset of a recycled
 * instance (`reset`, see fieldCopier). Lazy, because a template is built by its class's constructor,
 * which may need another class's template.
 */
export class Template<T extends object> {
  private value: T | null = null;
  private maker: ((from: T) => T) | null = null;
  private copier: ((from: T, to: T) => void) | null = null;

  /**
   * `hotFirst`: the fields the per-segment path touches, laid out first in the objects `create`
   * makes (a literal's fields are stored in the order it names them).
   */
  constructor(private readonly build: () => T, private readonly proto: object,
    private readonly hotFirst: readonly (keyof T & string)[] = []) {}

  get instance(): T {
    return (this.value ??= this.build());
  }

  /** A new object holding the template's fields, with the class's prototype. */
  create(): T {
    const t = this.instance;
    this.maker ??= literalMaker(t, this.hotFirst);
    return Object.setPrototypeOf(this.maker(t), this.proto) as T;
  }

  /** Every own field of `to` back to the template's value. */
  reset(to: T): void {
    const t = this.instance;
    this.copier ??= fieldCopier(t);
    this.copier(t, to);
  }
}
