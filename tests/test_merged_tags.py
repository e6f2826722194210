"""A merged theme or place keeps its address (a permanent redirect to the kept
one, never more than one hop, never a loop, never to a page the visitor may
not see) and its names (a search for them finds the kept tag's testimonies)."""

import re

import pytest
from django.urls import reverse

from testimonies.admin.merging import merge_tags, unused_tags
from testimonies.models import Place, Testimony, Theme
from testimonies.search import search

from .factories import (
    make_archivist,
    make_place,
    make_researcher,
    make_testimony,
    make_theme,
)

pytestmark = pytest.mark.django_db


def theme_url(slug):
    return reverse("testimonies:theme", args=[slug])


def assert_redirects_once(client, url, target):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == target
    assert client.get(target).status_code == 200


class TestAddresses:
    def test_a_merged_theme_leads_to_the_kept_one(self, client):
        kept = make_theme("Evacuation")
        gone = make_theme("Leaving home")
        make_testimony(themes=[kept])
        make_testimony(themes=[gone])
        merge_tags(kept, [gone])
        assert_redirects_once(client, theme_url("leaving-home"), theme_url(kept.slug))

    def test_the_page_and_sort_of_an_old_link_are_kept(self, client):
        kept, gone = make_theme("Evacuation"), make_theme("Leaving home")
        make_testimony(themes=[gone])
        merge_tags(kept, [gone])
        response = client.get(theme_url("leaving-home"), {"sort": "recorded"})
        assert response["Location"] == theme_url(kept.slug) + "?sort=recorded"

    def test_a_merged_place_with_a_cyrillic_name_leads_to_the_kept_one(self, client):
        kept = make_place("Sudzha")
        gone = make_place("Суджа")
        make_testimony(places=[gone])
        merge_tags(kept, [gone])
        assert gone.slug == "суджа"
        old = reverse("testimonies:place", args=[gone.slug])
        assert_redirects_once(
            client, old, reverse("testimonies:place", args=[kept.slug])
        )
        assert not Place.objects.filter(pk=gone.pk).exists()

    def test_a_chain_of_merges_ends_at_the_last_kept_tag_in_one_hop(self, client):
        a, b, c = make_theme("Alpha"), make_theme("Beta"), make_theme("Gamma")
        make_testimony(themes=[a])
        merge_tags(b, [a])  # alpha → beta
        merge_tags(c, [b])  # beta → gamma, and alpha with it
        assert_redirects_once(client, theme_url("alpha"), theme_url("gamma"))
        assert_redirects_once(client, theme_url("beta"), theme_url("gamma"))

    def test_an_address_used_again_is_the_new_tags_page_never_a_loop(self, client):
        a, c = make_theme("Alpha"), make_theme("Gamma")
        make_testimony(themes=[a])
        merge_tags(c, [a])  # alpha → gamma
        again = make_theme("Alpha")  # a new theme takes the freed address
        assert again.slug == "alpha"
        make_testimony(themes=[again])
        merge_tags(again, [c])  # gamma → the new alpha
        assert client.get(theme_url("alpha")).status_code == 200
        assert_redirects_once(client, theme_url("gamma"), theme_url("alpha"))

    def test_an_unknown_address_is_still_not_found(self, client):
        make_testimony(themes=["Evacuation"])
        assert client.get(theme_url("never-existed")).status_code == 404
        assert client.get(theme_url("エバキュエーション")).status_code == 404

    def test_no_redirect_to_a_tag_only_hidden_testimonies_carry(self, client):
        kept, gone = make_theme("Secret evacuation"), make_theme("Leaving home")
        make_testimony(themes=[kept], status=Testimony.Status.DRAFT)
        make_testimony(themes=[gone], access=Testimony.Access.RESEARCHERS)
        merge_tags(kept, [gone])
        # Answers as the kept one's own page does for each visitor.
        assert client.get(theme_url(kept.slug)).status_code == 404
        assert client.get(theme_url("leaving-home")).status_code == 404
        client.force_login(make_researcher())
        assert_redirects_once(client, theme_url("leaving-home"), theme_url(kept.slug))

    def test_merging_through_the_admin_keeps_the_address(self, client):
        from .test_admin import merge

        client.force_login(make_archivist())
        kept, gone = make_theme("Evacuation"), make_theme("Leaving home")
        make_testimony(themes=[gone])
        merge(client, [kept, gone], keep=kept)
        client.logout()
        assert_redirects_once(client, theme_url("leaving-home"), theme_url(kept.slug))

    def test_removing_an_unused_kept_tag_removes_its_old_addresses(self):
        kept, gone = make_theme("Evacuation"), make_theme("Leaving home")
        merge_tags(kept, [gone])
        assert list(unused_tags(Theme.objects.all())) == [kept]
        kept.delete()
        assert Theme.objects.merged_into("leaving-home") is None


class TestNames:
    def test_names_that_lost_to_the_kept_ones_become_alternative_names(self):
        kept = make_theme("Evacuation", names={"ru": "Эвакуация"})
        gone = make_theme(
            "Leaving home", names={"ru": "Уход из дома", "uk": "Виїзд з дому"}
        )
        merge_tags(kept, [gone])
        kept.refresh_from_db()
        assert kept.names == {"ru": "Эвакуация", "uk": "Виїзд з дому"}
        assert kept.alternative_names == ["Leaving home", "Уход из дома"]
        assert set(kept.all_names()) >= {"Leaving home", "Уход из дома"}

    def test_a_search_for_a_merged_name_finds_the_kept_tags_testimonies(self):
        kept = make_theme("Evacuation", names={"ru": "Эвакуация"})
        gone = make_theme("Departure", names={"ru": "Отъезд"})
        make_testimony(identifier="KEPT-1", title="A bus at dawn", themes=[kept])
        make_testimony(identifier="GONE-1", title="The last train", themes=[gone])
        make_testimony(identifier="OTHER-1", title="Unrelated", themes=["Aid"])
        merge_tags(kept, [gone])
        for word in ["Отъезд", "Departure"]:
            hits = search(Testimony.objects.visible_to(None), word).matching()
            found = sorted(hits.values_list("identifier", flat=True))
            assert found == ["GONE-1", "KEPT-1"], word

    def test_a_filter_by_the_old_slug_still_filters(self, client):
        kept, gone = make_theme("Evacuation"), make_theme("Departure")
        make_testimony(title="A bus at dawn", themes=[kept])
        make_testimony(title="The last train", themes=[gone])
        make_testimony(title="Unrelated", themes=["Aid"])
        merge_tags(kept, [gone])
        response = client.get("/testimonies/", {"theme": "departure"})
        assert response.status_code == 200
        page = response.content.decode()
        titles = re.findall(r'class="testimony-item__title"><a [^>]*>([^<]+)</a>', page)
        assert sorted(titles) == ["A bus at dawn", "The last train"]
        missing = client.get("/testimonies/", {"theme": "never-existed"})
        assert "There is no theme “never-existed”." in missing.content.decode()
