// The central's schema as migrations, one SQL text per engine: migration N
// brings a database from schema version N-1 to N (central/store.h
// kSchemaVersion), applied in order in one transaction each by
// Store::Migrate. A released migration is never edited: a later one
// changes what it made. PostgreSQL support began at schema 11, so its
// migration 1 makes that whole schema and 2..11 are empty; from 12 on each
// migration has both texts (store_migrations.cc, store_migrations_pg.cc).
#ifndef STAFFGATE_CENTRAL_STORE_MIGRATIONS_H_
#define STAFFGATE_CENTRAL_STORE_MIGRATIONS_H_

#include "central/database.h"

namespace staffgate::central {

// The SQL of migration `version` (1..kSchemaVersion) for `engine` ("" when
// the engine has nothing to do); nullptr outside. Static storage.
const char* MigrationSql(Engine engine, int version);
// PostgreSQL's texts (store_migrations_pg.cc).
const char* PgMigrationSql(int version);
// The schema_version table, created before any migration (both engines).
const char* SchemaVersionTableSql();

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_STORE_MIGRATIONS_H_
