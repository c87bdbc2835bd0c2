#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "file.h"
#include "log.h"

err backup_lmdb(MDB_env *env, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), rc;

	if (fd < 0)
		return errno == EEXIST ? ERR_EXISTS : ERR_IO;
	rc = mdb_env_copyfd2(env, fd, MDB_CP_COMPACT);
	if (rc == 0 && fsync(fd) != 0)
		rc = errno;
	if (close(fd) != 0 && rc == 0)
		rc = errno;
	if (rc != 0) {
		LOG(LOGL_ERROR, "backup to %s: %s", path, mdb_strerror(rc));
		unlink(path);
		return ERR_IO;
	}
	return file_sync_dir(path);
}
