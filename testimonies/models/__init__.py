from .accounts import ResearcherApplication
from .fixity import FixityCheck
from .imports import ImportJob
from .media import Document, Photo
from .narrator import Narrator
from .ratelimits import RateCount
from .recording import Cue, Recording, RedactedRange, Segment, Transcript
from .source import Source
from .tags import Place, PlacedItem, Theme, ThemedItem
from .takedown import TakedownRequest
from .testimony import Testimony, Translation
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "Cue",
    "Document",
    "FixityCheck",
    "ImportJob",
    "Narrator",
    "Photo",
    "Place",
    "PlacedItem",
    "RateCount",
    "Recording",
    "RedactedRange",
    "ResearcherApplication",
    "Segment",
    "Source",
    "TakedownRequest",
    "Transcript",
    "Testimony",
    "Theme",
    "ThemedItem",
    "Translation",
]
