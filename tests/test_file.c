#include "testutil.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "log.h"

/* Names in dir other than . and .., joined by '/', into out. */
static int list_dir(const char *dir, char *out, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int count = 0;

	assert_non_null(d);
	out[0] = '\0';
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (count++)
			strncat(out, "/", n - strlen(out) - 1);
		strncat(out, e->d_name, n - strlen(out) - 1);
	}
	closedir(d);
	return count;
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static int setup(void **state)
{
	*state = tmpdir_make();
	/* The failures below log on purpose; keep the output to the results. */
	log_init("test", LOGL_OFF);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	tmpdir_remove(*state);
	return 0;
}

static void write_replaces(void **state)
{
	const char *dir = *state;
	char path[4200], names[1024], *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof path, "%s/out.txt", dir);
	assert_int_equal(file_write_atomic(path, "first version, longer\n", 22, 0644), ERR_OK);
	assert_int_equal(file_read_all(path, 1024, &data, &len), ERR_OK);
	assert_int_equal(len, 22);
	assert_string_equal(data, "first version, longer\n");
	free(data);

	/* Shorter content replaces, it does not overlay. */
	assert_int_equal(file_write_atomic(path, "second\n", 7, 0644), ERR_OK);
	assert_int_equal(file_read_all(path, 1024, &data, &len), ERR_OK);
	assert_int_equal(len, 7);
	assert_string_equal(data, "second\n");
	free(data);

	/* Empty content gives an empty file. */
	assert_int_equal(file_write_atomic(path, "", 0, 0644), ERR_OK);
	assert_int_equal(file_read_all(path, 1024, &data, &len), ERR_OK);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);

	/* No temporary left beside it. */
	assert_int_equal(list_dir(dir, names, sizeof names), 1);
	assert_string_equal(names, "out.txt");
}

static void mode_exact(void **state)
{
	const char *dir = *state;
	char path[4200];
	mode_t old = umask(0);

	snprintf(path, sizeof path, "%s/key", dir);
	/* umask 0 must not widen 0600 ... */
	assert_int_equal(file_write_atomic(path, "k", 1, 0600), ERR_OK);
	assert_int_equal(mode_of(path), 0600);
	/* ... and umask 077 must not narrow 0644. */
	umask(077);
	assert_int_equal(file_write_atomic(path, "k", 1, 0644), ERR_OK);
	assert_int_equal(mode_of(path), 0644);
	/* Replacing a 0644 file with a 0600 one tightens it. */
	umask(022);
	assert_int_equal(file_write_atomic(path, "k", 1, 0600), ERR_OK);
	assert_int_equal(mode_of(path), 0600);
	umask(027);
	assert_int_equal(file_write_atomic(path, "k", 1, 0666), ERR_OK);
	assert_int_equal(mode_of(path), 0666);
	umask(old);
}

static void failures_leave_nothing(void **state)
{
	const char *dir = *state;
	char path[4300], sub[4200], names[1024], *data = NULL;
	size_t len;

	/* The directory is missing. */
	snprintf(path, sizeof path, "%s/missing/out.txt", dir);
	assert_int_equal(file_write_atomic(path, "x", 1, 0644), ERR_IO);
	assert_int_equal(list_dir(dir, names, sizeof names), 0);

	/* The target is a directory: the rename fails after the temporary
	 * was written, and it must be gone again. */
	snprintf(sub, sizeof sub, "%s/target", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof path, "%s/inside", sub);
	assert_int_equal(file_write_atomic(path, "keep", 4, 0644), ERR_OK);
	assert_int_equal(file_write_atomic(sub, "new", 3, 0644), ERR_IO);
	assert_int_equal(list_dir(dir, names, sizeof names), 1);
	assert_string_equal(names, "target");
	assert_int_equal(list_dir(sub, names, sizeof names), 1);
	assert_int_equal(file_read_all(path, 100, &data, &len), ERR_OK);
	assert_string_equal(data, "keep");
	free(data);
}

static void read_limits(void **state)
{
	const char *dir = *state;
	char path[4200], *data = NULL, *big = malloc(10000);
	size_t len = 0;

	snprintf(path, sizeof path, "%s/ten", dir);
	assert_int_equal(file_write_atomic(path, "0123456789", 10, 0644), ERR_OK);
	assert_int_equal(file_read_all(path, 10, &data, &len), ERR_OK);
	assert_int_equal(len, 10);
	assert_int_equal(data[10], '\0');
	assert_memory_equal(data, "0123456789", 10);
	free(data);
	data = NULL;
	assert_int_equal(file_read_all(path, 9, &data, &len), ERR_TOO_LARGE);
	assert_null(data);
	assert_int_equal(file_read_all(path, 0, &data, &len), ERR_TOO_LARGE);

	/* Beyond the first buffer. */
	for (int i = 0; i < 10000; i++)
		big[i] = (char)('a' + i % 26);
	snprintf(path, sizeof path, "%s/big", dir);
	assert_int_equal(file_write_atomic(path, big, 10000, 0644), ERR_OK);
	assert_int_equal(file_read_all(path, 9999, &data, &len), ERR_TOO_LARGE);
	assert_null(data);
	assert_int_equal(file_read_all(path, 4096, &data, &len), ERR_TOO_LARGE);
	assert_int_equal(file_read_all(path, 8192, &data, &len), ERR_TOO_LARGE);
	assert_int_equal(file_read_all(path, 10000, &data, &len), ERR_OK);
	assert_int_equal(len, 10000);
	assert_memory_equal(data, big, 10000);
	assert_int_equal(data[10000], '\0');
	free(data);

	/* Exactly one buffer's worth. */
	assert_int_equal(file_write_atomic(path, big, 4096, 0644), ERR_OK);
	assert_int_equal(file_read_all(path, 4096, &data, &len), ERR_OK);
	assert_int_equal(len, 4096);
	assert_memory_equal(data, big, 4096);
	assert_int_equal(data[4096], '\0');
	free(data);
	data = NULL;
	assert_int_equal(file_read_all(path, 4095, &data, &len), ERR_TOO_LARGE);
	assert_null(data);
	free(big);

	/* Empty file: an empty, terminated buffer. */
	snprintf(path, sizeof path, "%s/empty", dir);
	assert_int_equal(file_write_atomic(path, "", 0, 0644), ERR_OK);
	assert_int_equal(file_read_all(path, 0, &data, &len), ERR_OK);
	assert_non_null(data);
	assert_int_equal(len, 0);
	assert_int_equal(data[0], '\0');
	free(data);
}

static void read_missing(void **state)
{
	const char *dir = *state;
	char path[4200], *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof path, "%s/nope", dir);
	assert_int_equal(file_read_all(path, 100, &data, &len), ERR_IO);
	assert_null(data);
	/* A directory is not a readable file either. */
	assert_int_equal(file_read_all(dir, 100, &data, &len), ERR_IO);
	assert_null(data);
}

static void binary(void **state)
{
	const char *dir = *state;
	char path[4200], *data = NULL;
	unsigned char bytes[512];
	size_t len = 0;

	for (int i = 0; i < 512; i++)
		bytes[i] = (unsigned char)(i % 256);
	bytes[511] = 0;
	snprintf(path, sizeof path, "%s/bin", dir);
	assert_int_equal(file_write_atomic(path, bytes, sizeof bytes, 0600), ERR_OK);
	assert_int_equal(file_read_all(path, 4096, &data, &len), ERR_OK);
	assert_int_equal(len, sizeof bytes);
	assert_memory_equal(data, bytes, sizeof bytes);
	assert_int_equal(data[len], '\0');
	free(data);
}

/* An OPD's name as a file name: safe characters only, never hidden, never
 * empty, never a path, and cut short. */
static void names(void **state)
{
	char out[FILE_NAME_MAX], big[300];

	(void)state;
	file_name_of("Dinas Kesehatan", out, sizeof out);
	assert_string_equal(out, "Dinas_Kesehatan");
	file_name_of("Dinas Pendidikan & Kebudayaan / Sekretariat ", out, sizeof out);
	assert_string_equal(out, "Dinas_Pendidikan_Kebudayaan_Sekretariat");
	file_name_of("../../etc/passwd", out, sizeof out);
	assert_string_equal(out, "x.._.._etc_passwd");
	file_name_of("..", out, sizeof out);
	assert_string_equal(out, "x..");
	file_name_of(".hidden", out, sizeof out);
	assert_string_equal(out, "x.hidden");
	file_name_of("", out, sizeof out);
	assert_string_equal(out, "x");
	file_name_of("\xC3\x9C\xC3\x9C", out, sizeof out); /* not ASCII at all */
	assert_string_equal(out, "x");
	file_name_of("Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah "
	             "(Bappelitbangda) Kabupaten Probolinggo",
	             out, sizeof out);
	assert_true(strlen(out) <= 80 && strlen(out) > 70);
	assert_int_equal(strncmp(out, "Badan_Perencanaan_Pembangunan_Penelitian", 40), 0);
	memset(big, '.', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	file_name_of(big, out, 8); /* a small buffer: cut, 'x' first, terminated */
	assert_string_equal(out, "x......");
}

static const char *item(void *ctx, size_t k)
{
	return ((const char *const *)ctx)[k];
}

/* Two OPDs that make the same name get a file each: the later one numbered
 * by its place, the same name each time it is asked. */
static void names_in_list(void **state)
{
	const char *opds[] = {"Dinas Kesehatan", "Dinas/Kesehatan", "Kecamatan Kraksaan",
	                      "Dinas  Kesehatan"};
	char out[FILE_NAME_MAX];

	(void)state;
	file_name_in(item, opds, 0, out, sizeof out);
	assert_string_equal(out, "Dinas_Kesehatan");
	file_name_in(item, opds, 1, out, sizeof out);
	assert_string_equal(out, "Dinas_Kesehatan-2");
	file_name_in(item, opds, 2, out, sizeof out);
	assert_string_equal(out, "Kecamatan_Kraksaan");
	file_name_in(item, opds, 3, out, sizeof out);
	assert_string_equal(out, "Dinas_Kesehatan-4");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(write_replaces, setup, teardown),
	    cmocka_unit_test_setup_teardown(mode_exact, setup, teardown),
	    cmocka_unit_test_setup_teardown(failures_leave_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(read_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(read_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(binary, setup, teardown),
	    cmocka_unit_test(names),
	    cmocka_unit_test(names_in_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
