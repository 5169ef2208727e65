import type { Db } from '../db/connect';
import { dataDirKeyPem, newKeyPem, type SigningKey, signingKeyFromPem } from './signing-keys';

/** How often each server process reads the keys again (a rotation reaches it within this). */
export const KEY_REFRESH_MS = 30_000;
/**
 * A new key is published this long before it signs, so that every process and every cache of the
 * JWKS (served with max-age 300) knows it first.
 */
export const KEY_LEAD_MS = 10 * 60_000;

type Row = { kid: string; private_pem: string; active_from: string };

/**
 * The entitlement signing keys, kept in the database so that every server process shares them.
 * The newest key whose `active_from` has passed signs; the JWKS publishes it, the keys still to
 * come, and each older key until the longest-lived token it may have signed has expired.
 */
export class Keyring {
  private rows: Row[] = [];
  private readonly parsed = new Map<string, SigningKey>();
  private signing: SigningKey | null = null;
  private publishedKeys: SigningKey[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly opts: {
      now: () => Date;
      /** The longest a token signed by a key may live: it is published that long after it stops signing. */
      tokenLifetimeMs: number;
    },
  ) {}

  /**
   * Reads the keys. ENTITLEMENT_PRIVATE_KEY, when set and new to the database, becomes the current
   * key; with none at all, the first is DATA_DIR's (made there once).
   */
  async open(first: { configured: string | null; dataDir: string }): Promise<this> {
    const any = await this.db.selectFrom('signing_keys').select('kid').limit(1).executeTakeFirst();
    const configured = first.configured?.replace(/\\n/g, '\n') ?? null;
    const since = any ? this.opts.now() : new Date(0);
    if (configured) await addKey(this.db, configured, since);
    else if (!any) await addKey(this.db, await dataDirKeyPem(first.dataDir), since);
    await this.refresh();
    return this;
  }

  /** Reads them again now and every KEY_REFRESH_MS (a rotation by the admin command reaches this process). */
  start(onError: (err: unknown) => void): void {
    this.timer = setInterval(() => this.refresh().catch(onError), KEY_REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    this.rows = await this.db
      .selectFrom('signing_keys')
      .select(['kid', 'private_pem', 'active_from'])
      .orderBy('active_from', 'asc')
      .execute();
    for (const r of this.rows)
      if (!this.parsed.has(r.kid)) this.parsed.set(r.kid, await signingKeyFromPem(r.private_pem));
    this.choose();
  }

  /** The key that signs now. */
  get current(): SigningKey {
    this.choose();
    if (!this.signing) throw new Error('No entitlement signing key is active yet.');
    return this.signing;
  }

  /** What /.well-known/jwks.json serves. */
  get published(): SigningKey[] {
    this.choose();
    return this.publishedKeys;
  }

  /**
   * A key that always is the current one: services hold it as their SigningKey and sign with
   * whichever key is current at that moment (kid and private key are read in one go by signJwt).
   */
  live(): SigningKey {
    const ring = this;
    return {
      get kid() {
        return ring.current.kid;
      },
      get privateKey() {
        return ring.current.privateKey;
      },
      get publicJwk() {
        return ring.current.publicJwk;
      },
    };
  }

  private choose(): void {
    const now = this.opts.now().toISOString();
    const active = this.rows.filter((r) => r.active_from <= now);
    // Before any is active (only a key still to come), the earliest signs rather than none.
    const current = active.at(-1) ?? this.rows[0];
    this.signing = current ? (this.parsed.get(current.kid) ?? null) : null;
    this.publishedKeys = this.rows
      .filter((r, i) => {
        if (r.active_from > now || r === current) return true;
        // An older key stopped signing when its successor became active.
        const successor = this.rows[i + 1];
        if (!successor || successor.active_from > now) return true;
        return (
          new Date(successor.active_from).getTime() + this.opts.tokenLifetimeMs > this.opts.now().getTime()
        );
      })
      .map((r) => this.parsed.get(r.kid))
      .filter((k): k is SigningKey => k !== undefined);
  }
}

/** Stores a key that signs from `activeFrom`; returns its kid. */
export async function addKey(db: Db, pem: string, activeFrom: Date, now = new Date()): Promise<string> {
  const { kid } = await signingKeyFromPem(pem);
  await db
    .insertInto('signing_keys')
    .values({ kid, private_pem: pem, created_at: now.toISOString(), active_from: activeFrom.toISOString() })
    .onConflict((oc) => oc.column('kid').doNothing())
    .execute();
  return kid;
}

/** `npm run admin -- rotate-key`: a new key, published now and signing after KEY_LEAD_MS. */
export async function rotateKey(
  db: Db,
  now: Date,
  leadMs = KEY_LEAD_MS,
): Promise<{ kid: string; activeFrom: Date }> {
  const activeFrom = new Date(now.getTime() + leadMs);
  const kid = await addKey(db, await newKeyPem(), activeFrom, now);
  return { kid, activeFrom };
}
