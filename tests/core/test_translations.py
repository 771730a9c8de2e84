"""The default language is Simplified Chinese: the catalogue is complete and pages come out in Chinese."""

from pathlib import Path

import polib
from django.urls import reverse

import weijian

CATALOGUE = Path(weijian.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_chinese_translation():
    po = polib.pofile(str(CATALOGUE))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_pages_are_chinese_by_default_and_english_on_request(world, login):
    client = login(world.users["township_staff"])
    assert "医疗机构" in client.get(reverse("registry:institution_list")).content.decode()
    english = client.get(reverse("registry:institution_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Institutions" in english.content.decode()
