/**
 * A fixed-capacity circular buffer addressed by absolute position: the n-th value ever pushed has position n
 * for as long as it is kept, so a row keeps its identity (React key, scroll anchor, expanded row) while older
 * rows fall off the front. Push and shift are O(1); nothing is ever copied or re-allocated.
 */
export type Storage<T> = (capacity: number) => T[];

export const plainStorage = <T>(capacity: number): T[] => new Array<T>(capacity);

export class Ring<T> {
  private readonly slots: T[];
  /** Position of the oldest value kept. */
  private head = 0;
  /** Position the next push gets. */
  private tail = 0;

  constructor(
    readonly capacity: number,
    storage: Storage<T> = plainStorage,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, not ${capacity}`);
    this.slots = storage(capacity);
  }

  get size(): number {
    return this.tail - this.head;
  }
  /** Position of the oldest value (equals `end` when empty). */
  get first(): number {
    return this.head;
  }
  /** One past the newest value's position. */
  get end(): number {
    return this.tail;
  }

  /** Appends and returns the value's position; when full, the oldest value is dropped. */
  push(value: T): number {
    this.slots[this.tail % this.capacity] = value;
    if (this.tail - this.head === this.capacity) this.head++;
    return this.tail++;
  }

  /** The value at an absolute position, or undefined once it has fallen off (or was never pushed). */
  at(position: number): T | undefined {
    if (position < this.head || position >= this.tail) return undefined;
    return this.slots[position % this.capacity];
  }

  /** The value `offset` places after the oldest (0 = oldest). */
  nth(offset: number): T | undefined {
    return this.at(this.head + offset);
  }

  /** Drops the oldest value. */
  shift(): void {
    if (this.tail > this.head) this.head++;
  }

  /** Forgets every value; positions keep counting up so old positions never come back. */
  clear(): void {
    this.head = this.tail;
  }

  *values(): IterableIterator<T> {
    for (let p = this.head; p < this.tail; p++) yield this.slots[p % this.capacity]!;
  }
}
