import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { postgresPool } from '../library-internals/typeorm';

/**
 * Plain SQL reads for the hottest queries. Inside a transaction they join it
 * (through the transaction host, as every repository call does); outside one
 * they go straight to the driver's pool, skipping TypeORM's per-query
 * QueryRunner (its creation, connection bookkeeping and broadcaster: about a
 * tenth of the CPU of a catalog read). Same pool, same connection settings
 * (statement timeout included).
 */
@Injectable()
export class SqlReads {
  /** TypeORM's own pool, reached through its private shape (checked here, at start-up). */
  private readonly pool: Pool;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.pool = postgresPool(dataSource);
  }

  async rows<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    if (this.txHost.isTransactionActive()) return this.txHost.tx.query<T[]>(sql, parameters);
    const { rows } = await this.pool.query(sql, parameters);
    return rows as T[];
  }
}
