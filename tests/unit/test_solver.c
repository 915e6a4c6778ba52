/*
 * Unit tests of solver selection (acme/solver.c): cert-manager's rules as
 * acme/solver.h states them, on issuers and certificates built in code.
 */

#include <stdlib.h>
#include <string.h>

#include "acme/config/config.h"
#include "acme/solver/solver.h"
#include "tests/unit/unit.h"

/* Add each space-separated word of words to l. */
static void
add_words(struct strlist *l, const char *words)
{
	char *copy, *tok, *save;

	if (words == NULL)
		return;
	copy = strdup(words);
	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save))
		strlist_add(l, tok);
	free(copy);
}

/* "k=v k2=v2" into parallel key and value lists. */
static void
add_labels(struct strlist *keys, struct strlist *values, const char *labels)
{
	char *copy, *tok, *save, *eq;

	if (labels == NULL)
		return;
	copy = strdup(labels);
	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		eq = strchr(tok, '=');
		*eq = '\0';
		strlist_add(keys, tok);
		strlist_add(values, eq + 1);
	}
	free(copy);
}

/*
 * A solver of type with a selector (each part may be NULL); solvers are
 * told apart by their port, numbered from 1 in the order listed.
 */
static void
add_solver(struct cfg_issuer *is, enum solver_type type, const char *names,
    const char *zones, const char *labels)
{
	struct cfg_solver *s;

	is->solvers = realloc(is->solvers, (is->nsolvers + 1) *
	    sizeof(*is->solvers));
	s = &is->solvers[is->nsolvers++];
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->http_port = (int)is->nsolvers;
	add_words(&s->sel_dns_names, names);
	add_words(&s->sel_dns_zones, zones);
	add_labels(&s->sel_label_keys, &s->sel_label_values, labels);
}

static void
free_solvers(struct cfg_issuer *is)
{
	struct cfg_solver *s;

	while (is->nsolvers > 0) {
		s = &is->solvers[--is->nsolvers];
		strlist_free(&s->sel_dns_names);
		strlist_free(&s->sel_dns_zones);
		strlist_free(&s->sel_label_keys);
		strlist_free(&s->sel_label_values);
	}
	free(is->solvers);
	is->solvers = NULL;
}

/* The port of the solver chosen for name, 0 if none (and *why). */
static int
chosen_why(const struct cfg_issuer *is, const struct cfg_cert *c,
    enum ident_type type, const char *name, const char **why)
{
	struct ident id = { type, (char *)name };
	const struct cfg_solver *s;

	util_seterr("%s", "");
	s = solver_select(is, c, &id);
	*why = s == NULL ? util_error() : NULL;
	return s ? s->http_port : 0;
}

static int
chosen(const struct cfg_issuer *is, const struct cfg_cert *c,
    const char *name)
{
	const char *why;

	return chosen_why(is, c, IDENT_DNS, name, &why);
}

void
test_solver_select(void)
{
	struct cfg_issuer is = { 0 };
	struct cfg_cert c = { 0 };

	add_solver(&is, SOLVER_HTTP01, NULL, NULL, NULL);       /* 1 */
	add_solver(&is, SOLVER_HTTP01, NULL, "example.com", NULL); /* 2 */
	add_solver(&is, SOLVER_HTTP01, NULL, "sub.example.com", NULL);
	add_solver(&is, SOLVER_HTTP01, "www.example.com", NULL, NULL); /* 4 */
	add_solver(&is, SOLVER_HTTP01, NULL, "example.com", NULL); /* 5 */
	/* No selector matches every name. */
	CHECK(chosen(&is, &c, "other.test") == 1);
	/* A zone matches itself and every name below it. */
	CHECK(chosen(&is, &c, "example.com") == 2);
	CHECK(chosen(&is, &c, "a.example.com") == 2);
	CHECK(chosen(&is, &c, "a.b.c.example.com") == 2);
	/* The longest zone wins. */
	CHECK(chosen(&is, &c, "sub.example.com") == 3);
	CHECK(chosen(&is, &c, "a.sub.example.com") == 3);
	/* dnsNames beats every zone. */
	CHECK(chosen(&is, &c, "www.example.com") == 4);
	/* dnsNames are exact: nothing below them. */
	CHECK(chosen(&is, &c, "a.www.example.com") == 2);
	/* A zone matches whole labels only. */
	CHECK(chosen(&is, &c, "badexample.com") == 1);
	CHECK(chosen(&is, &c, "xsub.example.com") == 2);
	CHECK(chosen(&is, &c, "com") == 1);
	/* http-01 cannot do wildcards: nothing here can. */
	CHECK(chosen(&is, &c, "*.example.com") == 0);
	free_solvers(&is);

	/* Ties go to the first listed, whichever comes first. */
	add_solver(&is, SOLVER_DNS01, NULL, "example.com", NULL);  /* 1 */
	add_solver(&is, SOLVER_HTTP01, NULL, "example.com", NULL); /* 2 */
	add_solver(&is, SOLVER_HTTP01, "a.example.com", NULL, NULL); /* 3 */
	add_solver(&is, SOLVER_DNS01, "a.example.com", NULL, NULL); /* 4 */
	add_solver(&is, SOLVER_HTTP01, NULL, NULL, NULL);          /* 5 */
	add_solver(&is, SOLVER_DNS01, NULL, NULL, NULL);           /* 6 */
	CHECK(chosen(&is, &c, "b.example.com") == 1);
	CHECK(chosen(&is, &c, "a.example.com") == 3);
	CHECK(chosen(&is, &c, "other.test") == 5);
	free_solvers(&is);
}

void
test_solver_select_labels(void)
{
	struct cfg_issuer is = { 0 };
	struct cfg_cert c = { 0 };

	add_labels(&c.label_keys, &c.label_values, "team=web env=prod");
	add_solver(&is, SOLVER_HTTP01, NULL, NULL, NULL);                /* 1 */
	add_solver(&is, SOLVER_HTTP01, NULL, NULL, "team=web");          /* 2 */
	add_solver(&is, SOLVER_HTTP01, NULL, NULL, "env=prod team=web"); /* 3 */
	add_solver(&is, SOLVER_HTTP01, NULL, NULL, "team=web env=prod x=y");
	add_solver(&is, SOLVER_HTTP01, NULL, "example.com", "team=db");  /* 5 */
	add_solver(&is, SOLVER_HTTP01, NULL, "example.com", NULL);       /* 6 */
	add_solver(&is, SOLVER_HTTP01, NULL, "example.com", "env=prod"); /* 7 */
	add_solver(&is, SOLVER_HTTP01, "www.example.com", NULL, NULL);   /* 8 */
	add_solver(&is, SOLVER_HTTP01, "www.example.com", NULL, "env=prod");
	/* The most matchLabels wins; all of them must be on the Certificate. */
	CHECK(chosen(&is, &c, "other.test") == 3);
	/* A zone beats any number of labels; among zones, labels count. */
	CHECK(chosen(&is, &c, "a.example.com") == 7);
	/* Among dnsNames matches, labels count too. */
	CHECK(chosen(&is, &c, "www.example.com") == 9);

	/* Without the labels, only the selectors without labels match. */
	strlist_free(&c.label_keys);
	strlist_free(&c.label_values);
	CHECK(chosen(&is, &c, "other.test") == 1);
	CHECK(chosen(&is, &c, "a.example.com") == 6);
	CHECK(chosen(&is, &c, "www.example.com") == 8);
	/* A label's value must be equal too. */
	add_labels(&c.label_keys, &c.label_values, "team=db env=dev");
	CHECK(chosen(&is, &c, "other.test") == 1);
	CHECK(chosen(&is, &c, "a.example.com") == 5);
	strlist_free(&c.label_keys);
	strlist_free(&c.label_values);
	free_solvers(&is);
}

void
test_solver_select_types(void)
{
	struct cfg_issuer is = { 0 };
	struct cfg_cert c = { 0 };
	const char *why;

	add_solver(&is, SOLVER_HTTP01, "*.example.com", NULL, NULL);  /* 1 */
	add_solver(&is, SOLVER_TLSALPN01, NULL, "example.com", NULL); /* 2 */
	add_solver(&is, SOLVER_DNS01, NULL, NULL, NULL);              /* 3 */
	/* Wildcards skip http-01 and tls-alpn-01 whatever their selector. */
	CHECK(chosen_why(&is, &c, IDENT_DNS, "*.example.com", &why) == 3);
	CHECK(chosen_why(&is, &c, IDENT_DNS, "a.example.com", &why) == 2);
	/* dns-01 cannot validate an IP address. */
	CHECK(chosen_why(&is, &c, IDENT_IP, "192.0.2.1", &why) == 0);
	CHECK_STR(why, "IP addresses need an http01 solver");
	free_solvers(&is);

	add_solver(&is, SOLVER_HTTP01, NULL, NULL, NULL);             /* 1 */
	add_solver(&is, SOLVER_DNS01, NULL, "example.com", NULL);     /* 2 */
	add_solver(&is, SOLVER_DNS01, "*.example.com", NULL, NULL);   /* 3 */
	CHECK(chosen_why(&is, &c, IDENT_IP, "2001:db8::1", &why) == 1);
	/* A wildcard is in the zone of its base name... */
	CHECK(chosen_why(&is, &c, IDENT_DNS, "*.a.example.com", &why) == 2);
	/* ...and dnsNames name it with its "*.". */
	CHECK(chosen_why(&is, &c, IDENT_DNS, "*.example.com", &why) == 3);
	CHECK(chosen_why(&is, &c, IDENT_DNS, "example.com", &why) == 2);
	CHECK(chosen_why(&is, &c, IDENT_DNS, "*.other.test", &why) == 0);
	CHECK_STR(why, "wildcard names need a dns01 solver");
	free_solvers(&is);

	/* Nothing matches: an empty list, or selectors elsewhere. */
	CHECK(chosen_why(&is, &c, IDENT_DNS, "a.test", &why) == 0);
	CHECK_STR(why, "no solver's selector matches it");
	add_solver(&is, SOLVER_DNS01, "b.test", NULL, NULL);
	add_solver(&is, SOLVER_HTTP01, NULL, "example.com", NULL);
	add_solver(&is, SOLVER_HTTP01, NULL, NULL, "team=web");
	CHECK(chosen_why(&is, &c, IDENT_DNS, "a.test", &why) == 0);
	CHECK_STR(why, "no solver's selector matches it");
	CHECK(chosen_why(&is, &c, IDENT_DNS, "b.test", &why) == 1);
	free_solvers(&is);
}

/*
 * Every part of a selector that is given must match, as in cert-manager's
 * solver picker (pkg/util/solverpicker): dnsNames with dnsZones is "this
 * name and in this zone", not either.  Two dnsNames matches are told
 * apart by their zones, then by their labels.
 */
void
test_solver_select_all_parts(void)
{
	struct cfg_issuer is = { 0 };
	struct cfg_cert c = { 0 };

	add_labels(&c.label_keys, &c.label_values, "team=web");
	add_solver(&is, SOLVER_DNS01, "a.example.com", "example.org", NULL);
	add_solver(&is, SOLVER_DNS01, NULL, NULL, NULL);
	/* a.example.com is not in example.org: solver 1 does not match. */
	CHECK(chosen(&is, &c, "a.example.com") == 2);
	/* b.example.org is not among its dnsNames either. */
	CHECK(chosen(&is, &c, "b.example.org") == 2);
	free_solvers(&is);

	add_solver(&is, SOLVER_DNS01, "a.example.com", "com", NULL);
	add_solver(&is, SOLVER_DNS01, "a.example.com", "example.com", NULL);
	add_solver(&is, SOLVER_DNS01, "a.example.com", "example.com",
	    "team=web");
	add_solver(&is, SOLVER_DNS01, "a.example.com", "example.com",
	    "team=db");
	CHECK(chosen(&is, &c, "a.example.com") == 3);
	free_solvers(&is);
	strlist_free(&c.label_keys);
	strlist_free(&c.label_values);
}
