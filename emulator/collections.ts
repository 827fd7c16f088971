// Bounded and indexed collections for the emulator's state, so a benchmark seeding tens of thousands of
// users and grants neither scans arrays per request nor grows memory without end.
import type { Consent } from "./model";

/** Keeps the newest `capacity` items, oldest first; older ones are dropped as new ones arrive. */
export class RingBuffer<T> implements Iterable<T> {
  private items: T[] = [];
  /** How many items were dropped to stay within capacity since the last clear. */
  dropped = 0;

  constructor(readonly capacity: number) {}

  push(item: T): void {
    this.items.push(item);
    // Trim in batches: splicing one item per push would make a full buffer O(n) per push.
    if (this.items.length > this.capacity + Math.max(1, Math.floor(this.capacity / 10))) this.trim();
  }

  private trim(): void {
    const excess = this.items.length - this.capacity;
    if (excess > 0) {
      this.items.splice(0, excess);
      this.dropped += excess;
    }
  }

  get length(): number {
    return Math.min(this.items.length, this.capacity);
  }

  clear(): void {
    this.items = [];
    this.dropped = 0;
  }

  toArray(): T[] {
    this.trim();
    return [...this.items];
  }

  filter(keep: (item: T) => boolean): T[] {
    return this.toArray().filter(keep);
  }

  [Symbol.iterator](): Iterator<T> {
    return this.toArray()[Symbol.iterator]();
  }

  toJSON(): T[] {
    return this.toArray();
  }
}

const consentKey = (clientId: string, tenantId: string, userId: string | undefined) => `${clientId}|${tenantId}|${userId ?? "*"}`;

/** Consent records by (app, tenant, user or tenant-wide): what /authorize asks for on every sign-in. */
export class ConsentIndex implements Iterable<Consent> {
  private byKey = new Map<string, Consent>();

  get(clientId: string, tenantId: string, userId: string | undefined): Consent | undefined {
    return this.byKey.get(consentKey(clientId, tenantId, userId));
  }

  /** The user's own record and the tenant-wide one, the two that can cover a user. */
  covering(clientId: string, tenantId: string, userId: string): Consent[] {
    return [this.get(clientId, tenantId, userId), this.get(clientId, tenantId, undefined)].filter((c): c is Consent => c !== undefined);
  }

  add(consent: Consent): void {
    this.byKey.set(consentKey(consent.clientId, consent.tenantId, consent.userId), consent);
  }

  delete(consent: Consent): void {
    this.byKey.delete(consentKey(consent.clientId, consent.tenantId, consent.userId));
  }

  clear(): void {
    this.byKey.clear();
  }

  get size(): number {
    return this.byKey.size;
  }

  filter(keep: (c: Consent) => boolean): Consent[] {
    return [...this.byKey.values()].filter(keep);
  }

  [Symbol.iterator](): Iterator<Consent> {
    return this.byKey.values();
  }

  toJSON(): Consent[] {
    return [...this.byKey.values()];
  }
}
