"""OAI-PMH 2.0 for harvesters: the archive's public records at /oai/ (docs/oai-pmh.md).

What a harvester may see is what an anonymous visitor may read
(``Testimony.objects.visible_to(AnonymousUser())``) whoever asks, plus the
withdrawn testimonies that were public once, as deleted records that name nothing
but their identifier (``withdrawn_after_publication``).

- :mod:`.protocol`: the arguments of each verb, errors, dates, identifiers;
- :mod:`.tokens`: signed resumption tokens;
- :mod:`.datestamps`: when a record last changed as a harvester sees it;
- :mod:`.sets`: themes and places as hierarchical sets;
- :mod:`.records`: which testimonies a list holds, page by page;
- :mod:`.dublin_core`: a testimony as ``oai_dc``;
- :mod:`.writing`: the XML;
- :mod:`.verbs`: one function per verb, and :func:`~.verbs.answer`.
"""
