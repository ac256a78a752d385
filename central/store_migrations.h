// The central's SQLite schema as migrations: migration N brings a database
// from schema version N-1 to N (central/store.h kSchemaVersion), applied in
// order in one transaction each by Store::Migrate. A released migration is
// never edited: a later one changes what it made.
#ifndef STAFFGATE_CENTRAL_STORE_MIGRATIONS_H_
#define STAFFGATE_CENTRAL_STORE_MIGRATIONS_H_

namespace staffgate::central {

// The SQL of migration `version` (1..kSchemaVersion); nullptr outside.
// Static storage, never freed.
const char* MigrationSql(int version);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_STORE_MIGRATIONS_H_
