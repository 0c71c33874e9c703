import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** Epoch milliseconds; undefined = no expiry. */
  expiresAt: number | undefined;
}

/** Models whose instances are indexed by grant so that `revokeByGrantId` can find them. */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

const SWEEP_EVERY = 256;

/**
 * In-memory storage for oidc-provider models. One store is owned by one demo IdP instance and is
 * shared by every Provider instance that IdP creates (a signing-key rotation rebuilds the Provider),
 * which is what lets sessions, grants and refresh tokens survive a rotation.
 */
export class MemoryStore {
  readonly #entries = new Map<string, Entry>();
  readonly #sessionUids = new Map<string, string>();
  readonly #userCodes = new Map<string, string>();
  readonly #grants = new Map<string, Set<string>>();
  #writes = 0;

  /** Adapter factory for the `adapter` configuration option of oidc-provider. */
  readonly factory: AdapterFactory = (model: string): Adapter => new MemoryAdapter(model, this);

  get(key: string): AdapterPayload | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    return structuredClone(entry.payload);
  }

  set(model: string, key: string, payload: AdapterPayload, expiresIn: number | undefined): void {
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined;
    const id = key.slice(model.length + 1);
    this.#entries.set(key, { payload: structuredClone(payload), expiresAt });
    if (payload.uid && model === 'Session') this.#sessionUids.set(payload.uid, id);
    if (payload.userCode) this.#userCodes.set(payload.userCode, id);
    if (payload.grantId && GRANTABLE.has(model)) {
      let members = this.#grants.get(payload.grantId);
      if (!members) {
        members = new Set();
        this.#grants.set(payload.grantId, members);
      }
      members.add(key);
    }
    if (++this.#writes % SWEEP_EVERY === 0) this.#sweep();
  }

  markConsumed(key: string, at: number): void {
    const entry = this.#entries.get(key);
    if (entry) entry.payload.consumed = at;
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    if (!entry) return;
    const id = key.slice(key.indexOf(':') + 1);
    const { uid, userCode, grantId } = entry.payload;
    if (uid && this.#sessionUids.get(uid) === id) this.#sessionUids.delete(uid);
    if (userCode && this.#userCodes.get(userCode) === id) this.#userCodes.delete(userCode);
    if (grantId) {
      const members = this.#grants.get(grantId);
      members?.delete(key);
      if (members?.size === 0) this.#grants.delete(grantId);
    }
  }

  idForSessionUid(uid: string): string | undefined {
    return this.#sessionUids.get(uid);
  }

  idForUserCode(userCode: string): string | undefined {
    return this.#userCodes.get(userCode);
  }

  revokeGrant(grantId: string): void {
    const members = this.#grants.get(grantId);
    if (!members) return;
    for (const key of [...members]) this.delete(key);
    this.#grants.delete(grantId);
  }

  /** Deletes everything issued to an account (IdP session, grants, tokens): its refresh tokens stop working. */
  revokeAccount(accountId: string): void {
    for (const [key, entry] of [...this.#entries]) {
      if (entry.payload.accountId === accountId) this.delete(key);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#sessionUids.clear();
    this.#userCodes.clear();
    this.#grants.clear();
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.delete(key);
    }
  }
}

class MemoryAdapter implements Adapter {
  private readonly model: string;
  private readonly store: MemoryStore;

  constructor(model: string, store: MemoryStore) {
    this.model = model;
    this.store = store;
  }

  private key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    this.store.set(this.model, this.key(id), payload, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.store.get(this.key(id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = this.store.idForSessionUid(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = this.store.idForUserCode(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id: string): Promise<void> {
    this.store.markConsumed(this.key(id), Math.floor(Date.now() / 1000));
  }

  async destroy(id: string): Promise<void> {
    this.store.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.store.revokeGrant(grantId);
  }
}
