/**
 * Records in memory, one table per sObject type, with secondary indexes so uniqueness checks and
 * equality queries never scan, and a journal so `allOrNone` calls can roll back.
 */

export type FieldValue = string | number | boolean | null;
export type SRecord = { readonly Id: string; readonly [field: string]: FieldValue };

/** Maps a record to the key it is filed under, or undefined to leave it out of the index. */
export type IndexKey = (record: SRecord) => string | undefined;

const empty: ReadonlySet<string> = new Set();

export class Table {
  readonly rows = new Map<string, SRecord>();
  readonly #indexes = new Map<string, { key: IndexKey; entries: Map<string, Set<string>> }>();

  addIndex(name: string, key: IndexKey): void {
    const entries = new Map<string, Set<string>>();
    this.#indexes.set(name, { key, entries });
    for (const record of this.rows.values()) file(entries, key(record), record.Id);
  }

  hasIndex(name: string): boolean {
    return this.#indexes.has(name);
  }

  lookup(index: string, key: string): ReadonlySet<string> {
    return this.#indexes.get(index)?.entries.get(key) ?? empty;
  }

  put(record: SRecord): void {
    const old = this.rows.get(record.Id);
    for (const { key, entries } of this.#indexes.values()) {
      const oldKey = old === undefined ? undefined : key(old);
      const newKey = key(record);
      if (oldKey === newKey && old !== undefined) continue;
      unfile(entries, oldKey, record.Id);
      file(entries, newKey, record.Id);
    }
    this.rows.set(record.Id, record);
  }

  delete(id: string): void {
    const old = this.rows.get(id);
    if (old === undefined) return;
    for (const { key, entries } of this.#indexes.values()) unfile(entries, key(old), id);
    this.rows.delete(id);
  }

  clear(): void {
    this.rows.clear();
    for (const index of this.#indexes.values()) index.entries.clear();
  }
}

function file(entries: Map<string, Set<string>>, key: string | undefined, id: string): void {
  if (key === undefined) return;
  const ids = entries.get(key);
  if (ids === undefined) entries.set(key, new Set([id]));
  else ids.add(id);
}

function unfile(entries: Map<string, Set<string>>, key: string | undefined, id: string): void {
  if (key === undefined) return;
  const ids = entries.get(key);
  if (ids === undefined) return;
  ids.delete(id);
  if (ids.size === 0) entries.delete(key);
}

type Undo = { type: string; id: string; before: SRecord | undefined };

export type Savepoint = { rollback(): void; release(): void };

export class Store {
  readonly #tables = new Map<string, Table>();
  #journal: Undo[] = [];
  #open = 0;

  table(type: string): Table {
    let t = this.#tables.get(type);
    if (t === undefined) {
      t = new Table();
      this.#tables.set(type, t);
    }
    return t;
  }

  get(type: string, id: string): SRecord | undefined {
    return this.#tables.get(type)?.rows.get(id);
  }

  put(type: string, record: SRecord): void {
    const t = this.table(type);
    if (this.#open > 0) this.#journal.push({ type, id: record.Id, before: t.rows.get(record.Id) });
    t.put(record);
  }

  delete(type: string, id: string): void {
    const t = this.table(type);
    const before = t.rows.get(id);
    if (before === undefined) return;
    if (this.#open > 0) this.#journal.push({ type, id, before });
    t.delete(id);
  }

  /** Starts recording changes; `rollback` undoes everything since, in reverse order. Nests. */
  savepoint(): Savepoint {
    const mark = this.#journal.length;
    this.#open++;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      this.#open--;
      if (this.#open === 0) this.#journal = [];
    };
    return {
      rollback: () => {
        if (done) return;
        for (let i = this.#journal.length - 1; i >= mark; i--) {
          const undo = this.#journal[i];
          if (undo === undefined) continue;
          const t = this.table(undo.type);
          if (undo.before === undefined) t.delete(undo.id);
          else t.put(undo.before);
        }
        this.#journal.length = mark;
        finish();
      },
      release: finish,
    };
  }

  clear(): void {
    for (const t of this.#tables.values()) t.clear();
    this.#journal = [];
  }

  types(): string[] {
    return [...this.#tables.keys()];
  }
}
