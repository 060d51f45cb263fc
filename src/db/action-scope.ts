import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type TransactionSettings,
  type Transaction,
} from 'kysely';
import type { DB } from './schema.ts';

/**
 * One transaction for a whole action, whatever the services inside it do.
 *
 * An idempotent action (a tap on the phone) must commit its idempotency key and its effect together,
 * or neither: a process killed between the two must not leave a key that says "done" with no alarm
 * behind it. The services an action calls open their own transactions and read through the outer
 * handle, so instead of threading a transaction handle through every one of them, the action runs in
 * a scope (AsyncLocalStorage) in which every query on the database joins the scope's single
 * connection and transaction, and a transaction opened inside it becomes a savepoint. Outside a scope
 * the driver behaves exactly as the one it wraps.
 *
 * Inside a scope, run one nested transaction at a time (no Promise.all of two transactions): they
 * share one connection, and savepoints nest in the order they are opened.
 */
interface Scope {
  connection: DatabaseConnection | null;
  /** Open acquisitions of the connection inside the scope; the last release hands it back. */
  holds: number;
  begun: boolean;
  savepoints: string[];
  seq: number;
}

const scopes = new AsyncLocalStorage<Scope>();

const scopeOf = (connection: DatabaseConnection): Scope | undefined => {
  const scope = scopes.getStore();
  return scope && scope.connection === connection ? scope : undefined;
};

class ScopedDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init() {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const scope = scopes.getStore();
    if (!scope) return this.inner.acquireConnection();
    scope.connection ??= await this.inner.acquireConnection();
    scope.holds++;
    return scope.connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const scope = scopeOf(connection);
    if (!scope || !scope.begun) {
      if (scope) scope.begun = true;
      return this.inner.beginTransaction(connection, settings);
    }
    const name = `harbour_action_${++scope.seq}`;
    scope.savepoints.push(name);
    await connection.executeQuery(CompiledQuery.raw(`SAVEPOINT ${name}`));
  }

  async commitTransaction(connection: DatabaseConnection) {
    const name = scopeOf(connection)?.savepoints.pop();
    if (name === undefined) return this.inner.commitTransaction(connection);
    await connection.executeQuery(CompiledQuery.raw(`RELEASE SAVEPOINT ${name}`));
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    const name = scopeOf(connection)?.savepoints.pop();
    if (name === undefined) return this.inner.rollbackTransaction(connection);
    await connection.executeQuery(CompiledQuery.raw(`ROLLBACK TO SAVEPOINT ${name}`));
    await connection.executeQuery(CompiledQuery.raw(`RELEASE SAVEPOINT ${name}`));
  }

  async releaseConnection(connection: DatabaseConnection) {
    const scope = scopeOf(connection);
    if (scope && --scope.holds > 0) return;
    if (scope) scope.connection = null;
    return this.inner.releaseConnection(connection);
  }

  destroy() {
    return this.inner.destroy();
  }
}

/** Wraps a dialect so that `inOneTransaction` can gather every query of an action into one transaction. */
export function scopedDialect(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => new ScopedDriver(dialect.createDriver()),
  };
}

/**
 * Runs fn in one transaction that every query made inside it joins, on the outer handle or in a
 * nested transaction (which becomes a savepoint). Commits when fn returns, rolls everything back
 * when it throws or the process dies. The database must have been opened with `scopedDialect`.
 */
export function inOneTransaction<T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  if (scopes.getStore()) throw new Error('inOneTransaction cannot be nested');
  const scope: Scope = { connection: null, holds: 0, begun: false, savepoints: [], seq: 0 };
  return scopes.run(scope, () => db.transaction().execute(fn));
}
