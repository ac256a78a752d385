/* The NSS snapshot file, <state_dir>/nss/db (docs/design.md §9): what the
 * agent writes after each accepted roster and libnss_staffgate.so.2 maps.
 *
 * One immutable file, replaced atomically (temp file + rename), so a reader
 * either sees the old file or the new one. Native byte order (the file never
 * leaves the machine that wrote it; the magic catches a foreign one). All
 * integers are 32-bit except in the header; sections follow the header in
 * this order, each an array of the records below:
 *
 *   users[user_count]            sorted by uid, strictly ascending
 *   user_by_name[user_count]     u32 indices into users, by strcmp(name)
 *   groups[group_count]          sorted by gid, strictly ascending
 *   group_by_name[group_count]   u32 indices into groups, by strcmp(name)
 *   words[word_count]            u32 pool: a user's extra gids, a group's
 *                                member names (string offsets)
 *   strings[string_bytes]        NUL-terminated strings; the last byte is NUL
 *
 * A user's own group (gid = uid, same name) is not stored: the reader makes
 * it from the user record. Groups with SG_NSS_GROUP_LOCAL are local groups
 * (/etc/group) the agent resolved: answered by name and gid only so glibc's
 * [SUCCESS=merge] adds their staffgate members, never enumerated.
 * No secrets: the file is world-readable. */
#ifndef STAFFGATE_NSS_MODULE_SNAPSHOT_FORMAT_H_
#define STAFFGATE_NSS_MODULE_SNAPSHOT_FORMAT_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The constants are macros: this header is C, shared with the C module.
   NOLINTBEGIN(cppcoreguidelines-macro-usage) */
#define SG_NSS_MAGIC "SGNSSDB1"
#define SG_NSS_VERSION 1u
#define SG_NSS_FILE_NAME "db"
#define SG_NSS_DEFAULT_DIR "/var/lib/staffgate/nss"

/* header.flags */
#define SG_NSS_FLAG_ENUMERATE 1u
/* group.flags */
#define SG_NSS_GROUP_LOCAL 1u

/* Caps that keep every size computation far from overflow. */
#define SG_NSS_MAX_RECORDS (1u << 24)
#define SG_NSS_MAX_WORDS (1u << 28)
#define SG_NSS_MAX_STRING_BYTES (1u << 30)

struct sg_nss_header {
  char magic[8];
  uint32_t version;
  uint32_t header_size; /* sizeof(struct sg_nss_header) */
  uint64_t file_size;
  uint64_t checksum; /* sg_nss_checksum over bytes [SG_NSS_CHECKSUM_FROM, file_size) */
  uint64_t serial;   /* the roster's serial, for staffgatectl */
  uint32_t flags;
  uint32_t min_uid;
  uint32_t user_count;
  uint32_t group_count;
  uint32_t word_count;
  uint32_t string_bytes;
};

/* The checksum covers everything after itself: the rest of the header
 * (serial, flags, min_uid, counts) and every table. */
#define SG_NSS_CHECKSUM_FROM (offsetof(struct sg_nss_header, checksum) + sizeof(uint64_t))
/* NOLINTEND(cppcoreguidelines-macro-usage) */

struct sg_nss_user {
  uint32_t uid;
  uint32_t gid;
  uint32_t name; /* string offsets */
  uint32_t gecos;
  uint32_t home;
  uint32_t shell;
  uint32_t gids_at; /* words[gids_at .. gids_at+gids_count): extra gids */
  uint32_t gids_count;
};

struct sg_nss_group {
  uint32_t gid;
  uint32_t name;
  uint32_t members_at; /* words[...]: string offsets of member names */
  uint32_t members_count;
  uint32_t flags;
};

/* A fast 64-bit checksum (not cryptographic: it catches torn or damaged
 * files; the file's integrity against people is its root ownership). */
uint64_t sg_nss_checksum(const unsigned char* data, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* STAFFGATE_NSS_MODULE_SNAPSHOT_FORMAT_H_ */
