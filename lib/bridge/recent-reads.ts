// What a bridge sign-in reads, remembered for a few seconds: a printer or a mail client that opens
// a session per message would otherwise cost the database a credential read and a token read per
// session, and on the embedded database those reads were most of the bridge's CPU (bench:bridge).
// Entries live as long as the bridge's revocation poll interval (3 s by default), so a revocation,
// a changed password or protocol list, or a connection that needs re-consent is seen by new
// sign-ins within that interval, as open sessions are cut within it; the poll also drops the
// entries of the credentials it finds revoked, and a token Microsoft refused drops its
// connection's. Concurrent misses for one key share one read.

type Entry<V> = { value: Promise<V>; until: number; tags: readonly string[] };

/** A small map of reads with a time to live; only values `keep` accepts are remembered. */
export class RecentReads<V> {
  private entries = new Map<string, Entry<V>>();
  constructor(
    private readonly ttlMs: number,
    private readonly keep: (v: V) => boolean,
    private readonly max = 10_000,
    private readonly now = () => Date.now(),
  ) {}

  /** The value read within the last ttlMs, or a fresh read (shared with concurrent callers); `tags` name it for forget(). */
  get(key: string, read: () => Promise<V>, tags: (v: V) => readonly string[] = () => []): Promise<V> {
    const at = this.now();
    const e = this.entries.get(key);
    if (e && e.until > at) return e.value;
    if (e) this.entries.delete(key);
    if (this.ttlMs <= 0) return read();
    const entry: Entry<V> = { value: read(), until: at + this.ttlMs, tags: [] };
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry);
    entry.value.then(
      (v) => {
        if (!this.keep(v)) this.drop(key, entry);
        else entry.tags = tags(v);
      },
      () => this.drop(key, entry),
    );
    return entry.value;
  }

  /** Drops every entry tagged with any of these (a revoked credential's id, a connection's id). */
  forget(tags: Iterable<string>): void {
    const gone = new Set(tags);
    if (!gone.size) return;
    for (const [k, e] of this.entries) if (e.tags.some((t) => gone.has(t))) this.entries.delete(k);
  }

  private drop(key: string, entry: Entry<V>) {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }
}
