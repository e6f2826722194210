"""Themes and places out: SKOS in Turtle, and CSV (docs/api.md "Vocabularies").

What is written is the tree the themes and places pages show
(:func:`testimonies.reading.theme_tree`, :func:`~testimonies.reading.place_tree`):
only tags that a testimony the reader may see carries, and the tags above them. A
concept's URI is its page; the scheme's is the list page. Each concept carries its
labels in every language (``prefLabel`` per language, the stored name in the
archive's language unless a name in that language is given, when it is an
``altLabel``), ``broader`` (and ``topConceptOf`` at the top), a theme's
definition, a place's kind and WGS 84 coordinates (``geo:lat``, ``geo:long``).
"""

import csv
import io

from django.conf import settings

from .models import Place

PREFIXES = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def literal(text, language=None):
    """A Turtle string literal."""
    escaped = (
        str(text)
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"' + (f"@{language.lower()}" if language else "")


def iri(address):
    return (
        "<"
        + "".join(c if c not in '<>"{}|^`\\ ' else f"%{ord(c):02X}" for c in address)
        + ">"
    )


def labels(tag):
    """``(property, text, language)`` of every label of ``tag``."""
    default = settings.LANGUAGE_CODE
    names = dict(tag.names or {})
    found = [("prefLabel", name, language) for language, name in sorted(names.items())]
    if default not in names:
        found.insert(0, ("prefLabel", tag.name, default))
    elif names[default] != tag.name:
        found.append(("altLabel", tag.name, default))
    return found


def turtle(tree, *, scheme, title, address):
    """The SKOS concept scheme of ``tree`` as Turtle text; ``address(tag)``
    gives a concept's URI."""
    lines = [f"@prefix {name}: <{uri}> ." for name, uri in PREFIXES.items()]
    nodes = list(tree.walk())
    lines += [
        "",
        f"{iri(scheme)} a skos:ConceptScheme ;",
        f"  dct:title {literal(title, settings.LANGUAGE_CODE)} ;",
    ]
    # A kept node's parent is kept too (the tree prunes from the leaves up).
    tops = [node for node in nodes if node.parent is None]
    lines.append(
        "  skos:hasTopConcept "
        + (", ".join(iri(address(node.tag)) for node in tops) or f"{iri(scheme)}")
        + " ."
    )
    for node in nodes:
        tag = node.tag
        lines += ["", f"{iri(address(tag))} a skos:Concept ;"]
        lines.append(f"  skos:inScheme {iri(scheme)} ;")
        lines.append(f"  skos:notation {literal(tag.slug)} ;")
        for prop, text, language in labels(tag):
            lines.append(f"  skos:{prop} {literal(text, language)} ;")
        if node.parent is not None:
            lines.append(f"  skos:broader {iri(address(node.parent.tag))} ;")
        else:
            lines.append(f"  skos:topConceptOf {iri(scheme)} ;")
        for child in node.children:
            lines.append(f"  skos:narrower {iri(address(child.tag))} ;")
        if getattr(tag, "description", ""):
            definition = literal(tag.description, settings.LANGUAGE_CODE)
            lines.append(f"  skos:definition {definition} ;")
        if isinstance(tag, Place):
            lines.append(f"  dct:type {literal(tag.kind)} ;")
            if tag.latitude is not None and tag.longitude is not None:
                lines.append(f'  geo:lat "{coordinate(tag.latitude)}"^^xsd:decimal ;')
                lines.append(f'  geo:long "{coordinate(tag.longitude)}"^^xsd:decimal ;')
        lines[-1] = lines[-1][:-2] + " ."
    return "\n".join(lines) + "\n"


def table(tree, *, address):
    """The vocabulary as CSV text: one row per tag, parents before children."""
    nodes = list(tree.walk())
    languages = sorted({code for node in nodes for code in (node.tag.names or {})})
    places = bool(nodes) and isinstance(nodes[0].tag, Place)
    header = ["slug", "uri", "name", "parent"]
    header += ["kind", "latitude", "longitude"] if places else ["description"]
    header += [f"name.{code}" for code in languages]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for node in nodes:
        tag = node.tag
        row = [tag.slug, address(tag), tag.name]
        row.append(node.parent.tag.slug if node.parent is not None else "")
        if places:
            row += [tag.kind, none_blank(tag.latitude), none_blank(tag.longitude)]
        else:
            row.append(getattr(tag, "description", ""))
        row += [(tag.names or {}).get(code, "") for code in languages]
        writer.writerow(row)
    return "\ufeff" + buffer.getvalue()


def none_blank(value):
    return "" if value is None else coordinate(value)


def coordinate(value):
    """A stored Decimal as written: 51.1923, not 51.192300 (nor 5E+1)."""
    return format(value.normalize(), "f")
