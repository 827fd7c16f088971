// Counting limiters for the dispatcher: checks in flight per Microsoft tenant and per mailbox.

export class KeyedLimit {
  private active = new Map<string, number>();
  constructor(readonly limit: number) {}

  free(key: string): boolean {
    return (this.active.get(key) ?? 0) < this.limit;
  }

  take(key: string) {
    this.active.set(key, (this.active.get(key) ?? 0) + 1);
  }

  give(key: string) {
    const n = (this.active.get(key) ?? 1) - 1;
    if (n <= 0) this.active.delete(key);
    else this.active.set(key, n);
  }
}
