"""What every list of testimonies shares: visibility, filters, order, pagination."""

from django.core.paginator import InvalidPage
from django.http import QueryDict
from django.utils.translation import ngettext

from ..forms import FilterForm
from ..languages import language_name
from ..models import Testimony, Translation


class VisibleTestimoniesMixin:
    """Every public view starts from what the requesting user may see."""

    def visible(self):
        return Testimony.objects.visible_to(self.request.user)


class TestimonyListMixin(VisibleTestimoniesMixin):
    """A filtered, ordered, paginated list of visible testimonies (for a ListView).

    Bad input never raises: filter errors empty the list and explain why, a page
    that is not a number or lies past the end gets a message instead of a 404.
    """

    form_class = FilterForm
    paginate_by = 20
    context_object_name = "testimonies"
    #: The query parameters the page reads; ``None`` reads every field of the form.
    accepted_parameters = None

    def get_form_kwargs(self):
        return {}

    def get_form(self):
        data = self.request.GET
        if self.accepted_parameters is not None:
            data = QueryDict(mutable=True)
            for name in self.accepted_parameters:
                if name in self.request.GET:
                    data.setlist(name, self.request.GET.getlist(name))
        return self.form_class(data, visible=self.visible(), **self.get_form_kwargs())

    def fixed_filters(self):
        """Filters the page itself imposes (the theme of a theme's page)."""
        return {}

    def get_queryset(self):
        self.form = self.get_form()
        self.form.is_valid()
        if self.form.filter_errors():
            return Testimony.objects.none()
        filters = {**self.form.filters(), **self.fixed_filters()}
        return (
            self.visible()
            .filter_by(**filters)
            .with_related()
            .order_by(*self.form.ordering())
        )

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        number = self.form.page_number()
        self.page_error = None
        if number is None:
            self.page_error = " ".join(self.form.errors["page"])
        else:
            try:
                page = paginator.page(number)
            except InvalidPage:
                self.page_error = ngettext(
                    "There is no page %(number)s: the list has %(pages)s page.",
                    "There is no page %(number)s: the list has %(pages)s pages.",
                    paginator.num_pages,
                ) % {"number": number, "pages": paginator.num_pages}
            else:
                return paginator, page, page.object_list, page.has_other_pages()
        return paginator, None, [], False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        path = self.request.path
        number = page.number if page else 1
        context.update(
            form=self.form,
            filter_errors=filter_messages(self.form),
            sort_error=self.form.errors.get("sort"),
            page_error=self.page_error,
            active_filters=self.active_filters(),
            first_page_url=self.url_without("page"),
            page_range=(
                page.paginator.get_elided_page_range(number, on_each_side=2)
                if page
                else []
            ),
            canonical_url=self.request.build_absolute_uri(
                f"{path}?page={number}" if number > 1 else path
            ),
            noindex=bool(self.form.errors) or not context["object_list"],
        )
        return context

    def url_without(self, *names):
        """The current address without the parameters ``names`` (nor the page)."""
        return url_without(self.request, *names)

    def active_filters(self):
        return active_filters(self.request, self.form, self.accepted_parameters)


def filter_messages(form):
    """Each error of the form's filters as one sentence, led by its label."""
    return [
        f"{form.fields[name].label}: {error}" if name != "__all__" else error
        for name, errors in form.filter_errors().items()
        for error in errors
    ]


def url_without(request, *names, value=None):
    """The current address without the parameters ``names`` (nor the page); with
    ``value``, without only that value of the one parameter ``names`` holds."""
    query = request.GET.copy()
    for name in {*names, "page"}:
        kept = [] if value is None or name == "page" else query.getlist(name)
        query.setlist(name, [given for given in kept if given != value])
        if not query.getlist(name):
            query.pop(name, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def active_filters(request, form, accepted=None):
    """The filters in the address, one entry per value, each with a label and a
    link removing that value (``accepted``: the parameters the page reads)."""
    cleaned = getattr(form, "cleaned_data", {})
    active = []
    for name in FilterForm.FILTER_FIELDS:
        if accepted is not None and name not in accepted:
            continue
        given = [raw for raw in request.GET.getlist(name) if raw.strip()]
        valid = name not in form.errors
        shown = {}
        if valid and name in FilterForm.SEVERAL:
            for value in cleaned.get(name) or []:
                if name in ("language", "available"):
                    shown[value] = language_name(value)
                else:
                    shown[value.slug] = value.name_in()
        for raw in given:
            active.append(
                {
                    "label": form.fields[name].label,
                    "value": shown.get(raw.strip(), raw[:100]),
                    "valid": valid,
                    "remove_url": url_without(request, name, value=raw),
                }
            )
    return active


def language_choices(visible):
    """The languages of the visible testimonies, named in the interface language."""
    codes = visible.order_by().values_list("language", flat=True).distinct()
    return _named(codes)


def available_choices(visible):
    """The languages the visible testimonies can be read in: their originals'
    and their translations'."""
    translated = Translation.objects.filter(testimony__in=visible.values("pk"))
    codes = {
        *visible.order_by().values_list("language", flat=True).distinct(),
        *translated.order_by().values_list("language", flat=True).distinct(),
    }
    return _named(codes)


def _named(codes):
    return sorted(((code, language_name(code)) for code in codes), key=lambda c: c[1])
