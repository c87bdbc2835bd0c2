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

/*
 * A file name made from text (an OPD's name: sheets/OPD.pdf, letters/OPD.pdf):
 * ASCII letters, digits, '-' and '.' kept, each run of other bytes one '_'
 * (none at the end), at most 80 bytes, never empty and never starting with
 * '.' (an 'x' goes first), so never hidden, "..", or a path. out: n >= 2
 * bytes; FILE_NAME_MAX is enough for this and for file_name_in's.
 */
#define FILE_NAME_MAX 96
void file_name_of(const char *text, char *out, size_t n);

/*
 * The file name of item i of a list whose item k has the text text(ctx, k):
 * file_name_of that text, with "-<i+1>" added when an earlier item's text
 * makes the same name, so two OPDs named alike get a file each. Items
 * 0..i are read; the same list in the same order gives the same names.
 */
void file_name_in(const char *(*text)(void *ctx, size_t k), void *ctx, size_t i, char *out,
                  size_t n);

#endif
