"""The reading pages: home, browse and the testimony itself."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.generic import DetailView, ListView, TemplateView

from ..citation import cite, embedded
from ..listening import cited_moment, mark_cues, recordings_to_hear
from ..marking import marked_text
from ..models import Place, Testimony
from ..models.testimony import validate_identifier
from ..reading import (
    place_tree,
    recently_published,
    related_testimonies,
    theme_tree,
    version_to_read,
)
from ..search.query import MAX_QUERY_LENGTH, parse_query
from .downloads import Refused, download, links, refused_page, wanted_format
from .listing import (
    TestimonyListMixin,
    VisibleTestimoniesMixin,
    available_choices,
    language_choices,
)


class HomeView(VisibleTestimoniesMixin, TemplateView):
    template_name = "testimonies/home.html"

    def get_context_data(self, **kwargs):
        visible = self.visible()
        themes = sorted(
            (node for node in theme_tree(visible).walk() if node.count),
            key=lambda node: -node.count,
        )
        places = place_tree(visible)
        regions = [n for n in places.walk() if n.tag.kind == Place.Kind.REGION]
        return super().get_context_data(
            testimonies=recently_published(visible),
            total=visible.count(),
            language_count=visible.order_by().values("language").distinct().count(),
            themes=themes[:8],
            theme_count=len(themes),
            places=regions or places.roots,
            **kwargs,
        )


class TestimonyListView(TestimonyListMixin, ListView):
    """Browse: every visible testimony, filtered, ordered and paginated."""

    template_name = "testimonies/testimony_list.html"

    def get(self, request, *args, **kwargs):
        """The page, or with ``format=`` the download of every testimony it lists."""
        try:
            format = wanted_format(request)
            if format:
                form = self.form_class(request.GET, visible=self.visible())
                form.is_valid()
                return download(
                    request,
                    self.visible(),
                    form,
                    format,
                    searching=False,
                    name="testimonies",
                )
        except Refused as refused:
            return refused_page(request, refused)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | links()

    def get_form_kwargs(self):
        visible = self.visible()
        return {
            "theme_choices": theme_tree(visible).choices(),
            "place_choices": place_tree(visible).choices(),
            "language_choices": language_choices(visible),
            "available_choices": available_choices(visible),
        }


class TestimonyDetailView(VisibleTestimoniesMixin, DetailView):
    """One testimony to read, in its original or a translation (``?lang=uk``)."""

    template_name = "testimonies/testimony_detail.html"
    context_object_name = "testimony"
    slug_field = "identifier"
    slug_url_kwarg = "identifier"

    def get_queryset(self):
        return (
            self.visible()
            .select_related("narrator__home_place", "source")
            .prefetch_related(
                "themes",
                # Three levels of parents: settlement, district, region, country.
                "places__parent__parent__parent",
                "photos",
                "documents",
                "translations",
            )
        )

    def get(self, request, *args, **kwargs):
        # Only well-formed identifiers reach the database (PostgreSQL refuses NUL).
        try:
            validate_identifier(kwargs["identifier"])
        except ValidationError:
            raise Http404 from None
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A withdrawn testimony's address was public once and may be cited:
            # say it is gone for good, without showing anything of it.
            withdrawn = Testimony.objects.filter(
                identifier=kwargs["identifier"], status=Testimony.Status.WITHDRAWN
            )
            if not withdrawn.exists():
                raise
            return TemplateResponse(
                request,
                "testimonies/testimony_withdrawn.html",
                {"identifier": kwargs["identifier"]},
                status=410,
            )

    def get_context_data(self, **kwargs):
        testimony = self.object
        asked = self.request.GET.get("lang", "")
        version, missing = version_to_read(testimony, asked)
        translations = list(testimony.translations.all())
        url = self.request.build_absolute_uri(testimony.get_absolute_url())
        interface = (get_language() or "").split("-")[0]
        suggested = None
        if not asked and interface != testimony.language:
            suggested = next((t for t in translations if t.language == interface), None)
        photos = list(testimony.photos.all())
        recordings = recordings_to_hear(
            testimony,
            self.request.user,
            language=version.language,
            at=self.request.GET.get("t", ""),
            recording=self.request.GET.get("r", ""),
        )
        # The words of a search, marked (hits link here with ?q=…#p12).
        query = parse_query(self.request.GET.get("q", "")[:MAX_QUERY_LENGTH])
        # Marks are numbered in page order: the transcripts come before the text.
        counter = [0]
        if query.phrases:
            mark_cues(recordings, query, counter)
        return super().get_context_data(
            version=version,
            reading_query=query,
            marked=marked_text(version, query, counter),
            noindex=bool(query.phrases),
            missing_language=asked[:35] if missing else "",
            translations=translations,
            suggested_translation=suggested,
            photos=photos,
            recordings=recordings,
            citation=cite(
                testimony,
                url=url,
                accessed=timezone.localdate(),
                moment=cited_moment(recordings),
            ),
            address=url,
            embedded=embedded(
                testimony,
                url=url,
                title=version.title,
                language=version.language,
                themes=[theme.name_in() for theme in testimony.themes.all()],
                places=[place.name_in() for place in testimony.places.all()],
            ),
            related=related_testimonies(testimony, self.visible()),
            canonical_url=(
                f"{url}?lang={version.language}" if version.translation else url
            ),
            og_image=(
                self.request.build_absolute_uri(photos[0].image.url) if photos else ""
            ),
            **kwargs,
        )
