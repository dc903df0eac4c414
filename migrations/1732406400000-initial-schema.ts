import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The five tables of the design, their indexes, and the SQL helper for dotted data paths. */
export class InitialSchema1732406400000 implements MigrationInterface {
  name = 'InitialSchema1732406400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE errors (
        error_code   CHAR(8)      PRIMARY KEY,
        error_type   VARCHAR(200) NOT NULL,
        message      TEXT         NOT NULL,
        file_source  TEXT,
        line_number  INTEGER,
        traceback    TEXT,
        user_id      BIGINT,
        guild_id     BIGINT,
        command      VARCHAR(100),
        "timestamp"  TIMESTAMPTZ  NOT NULL DEFAULT now(),
        context      JSONB        NOT NULL DEFAULT '{}'::jsonb
      )`);
    await queryRunner.query(`CREATE INDEX idx_errors_timestamp ON errors ("timestamp")`);
    await queryRunner.query(`CREATE INDEX idx_errors_user_id ON errors (user_id) WHERE user_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX idx_errors_guild_id ON errors (guild_id) WHERE guild_id IS NOT NULL`);

    await queryRunner.query(`
      CREATE TABLE guilds_cache (
        guild_id      BIGINT       PRIMARY KEY,
        name          VARCHAR(100) NOT NULL,
        icon_url      TEXT,
        features      TEXT[]       NOT NULL DEFAULT '{}',
        member_count  INTEGER,
        created_at    TIMESTAMPTZ,
        last_updated  TIMESTAMPTZ  NOT NULL DEFAULT now(),
        update_source VARCHAR(20)  NOT NULL
          CONSTRAINT chk_guilds_cache_update_source
          CHECK (update_source IN ('bot_join', 'user_profile', 'api_call', 'manual', 'scheduled')),
        raw_data      JSONB        NOT NULL DEFAULT '{}'::jsonb
      )`);
    await queryRunner.query(`CREATE INDEX idx_guilds_cache_last_updated ON guilds_cache (last_updated)`);

    for (const [table, key] of [
      ['users', 'user_id'],
      ['guilds', 'guild_id'],
    ] as const) {
      await queryRunner.query(`
        CREATE TABLE ${table} (
          ${key}         BIGINT      PRIMARY KEY,
          attributes     JSONB       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(attributes) = 'object'),
          data           JSONB       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(data) = 'object'),
          created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
          updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
          deactivated_at TIMESTAMPTZ
        )`);
      // jsonb_ops (the default class) serves both "attributes ? 'BETA'" and "attributes @> '{"LANG":"FR"}'".
      await queryRunner.query(`CREATE INDEX idx_${table}_attributes ON ${table} USING gin (attributes)`);
    }

    await queryRunner.query(`
      CREATE TABLE attribute_changes (
        id             BIGSERIAL   PRIMARY KEY,
        entity_type    VARCHAR(5)  NOT NULL CHECK (entity_type IN ('user', 'guild')),
        entity_id      BIGINT      NOT NULL,
        attribute_name VARCHAR(64) NOT NULL,
        old_value      JSONB,
        new_value      JSONB,
        changed_by     BIGINT      NOT NULL,
        changed_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
        reason         TEXT        NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX idx_attribute_changes_entity ON attribute_changes (entity_type, entity_id, changed_at)`);

    // Sets a dotted path inside a JSONB object, creating missing intermediate objects, so that a
    // data update is one atomic UPDATE. A stored non-object in the way raises SQLSTATE MD001.
    await queryRunner.query(`
      CREATE FUNCTION moddy_jsonb_set_path(target JSONB, path TEXT[], new_value JSONB) RETURNS JSONB
      LANGUAGE plpgsql IMMUTABLE AS $fn$
      DECLARE
        child JSONB;
      BEGIN
        IF cardinality(path) = 1 THEN
          RETURN target || jsonb_build_object(path[1], new_value);
        END IF;
        child := COALESCE(target -> path[1], '{}'::jsonb);
        IF jsonb_typeof(child) <> 'object' THEN
          RAISE EXCEPTION 'data path crosses a non-object at %', path[1] USING ERRCODE = 'MD001';
        END IF;
        RETURN target || jsonb_build_object(path[1], moddy_jsonb_set_path(child, path[2:], new_value));
      END
      $fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION moddy_jsonb_set_path(JSONB, TEXT[], JSONB)`);
    await queryRunner.query(`DROP TABLE attribute_changes`);
    await queryRunner.query(`DROP TABLE guilds`);
    await queryRunner.query(`DROP TABLE users`);
    await queryRunner.query(`DROP TABLE guilds_cache`);
    await queryRunner.query(`DROP TABLE errors`);
  }
}
