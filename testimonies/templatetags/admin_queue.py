"""``{% work_queue %}``: the admin home's counts of what waits (admin.queue)."""

from django import template
from django.contrib import admin

from ..admin.queue import work_queue as waiting_for

register = template.Library()


@register.inclusion_tag("admin/testimonies/work_queue.html", takes_context=True)
def work_queue(context):
    return {"waiting": waiting_for(context["request"], admin.site)}
