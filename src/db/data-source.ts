import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { Config } from '../config';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

/** How long PostgreSQL may take before a call fails with a typed error; 0 turns a bound off. */
export interface DatabaseTimeouts {
  /** Wait for a pooled connection (opening one included). Default 5000. */
  connectMs?: number;
  /** Server side: PostgreSQL cancels a statement running longer (`statement_timeout`). Default 10000. */
  statementMs?: number;
  /**
   * Client side: a query with no answer after this fails, even when the server or the network hangs
   * and cannot cancel anything. Keep it above `statementMs`. Default 15000.
   */
  queryMs?: number;
  /** Server side: a session idle inside a transaction this long is closed, releasing its locks. Default 60000. */
  idleInTransactionMs?: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: Required<DatabaseTimeouts> = {
  connectMs: 5000,
  statementMs: 10_000,
  queryMs: 15_000,
  idleInTransactionMs: 60_000,
};

export interface DataSourceOptions {
  /** PostgreSQL connection string. */
  url: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Application name shown in pg_stat_activity. Default `moddy`. */
  applicationName?: string;
  /** Default `DEFAULT_DATABASE_TIMEOUTS`, field by field. */
  timeouts?: DatabaseTimeouts;
  /**
   * `url` is PgBouncer in transaction mode (`DATABASE_PGBOUNCER`). PgBouncer refuses the
   * `statement_timeout` and `idle_in_transaction_session_timeout` startup parameters, and a `SET`
   * would reach whichever server connection is next: those two bounds are then left to the
   * PostgreSQL role's settings; `connectMs` and `queryMs` still hold. Default false.
   */
  pgbouncer?: boolean;
}

/** A TypeORM DataSource on Moddy's schema. Schema changes only come from migrations: never `synchronize`. */
export function createDataSource({
  url,
  poolSize = 10,
  applicationName = 'moddy',
  timeouts = {},
  pgbouncer = false,
}: DataSourceOptions): DataSource {
  const bounds = { ...DEFAULT_DATABASE_TIMEOUTS, ...timeouts };
  // Session settings sent at connect (pg omits a 0); none through PgBouncer.
  const session = pgbouncer
    ? {}
    : { statement_timeout: bounds.statementMs, idle_in_transaction_session_timeout: bounds.idleInTransactionMs };
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'moddy_migrations',
    synchronize: false,
    logging: false,
    applicationName,
    // pg's own names; 0 (or absent) means no bound. Keep-alive finds a peer that vanished without a FIN.
    extra: {
      max: poolSize,
      connectionTimeoutMillis: bounds.connectMs,
      query_timeout: bounds.queryMs,
      ...session,
      keepAlive: true,
    },
  });
}

/** The pool settings of the configuration (`DATABASE_POOL_SIZE`, `DATABASE_*_TIMEOUT_MS`, `DATABASE_PGBOUNCER`). */
export function poolSettings(config: Config): { poolSize: number; timeouts: Required<DatabaseTimeouts>; pgbouncer: boolean } {
  return {
    poolSize: config.DATABASE_POOL_SIZE,
    pgbouncer: config.DATABASE_PGBOUNCER,
    timeouts: {
      connectMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      statementMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      queryMs: config.DATABASE_QUERY_TIMEOUT_MS,
      idleInTransactionMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
  };
}
