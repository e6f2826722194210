"""A recording on a testimony's page, played in Chromium: a cue seeks, the cue
being spoken is marked, ``?t=`` starts there, and axe finds nothing serious."""

import pytest

from testimonies.models import Cue, Testimony, Transcript

from ..factories import make_recording
from .test_accessibility import blocking_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUES = [(0, 5000, "Вы помните?"), (5000, 10000, "Подвал."), (10000, 19000, "Автобус.")]


@pytest.fixture
def recorded(demo):
    """A public demo testimony with a 20-second recording and its transcript."""
    testimony = (
        Testimony.objects.visible_to(None)
        .filter(content_warnings=[], language="ru")
        .order_by("identifier")
        .first()
    )
    recording = make_recording(testimony, seconds=20, access=Testimony.Access.PUBLIC)
    transcript = Transcript.objects.create(recording=recording, language="ru")
    for start, end, text in CUES:
        Cue.objects.create(
            transcript=transcript,
            start_ms=start,
            end_ms=end,
            speaker="Галина",
            text=text,
        )
    return recording


def muted(page):
    page.wait_for_function(
        "() => document.querySelector('[data-player]').readyState >= 1"
    )
    page.locator("[data-player]").evaluate("player => { player.muted = true; }")


def current_time(page):
    return page.evaluate("document.querySelector('[data-player]').currentTime")


def test_a_cue_plays_the_recording_from_its_time(page, recorded):
    errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and errors.append(message.text),
    )
    page.goto(recorded.testimony.get_absolute_url())
    muted(page)
    cue = page.locator(".transcript__cues li").nth(2)
    cue.locator("a.time").click()
    page.wait_for_function("document.querySelector('[data-player]').currentTime >= 10")
    assert 10 <= current_time(page) < 13
    assert page.evaluate("!document.querySelector('[data-player]').paused")
    page.wait_for_function(
        "() => document.querySelector('.transcript__cues li:nth-child(3)')"
        ".getAttribute('aria-current') === 'time'"
    )
    assert "t=10" in page.url and f"r={recorded.pk}" in page.url
    assert not [e for e in errors if "Content Security Policy" in e]


def test_the_keyboard_reaches_and_plays_a_cue(page, recorded):
    page.goto(recorded.testimony.get_absolute_url())
    muted(page)
    link = page.locator(".transcript__cues li").nth(1).locator("a.time")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('[data-player]').currentTime >= 5")
    assert 5 <= current_time(page) < 8


def test_t_in_the_address_starts_there(page, recorded):
    page.goto(f"{recorded.testimony.get_absolute_url()}?r={recorded.pk}&t=12")
    page.wait_for_function(
        "() => document.querySelector('[data-player]').readyState >= 1"
    )
    assert current_time(page) == pytest.approx(12, abs=0.5)


def test_no_serious_accessibility_problems_with_a_recording(
    axe_page, axe_source, recorded
):
    axe_page.goto(recorded.testimony.get_absolute_url())
    assert axe_page.locator("[data-player]").count() == 1
    assert blocking_violations(axe_page, axe_source) == []
