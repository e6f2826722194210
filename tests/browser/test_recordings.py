"""The demo's recorded interview played in Chromium: a cue seeks, the cue being
spoken is marked, ``?t=`` starts there, and axe finds nothing serious."""

import pytest

from testimonies.models import Recording

from .test_accessibility import blocking_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def recorded(demo):
    """The demo's recorded interview in Russian (a synthetic voice), with its
    transcript's cue times as stored."""
    recording = Recording.objects.get(testimony__identifier="DEMO-RU-002")
    transcript = recording.transcripts.get(language="ru")
    recording.starts = [
        cue.start_ms / 1000 for cue in transcript.cues.order_by("start_ms")
    ]
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
    third = recorded.starts[2]
    page.wait_for_function(
        f"() => document.querySelector('[data-player]').currentTime >= {third}"
    )
    assert third <= current_time(page) < third + 3
    assert page.evaluate("!document.querySelector('[data-player]').paused")
    page.wait_for_function(
        "() => document.querySelector('.transcript__cues li:nth-child(3)')"
        ".getAttribute('aria-current') === 'time'"
    )
    assert f"t={int(third)}" in page.url and f"r={recorded.pk}" in page.url
    assert not [e for e in errors if "Content Security Policy" in e]


def test_the_keyboard_reaches_and_plays_a_cue(page, recorded):
    page.goto(recorded.testimony.get_absolute_url())
    muted(page)
    link = page.locator(".transcript__cues li").nth(1).locator("a.time")
    link.focus()
    page.keyboard.press("Enter")
    second = recorded.starts[1]
    page.wait_for_function(
        f"() => document.querySelector('[data-player]').currentTime >= {second}"
    )
    assert second <= current_time(page) < second + 3


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


def test_a_recording_fits_a_phone(phone, recorded):
    phone.goto(recorded.testimony.get_absolute_url())
    assert phone.locator("[data-player]").is_visible()
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 360


def test_a_moment_found_by_search_plays_from_its_second(page, recorded):
    """A word only the voice says: the search lists the moment, and its link
    opens the testimony playing from that cue, the cue marked."""
    page.goto("/search/?q=сухо")
    moment = page.locator(".search-hit__moments a").first
    assert "00:00:06" in moment.inner_text()
    moment.click()
    page.wait_for_url(f"**/testimonies/DEMO-RU-002/?r={recorded.pk}&t=6.218*")
    page.wait_for_function(
        "() => document.querySelector('[data-player]').readyState >= 1"
    )
    assert current_time(page) == pytest.approx(recorded.starts[2], abs=0.5)
    marked = page.locator(".transcript__cues li.is-match mark")
    assert marked.first.inner_text() == "сухо"
