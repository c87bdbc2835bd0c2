/*
 * libFuzzer: the redeemer's --config INI reader (config_load and
 * config_entry in redeemer/main.c, through inih, as cmd_serve reads it).
 *
 * The reader is static in the program's main.c, so this harness includes
 * that file, its main renamed: the code under test is the program's own,
 * and nothing had to move out of main.c for it.
 *
 * A config that reads has numbers in their documented range. A refused one
 * is refused at its first bad line, with that line's reason: the same line
 * and message as for the file cut just after that line, whatever follows.
 */
#include <stddef.h>
#include <stdint.h>

#include "memfile.h"

#define main redeemer_main
#include "../../redeemer/main.c"
#undef main

static memfile in, cut;

static void config_free(struct config *c)
{
	for (int i = 0; i < T_COUNT; i++)
		free(c->text[i]);
}

static int read_config(const char *path, struct config *c)
{
	memset(c, 0, sizeof *c);
	return config_load(path, c);
}

/* Bytes of the first `lines` lines as inih reads them (fgets, INI_MAX_LINE). */
static size_t prefix_of(const uint8_t *data, size_t size, int lines)
{
	size_t off = 0;

	for (int i = 0; i < lines && off < size; i++) {
		size_t k = 0;
		while (off + k < size && k < INI_MAX_LINE - 1 && data[off + k++] != '\n')
			;
		off += k;
	}
	return off;
}

static void check_values(const struct config *c)
{
	for (int i = 0; i < N_COUNT; i++)
		if (c->number[i] < 0 || c->number[i] > number_defs[i].max)
			__builtin_trap();
	if (c->ngalleries > GALLERIES_MAX)
		__builtin_trap();
	for (size_t g = 0; g < c->ngalleries; g++) {
		if (!key_id_valid(c->gallery[g].id))
			__builtin_trap();
		for (int i = 0; i < N_COUNT; i++)
			if (c->gallery[g].number[i] < 0 ||
			    c->gallery[g].number[i] > number_defs[i].max ||
			    (i < N_OFFLINE_FIRST && c->gallery[g].number[i]))
				__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c, d;
	int line, line_cut;

	line = read_config(memfile_put(&in, data, size), &c);
	if (line < 0)
		__builtin_trap(); /* the file is there to read */
	if (line == 0) {
		check_values(&c);
		config_free(&c);
		return 0;
	}
	line_cut = read_config(memfile_put(&cut, data, prefix_of(data, size, line)), &d);
	if (line_cut != line || !c.why[0] || strcmp(c.why, d.why) != 0)
		__builtin_trap();
	config_free(&c);
	config_free(&d);
	return 0;
}
