from .accounts import ResearcherApplication
from .fixity import FixityCheck
from .media import Document, Photo
from .narrator import Narrator
from .ratelimits import RateCount
from .source import Source
from .tags import Place, PlacedItem, Theme, ThemedItem
from .takedown import TakedownRequest
from .testimony import Testimony, Translation

__all__ = [
    "Document",
    "FixityCheck",
    "Narrator",
    "Photo",
    "Place",
    "PlacedItem",
    "RateCount",
    "ResearcherApplication",
    "Source",
    "TakedownRequest",
    "Testimony",
    "Theme",
    "ThemedItem",
    "Translation",
]
