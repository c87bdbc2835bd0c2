/*
 * backup: a consistent copy of an LMDB environment into one file, taken
 * while others go on writing (the ledger's and the redeemer's backups).
 */
#ifndef BACKUP_H
#define BACKUP_H

#include <lmdb.h>

#include "err.h"

/*
 * Copy env, compacted, to a new file path of mode 0600: ERR_EXISTS if path
 * exists, ERR_IO / ERR_DB otherwise; nothing is left behind on failure. To
 * restore, put the file as data.mdb in an empty folder.
 */
err backup_lmdb(MDB_env *env, const char *path);

#endif
