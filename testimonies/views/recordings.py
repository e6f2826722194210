"""A recording's captions, as WebVTT for the player's ``<track>``.

Served through ``Recording.objects.visible_to``, like the recording itself (a
transcript carries what the voice says), with redactions as marks.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseGone
from django.views.decorators.http import require_safe

from ..models import Recording, Testimony
from ..models.testimony import validate_identifier
from ..timedtext import write_webvtt
from ..transcripts import timed_cues
from .media import protected


@require_safe
def captions(request, identifier, pk, language):
    try:
        validate_identifier(identifier)
    except ValidationError:
        raise Http404 from None
    if len(language) > 35 or not language.isprintable():
        raise Http404
    recording = (
        Recording.objects.visible_to(request.user)
        .filter(pk=pk, testimony__identifier=identifier)
        .select_related("testimony")
        .first()
    )
    if recording is None:
        withdrawn = Recording.objects.filter(
            pk=pk,
            testimony__identifier=identifier,
            testimony__status=Testimony.Status.WITHDRAWN,
        )
        if withdrawn.exists():
            return HttpResponseGone()
        raise Http404
    transcript = recording.transcripts.filter(language=language).first()
    if transcript is None:
        raise Http404
    cues = timed_cues(transcript, public=True)
    response = HttpResponse(write_webvtt(cues), content_type="text/vtt; charset=utf-8")
    return protected(response, public=recording.is_public())
