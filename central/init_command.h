// `staffgate-central init --dir DIR`: everything a new central needs, in
// one directory (docs/design.md §5). Never overwrites existing keys.
#ifndef STAFFGATE_CENTRAL_INIT_COMMAND_H_
#define STAFFGATE_CENTRAL_INIT_COMMAND_H_

#include <string>
#include <vector>

#include "common/result.h"

namespace staffgate::central {

struct InitOptions {
  std::string dir;
  std::string listen = "127.0.0.1:8443";
  std::string organization;
  std::vector<std::string> sans;
  // "sqlite" (DIR/central.db) or a PostgreSQL URI without a password
  // (docs/design.md §12), which must name an empty database.
  std::string database = "sqlite";
  // `--join DIR0`: another central for the PostgreSQL database of the
  // central in DIR0 (docs/design.md §12); `database` and `organization`
  // are then DIR0's.
  std::string join;
};

// Creates DIR (0750) with roster-signing.key (0600), roster-signing.pub,
// ca.pem, ca.key (0600), tls.crt, tls.key (0600), admin.token (0600), central.db (with
// the admin token's hash and a first signed roster; or that schema in the
// PostgreSQL database `database`) and central.conf.
// Errors: kInvalidInput (bad --listen/--san, DIR already holds a central's
// keys or database, the PostgreSQL database already holds a central),
// kConfig (a URI with a password), kIo (database unreachable), kInternal.
// With `join`, JoinCentral.
common::Result<void> InitCentral(const InitOptions& options);

// Creates DIR for another central of DIR0's PostgreSQL database: DIR0's
// signing key, CA and admin token (the same roster bytes, the same trust,
// the same admin), a new server certificate under that CA for `listen`'s
// host and `sans`, and DIR0's central.conf with this listen address and
// DIR's files. Writes nothing to the database. Errors: kInvalidInput (DIR
// holds a central, DIR0's central is on SQLite or its database holds no
// central, a bad SAN), kConfig (DIR0's central.conf), kIo, kInternal.
common::Result<void> JoinCentral(const InitOptions& options);

}  // namespace staffgate::central

#endif  // STAFFGATE_CENTRAL_INIT_COMMAND_H_
