/*
 * file: whole-file reads and crash-safe writes.
 */
#ifndef FILE_H
#define FILE_H

#include <stddef.h>
#include <stdio.h>
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

/*
 * The same, for text made by fill(f, ctx): it writes into f, a stream in
 * memory, and path is replaced only once all of it is made. ERR_NOMEM if
 * the memory stream fails.
 */
err file_write_atomic_with(const char *path, mode_t mode, void (*fill)(FILE *f, void *ctx),
                           void *ctx);

/* mkdir -p: path and any missing parents (mode 0755), path itself with mode.
 * ERR_OK if path is a directory afterwards, ERR_IO with errno set if not. */
err file_mkdirs(const char *path, mode_t mode);

/* fsync the directory holding path (for a rename or a new file in it). */
err file_sync_dir(const char *path);

#endif
