"""The OAI-PMH 2.0 schemas, from local copies only (tests/data/oai/README.md).

Every answer of /oai/ that the tests read is checked against OAI-PMH.xsd, with the
Dublin Core records inside against oai_dc.xsd and the Identify description against
oai-identifier.xsd: the envelope's wildcards are ``processContents="strict"``, so a
record the schema cannot check is an error too. The schemas import each other by
their published addresses; a resolver answers those from tests/data/oai/, and the
parser may not open the network.
"""

import functools
from pathlib import Path

from lxml import etree

FOLDER = Path(__file__).resolve().parent / "data" / "oai"
#: Published address of each schema (as the schemas import one another) → copy.
LOCAL = {
    "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd": "OAI-PMH.xsd",
    "http://www.openarchives.org/OAI/2.0/oai_dc.xsd": "oai_dc.xsd",
    "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd": "oai-identifier.xsd",
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": "xml.xsd",
    "http://www.w3.org/2001/xml.xsd": "xml.xsd",
    "http://www.w3.org/2009/01/xml.xsd": "xml.xsd",
}
#: One schema document importing the three namespaces an answer may hold.
DRIVER = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/"
             schemaLocation="http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/"
             schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc.xsd"/>
  <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai-identifier"
             schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"/>
</xs:schema>"""


class LocalCopies(etree.Resolver):
    def resolve(self, url, pubid, context):
        name = LOCAL.get(url) or (Path(url).name if url.startswith("file:") else None)
        if name is None:
            raise LookupError(f"schema fetched from outside tests/data/oai: {url}")
        return self.resolve_filename(str(FOLDER / name), context)


def _parser():
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(LocalCopies())
    return parser


@functools.cache
def schema():
    document = etree.fromstring(DRIVER, _parser(), base_url=str(FOLDER) + "/")
    return etree.XMLSchema(etree.ElementTree(document))


def validate(content):
    """Parse ``content`` (bytes), assert it is valid OAI-PMH; return the root."""
    root = etree.fromstring(content, etree.XMLParser(no_network=True))
    checker = schema()
    if not checker.validate(root):
        errors = "\n".join(str(error) for error in checker.error_log)
        raise AssertionError(f"invalid OAI-PMH answer:\n{errors}\n{content[:2000]!r}")
    return root
