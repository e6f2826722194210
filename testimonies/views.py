from django.views.generic import DetailView, ListView

from .models import Testimony


class VisibleTestimoniesMixin:
    """Every public view starts from what the requesting user may see."""

    def get_queryset(self):
        return Testimony.objects.visible_to(self.request.user).with_related()


class HomeView(VisibleTestimoniesMixin, ListView):
    template_name = "testimonies/home.html"
    context_object_name = "testimonies"

    def get_queryset(self):
        return super().get_queryset().order_by("-published_at", "identifier")[:12]


class TestimonyListView(VisibleTestimoniesMixin, ListView):
    template_name = "testimonies/testimony_list.html"
    context_object_name = "testimonies"
    paginate_by = 20


class TestimonyDetailView(VisibleTestimoniesMixin, DetailView):
    template_name = "testimonies/testimony_detail.html"
    context_object_name = "testimony"
    slug_field = "identifier"
    slug_url_kwarg = "identifier"
