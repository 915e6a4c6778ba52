#ifndef ACMEC_ACME_XML_H
#define ACMEC_ACME_XML_H

/*
 * A small tree of an XML answer (Route 53's and STS's), read with expat:
 * element local names (namespaces dropped), their text, their children.
 * A document type declaration is refused (so no entities are ever
 * expanded), and depth and size are bounded.  The only file that
 * includes expat.
 */

#include <stddef.h>

struct xml_node {
	char *name;             /* local name */
	char *text;             /* the character data directly inside */
	struct xml_node *child; /* first child */
	struct xml_node *next;  /* next sibling */
};

/* The tree of data[0..len); NULL with util_error() saying why. */
struct xml_node *xml_parse(const char *data, size_t len);
void xml_free(struct xml_node *n);

/*
 * The element at path below n ("A/B/C": the first child named A, its
 * first child named B...; "" is n itself), or NULL.
 */
const struct xml_node *xml_get(const struct xml_node *n, const char *path);

/* The text of the element at path below n, or NULL if there is none. */
const char *xml_text(const struct xml_node *n, const char *path);

/* The next sibling after "after" (NULL: the first child of n) named name. */
const struct xml_node *xml_child(const struct xml_node *n, const char *name,
    const struct xml_node *after);

#endif
