/*
 * The XML reader: Route 53's answers as the API reference shows them
 * (ListHostedZonesByName, an ErrorResponse), namespaces dropped, entities
 * decoded, and what it refuses: a DTD (entity expansion, "billion
 * laughs"), unbalanced tags, depth past the bound.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/util.h"
#include "acme/xml.h"
#include "tests/unit/unit.h"

static struct xml_node *
parse(const char *s)
{
	return xml_parse(s, strlen(s));
}

void
test_xml_reader(void)
{
	struct xml_node *x;
	const struct xml_node *z, *zs;
	char deep[2000];
	size_t i, n = 0;

	x = parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ListHostedZonesByNameResponse xmlns=\"https://route53.amazonaws"
	    ".com/doc/2013-04-01/\"><HostedZones><HostedZone><Id>/hostedzone/"
	    "Z1</Id><Name>a.test.</Name><Config><PrivateZone>true</PrivateZone>"
	    "</Config></HostedZone><HostedZone><Id>/hostedzone/Z2</Id><Name>"
	    "a.test.</Name></HostedZone></HostedZones><IsTruncated>false"
	    "</IsTruncated><Note>a &amp; b &lt;c&gt;</Note>"
	    "</ListHostedZonesByNameResponse>");
	REQUIRE(x != NULL);
	CHECK_STR(x->name, "ListHostedZonesByNameResponse");
	CHECK_STR(xml_text(x, "IsTruncated"), "false");
	CHECK_STR(xml_text(x, "Note"), "a & b <c>");
	CHECK_STR(xml_text(x, "HostedZones/HostedZone/Config/PrivateZone"),
	    "true");
	CHECK(xml_text(x, "HostedZones/Nothing") == NULL);
	zs = xml_get(x, "HostedZones");
	for (z = NULL; (z = xml_child(zs, "HostedZone", z)) != NULL; n++)
		if (n == 1)
			CHECK_STR(xml_text(z, "Id"), "/hostedzone/Z2");
	CHECK(n == 2);
	xml_free(x);

	x = parse("<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/"
	    "2013-04-01/\"><Error><Type>Sender</Type><Code>AccessDenied</Code>"
	    "<Message>User: x is not authorized</Message></Error>"
	    "<RequestId>r</RequestId></ErrorResponse>");
	REQUIRE(x != NULL);
	CHECK_STR(xml_text(x, "Error/Code"), "AccessDenied");
	xml_free(x);

	/* Refused: a DTD (no entity is ever expanded), bad XML, depth. */
	CHECK(parse("<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;\">]><l>&b;</l>") == NULL);
	CHECK(strstr(util_error(), "document type") != NULL);
	CHECK(parse("<a><b></a>") == NULL);
	CHECK(strstr(util_error(), "not XML") != NULL);
	CHECK(parse("") == NULL);
	deep[0] = '\0';
	for (i = 0; i < 40; i++)
		strcat(deep, "<d>");
	for (i = 0; i < 40; i++)
		strcat(deep, "</d>");
	CHECK(parse(deep) == NULL);
	CHECK(strstr(util_error(), "too deep") != NULL);
}
