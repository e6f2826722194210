"""``{% takedown_form testimony %}``: the takedown request form of a testimony page."""

from django import template

from ..views.takedown import TakedownForm

register = template.Library()


@register.inclusion_tag("testimonies/_takedown.html", takes_context=True)
def takedown_form(context, testimony):
    return {
        "form": TakedownForm(),
        "testimony": testimony,
        "csrf_token": context.get("csrf_token"),
        "in_page": True,
    }
