/*
 * XML answers as a tree, with expat: a well-kept parser (Debian's
 * libexpat1) that protects itself from entity expansion; acmec refuses
 * DTDs outright, bounds the depth, the number of elements and the text.
 */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "acme/util.h"
#include "acme/xml.h"

#define XML_MAX_DEPTH 32
#define XML_MAX_NODES 20000

struct build {
	XML_Parser p;
	struct xml_node *root;
	struct xml_node *stack[XML_MAX_DEPTH];
	struct buf text[XML_MAX_DEPTH];
	int depth;
	size_t nodes;
	const char *why; /* why the parse was stopped */
};

static void
stop(struct build *b, const char *why)
{
	if (b->why == NULL)
		b->why = why;
	XML_StopParser(b->p, XML_FALSE);
}

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct build *b = arg;
	struct xml_node *n, **link;
	const char *local = strchr(name, '\1');

	(void)attrs;
	if (b->why != NULL)
		return;
	if (b->depth == XML_MAX_DEPTH || ++b->nodes > XML_MAX_NODES) {
		stop(b, "nested too deep or too many elements");
		return;
	}
	n = util_alloc(sizeof(*n));
	n->name = util_strdup(local ? local + 1 : name);
	if (b->depth == 0) {
		b->root = n;
	} else {
		link = &b->stack[b->depth - 1]->child;
		while (*link != NULL)
			link = &(*link)->next;
		*link = n;
	}
	b->stack[b->depth++] = n;
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct build *b = arg;
	struct buf *t;

	(void)name;
	if (b->why != NULL || b->depth == 0)
		return;
	t = &b->text[--b->depth];
	buf_add(t, "", 1);
	b->stack[b->depth]->text = t->data;
	memset(t, 0, sizeof(*t));
}

static void XMLCALL
on_text(void *arg, const XML_Char *s, int len)
{
	struct build *b = arg;

	if (b->why == NULL && b->depth > 0 && len > 0)
		buf_add(&b->text[b->depth - 1], s, (size_t)len);
}

static void XMLCALL
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)internal;
	stop(arg, "it has a document type declaration");
}

struct xml_node *
xml_parse(const char *data, size_t len)
{
	struct build b = { 0 };
	enum XML_Status st;
	int i;

	if (len > 0x7fffffff || (b.p = XML_ParserCreateNS("UTF-8", '\1')) ==
	    NULL) {
		util_seterr("cannot read XML: out of memory");
		return NULL;
	}
	XML_SetUserData(b.p, &b);
	XML_SetElementHandler(b.p, on_start, on_end);
	XML_SetCharacterDataHandler(b.p, on_text);
	XML_SetStartDoctypeDeclHandler(b.p, on_doctype);
	st = XML_Parse(b.p, data, (int)len, XML_TRUE);
	if (b.why != NULL || st != XML_STATUS_OK || b.root == NULL) {
		if (b.why != NULL)
			util_seterr("the XML answer is refused: %s", b.why);
		else
			util_seterr("the answer is not XML: %s at line %lu",
			    XML_ErrorString(XML_GetErrorCode(b.p)),
			    (unsigned long)XML_GetCurrentLineNumber(b.p));
		xml_free(b.root);
		b.root = NULL;
	}
	for (i = 0; i < XML_MAX_DEPTH; i++)
		buf_free(&b.text[i]);
	XML_ParserFree(b.p);
	return b.root;
}

void
xml_free(struct xml_node *n)
{
	struct xml_node *next;

	for (; n != NULL; n = next) {
		next = n->next;
		xml_free(n->child);
		free(n->name);
		free(n->text);
		free(n);
	}
}

const struct xml_node *
xml_child(const struct xml_node *n, const char *name,
    const struct xml_node *after)
{
	const struct xml_node *c;

	if (n == NULL)
		return NULL;
	for (c = after ? after->next : n->child; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const struct xml_node *
xml_get(const struct xml_node *n, const char *path)
{
	const char *slash;
	char *part;

	while (n != NULL && *path != '\0') {
		slash = strchr(path, '/');
		part = slash ? util_strndup(path, (size_t)(slash - path)) :
		    util_strdup(path);
		n = xml_child(n, part, NULL);
		free(part);
		path = slash ? slash + 1 : "";
	}
	return n;
}

const char *
xml_text(const struct xml_node *n, const char *path)
{
	n = xml_get(n, path);
	return n != NULL && n->text != NULL ? n->text : NULL;
}
