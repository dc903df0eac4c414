import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

export interface DataSourceOptions {
  /** PostgreSQL connection string. */
  url: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Application name shown in pg_stat_activity. Default `moddy`. */
  applicationName?: string;
}

/** A TypeORM DataSource on Moddy's schema. Schema changes only come from migrations: never `synchronize`. */
export function createDataSource({ url, poolSize = 10, applicationName = 'moddy' }: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'moddy_migrations',
    synchronize: false,
    logging: false,
    applicationName,
    extra: { max: poolSize, connectionTimeoutMillis: 5000 },
  });
}
