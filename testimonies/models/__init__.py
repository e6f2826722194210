from .media import Document, Photo
from .narrator import Narrator
from .source import Source
from .tags import Place, PlacedItem, Theme, ThemedItem
from .testimony import Testimony, Translation

__all__ = [
    "Document",
    "Narrator",
    "Photo",
    "Place",
    "PlacedItem",
    "Source",
    "Testimony",
    "Theme",
    "ThemedItem",
    "Translation",
]
