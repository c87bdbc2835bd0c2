/*
 * file: whole-file reads and crash-safe writes.
 */
#ifndef FILE_H
#define FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/*
 * Replace path with len bytes of data: written to a temporary file in the
 * same directory with the given mode, fsynced, renamed over path, and the
 * directory fsynced. On failure path is untouched and no temporary is left.
 */
err file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/*
 * Read all of path into a new NUL-terminated buffer (*data, free() it) of
 * *len bytes. ERR_TOO_LARGE beyond max bytes, ERR_IO if it cannot be read.
 */
err file_read_all(const char *path, size_t max, char **data, size_t *len);

/* fsync the directory holding path (for a rename or a new file in it). */
err file_sync_dir(const char *path);

#endif
