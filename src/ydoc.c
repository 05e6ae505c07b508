#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "arena.h"
#include "diag.h"
#include "xalloc.h"
#include "ydoc.h"

#define YDOC_MAX_DEPTH	64

struct ydoc_ctx {
	struct arena	*arena;
	const char	*name;
	const char	*data;
	size_t		 len;
	yaml_parser_t	 parser;
	int		 depth;
};

static struct ynode *ydoc_node(struct ydoc_ctx *, yaml_event_t *);

static struct ynode *
ydoc_new(struct ydoc_ctx *c, enum ynode_type t, const yaml_mark_t *m)
{
	struct ynode *n;

	n = arena_alloc(c->arena, sizeof(*n));
	n->type = t;
	n->line = m->line + 1;
	n->col = m->column + 1;
	return n;
}

static bool
ydoc_next(struct ydoc_ctx *c, yaml_event_t *ev)
{
	yaml_mark_t m;
	size_t i;

	if (yaml_parser_parse(&c->parser, ev))
		return true;
	m = c->parser.problem_mark;
	if (c->parser.error == YAML_READER_ERROR) {
		/* Bad bytes (invalid UTF-8, control characters): libyaml
		 * gives only the byte offset. */
		m.line = m.column = 0;
		for (i = 0; i < c->parser.problem_offset && i < c->len; i++)
			if (c->data[i] == '\n') {
				m.line++;
				m.column = 0;
			} else
				m.column++;
	}
	diag_error(c->name, m.line + 1, m.column + 1, "YAML: %s%s%s",
	    c->parser.problem ? c->parser.problem : "syntax error",
	    c->parser.context ? " " : "",
	    c->parser.context ? c->parser.context : "");
	return false;
}

/* Collect the children of a mapping or sequence until its end event. */
static bool
ydoc_children(struct ydoc_ctx *c, struct ynode *n, yaml_event_type_t end)
{
	yaml_event_t ev;
	struct ynode *k, **kids = NULL;
	size_t nk = 0, cap = 0, i;

	for (;;) {
		if (!ydoc_next(c, &ev))
			goto fail;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			break;
		}
		k = ydoc_node(c, &ev);
		yaml_event_delete(&ev);
		if (k == NULL)
			goto fail;
		if (n->type == YN_MAP && nk % 2 == 0) {
			if (k->type != YN_SCALAR) {
				diag_error(c->name, k->line, k->col,
				    "a mapping key must be a plain value");
				goto fail;
			}
			for (i = 0; i < nk; i += 2)
				if (strcmp(kids[i]->value, k->value) == 0) {
					diag_error(c->name, k->line, k->col,
					    "duplicate key '%s' (first at line %lu)",
					    k->value, kids[i]->line);
					goto fail;
				}
		}
		if (nk == cap) {
			cap = cap ? cap * 2 : 8;
			kids = xrealloc(kids, cap * sizeof(*kids));
		}
		kids[nk++] = k;
	}
	n->nkids = nk;
	n->kids = arena_alloc(c->arena, (nk ? nk : 1) * sizeof(*kids));
	if (nk)
		memcpy(n->kids, kids, nk * sizeof(*kids));
	free(kids);
	return true;
fail:
	free(kids);
	return false;
}

static struct ynode *
ydoc_node(struct ydoc_ctx *c, yaml_event_t *ev)
{
	struct ynode *n;
	const char *v;
	size_t len;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		v = (const char *)ev->data.scalar.value;
		len = ev->data.scalar.length;
		n = ydoc_new(c, YN_SCALAR, &ev->start_mark);
		n->is_quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		if (!n->is_quoted && (len == 0 || strcmp(v, "~") == 0 ||
		    strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
		    strcmp(v, "NULL") == 0))
			n->type = YN_NULL;
		if (memchr(v, '\0', len) != NULL) {
			diag_error(c->name, n->line, n->col,
			    "NUL character in a value");
			return NULL;
		}
		n->value = arena_strndup(c->arena, v, len);
		n->len = len;
		return n;
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (++c->depth > YDOC_MAX_DEPTH) {
			diag_error(c->name, ev->start_mark.line + 1,
			    ev->start_mark.column + 1, "nested too deeply");
			return NULL;
		}
		if (ev->type == YAML_MAPPING_START_EVENT) {
			n = ydoc_new(c, YN_MAP, &ev->start_mark);
			if (!ydoc_children(c, n, YAML_MAPPING_END_EVENT))
				return NULL;
		} else {
			n = ydoc_new(c, YN_SEQ, &ev->start_mark);
			if (!ydoc_children(c, n, YAML_SEQUENCE_END_EVENT))
				return NULL;
		}
		c->depth--;
		return n;
	case YAML_ALIAS_EVENT:
		diag_error(c->name, ev->start_mark.line + 1,
		    ev->start_mark.column + 1,
		    "aliases (*name) are not supported in rules files");
		return NULL;
	default:
		diag_error(c->name, ev->start_mark.line + 1,
		    ev->start_mark.column + 1, "unexpected YAML event");
		return NULL;
	}
}

struct ynode *
ydoc_parse(struct arena *a, const char *name, const char *data, size_t len)
{
	struct ydoc_ctx c;
	yaml_event_t ev;
	struct ynode *root = NULL;
	yaml_mark_t zero = { 0, 0, 0 };
	bool ok = false;

	memset(&c, 0, sizeof(c));
	c.arena = a;
	c.name = name;
	c.data = data;
	c.len = len;
	if (!yaml_parser_initialize(&c.parser)) {
		diag_error(name, 0, 0, "cannot initialise the YAML parser");
		return NULL;
	}
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)data,
	    len);
	yaml_parser_set_encoding(&c.parser, YAML_UTF8_ENCODING);
	/* stream start, document start (or stream end), node, document end */
	if (!ydoc_next(&c, &ev))
		goto out;
	yaml_event_delete(&ev);
	if (!ydoc_next(&c, &ev))
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		root = ydoc_new(&c, YN_NULL, &zero);
		root->value = "";
		ok = true;
		goto out;
	}
	yaml_event_delete(&ev);
	if (!ydoc_next(&c, &ev))
		goto out;
	root = ydoc_node(&c, &ev);
	yaml_event_delete(&ev);
	if (root == NULL)
		goto out;
	if (!ydoc_next(&c, &ev))
		goto out;
	yaml_event_delete(&ev);
	if (!ydoc_next(&c, &ev))
		goto out;
	if (ev.type != YAML_STREAM_END_EVENT) {
		diag_error(name, ev.start_mark.line + 1,
		    ev.start_mark.column + 1,
		    "only one YAML document is allowed per file");
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev);
	ok = true;
out:
	yaml_parser_delete(&c.parser);
	return ok ? root : NULL;
}

const struct ynode *
ydoc_get(const struct ynode *n, const char *key)
{
	size_t i;

	if (n == NULL || n->type != YN_MAP)
		return NULL;
	for (i = 0; i + 1 < n->nkids; i += 2)
		if (strcmp(n->kids[i]->value, key) == 0)
			return n->kids[i + 1];
	return NULL;
}

bool
ydoc_check_keys(const char *name, const struct ynode *n,
    const char *const *keys, const char *what)
{
	size_t i, k;
	bool ok = true;

	if (n == NULL || n->type != YN_MAP)
		return true;
	for (i = 0; i + 1 < n->nkids; i += 2) {
		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(n->kids[i]->value, keys[k]) == 0)
				break;
		if (keys[k] == NULL) {
			diag_error(name, n->kids[i]->line, n->kids[i]->col,
			    "unknown key '%s' in %s", n->kids[i]->value, what);
			ok = false;
		}
	}
	return ok;
}

struct ynode *
ydoc_unflatten(struct arena *a, const struct yflat *f)
{
	struct ynode *n;
	size_t i, k;

	n = arena_alloc(a, f->nnodes * sizeof(*n));
	for (i = 0; i < f->nnodes; i++) {
		const struct yflat_node *x = &f->nodes[i];

		n[i].type = (enum ynode_type)x->type;
		n[i].is_quoted = x->is_quoted;
		n[i].value = x->value == YFLAT_NONE ? NULL : f->strs + x->value;
		n[i].len = x->len;
		n[i].line = x->line;
		n[i].col = x->col;
		n[i].nkids = x->nkids;
		if (x->nkids > 0) {
			n[i].kids = arena_alloc(a, x->nkids * sizeof(*n[i].kids));
			for (k = 0; k < x->nkids; k++)
				n[i].kids[k] = &n[f->kids[x->kids + k]];
		}
	}
	return n;
}
