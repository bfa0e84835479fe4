#include "msgtest.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *mt_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b = BUF_INIT(0);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (!b.s)
		buf_append(&b, "", 0);
	*len = b.len;
	return b.s;
}

const char *mt_corpus_dir(void)
{
	const char *d = getenv("CORPUS_DIR");
	return d && *d ? d : "tests/corpus";
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

unsigned mt_corpus_list(char ***names)
{
	DIR *d = opendir(mt_corpus_dir());
	unsigned n = 0, cap = 0;
	*names = NULL;
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".eml") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			*names = realloc(*names, cap * sizeof(char *));
		}
		(*names)[n++] = strndup(e->d_name, l - 4);
	}
	closedir(d);
	qsort(*names, n, sizeof(char *), cmp);
	return n;
}

void mt_corpus_free(char **names, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

struct msg_tree *mt_parse(const char *data, size_t len, size_t chunk, const struct msg_limits *lim)
{
	struct msg_parser *p = msg_parser_create(lim);
	if (!p)
		return NULL;
	if (chunk == 0)
		chunk = len ? len : 1;
	for (size_t i = 0; i < len; i += chunk) {
		size_t n = len - i < chunk ? len - i : chunk;
		if (msg_parser_feed(p, data + i, n) < 0) {
			msg_parser_free(&p);
			return NULL;
		}
	}
	return msg_parser_finish(&p);
}

void mt_section_parse(const char *s, struct msg_section *sec, char *store, size_t storelen)
{
	memset(sec, 0, sizeof(*sec));
	while (*s >= '0' && *s <= '9') {
		char *end;
		sec->path[sec->npath++] = (unsigned)strtoul(s, &end, 10);
		s = end;
		if (*s == '.')
			s++;
	}
	const char *lt = strchr(s, '<');
	if (lt) {
		char *end;
		sec->partial = true;
		sec->origin = strtoull(lt + 1, &end, 10);
		sec->count = strtoull(end + 1, NULL, 10);
	}
	if (strncmp(s, "HEADER.FIELDS.NOT", 17) == 0)
		sec->text = MSG_SECT_HEADER_FIELDS_NOT;
	else if (strncmp(s, "HEADER.FIELDS", 13) == 0)
		sec->text = MSG_SECT_HEADER_FIELDS;
	else if (strncmp(s, "HEADER", 6) == 0)
		sec->text = MSG_SECT_HEADER;
	else if (strncmp(s, "MIME", 4) == 0)
		sec->text = MSG_SECT_MIME;
	else if (strncmp(s, "TEXT", 4) == 0)
		sec->text = MSG_SECT_TEXT;
	const char *par = strchr(s, '(');
	if (par && storelen > 0) {
		size_t k = 0;
		for (par++; *par && *par != ')' && k + 1 < storelen; par++)
			store[k++] = *par;
		store[k] = '\0';
		char *save = NULL;
		for (char *tok = strtok_r(store, " ", &save);
		     tok && sec->nfields < MSG_SECTION_MAX_FIELDS; tok = strtok_r(NULL, " ", &save))
			sec->fields[sec->nfields++] = (struct str){tok, strlen(tok)};
	}
}
