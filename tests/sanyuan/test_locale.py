"""Chinese where Django's own zh_Hans catalogues stop: every admin string (templates and the
JavaScript widgets such as the 技能 selector) translates, and the project's catalogues in
LOCALE_PATHS are compiled from their .po files."""

import gettext
import json
import re
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.utils import translation

from tests import factories

DJANGO = Path(django.__file__).parent
ADMIN_JS = DJANGO / "contrib" / "admin" / "static" / "admin" / "js"
JS_MESSAGE = re.compile(r"""\b(?:gettext|ngettext)\(\s*(['"])((?:\\.|(?!\1).)*)\1""")


def po_entries(path: Path) -> dict[str, str]:
    """msgid → first msgstr of a .po file (enough for ours: no contexts)."""
    entries, current = {}, {}
    key = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current.get("msgid"):
                entries[current["msgid"]] = current.get("msgstr", "")
            current, key = {}, None
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line)
        if match:
            key = "msgstr" if match.group(1).startswith("msgstr") else match.group(1)
            current.setdefault(key, "")
            current[key] += match.group(2)
        elif line.startswith('"') and key:
            current[key] += line[1:-1]
    return {k.replace('\\"', '"'): v.replace('\\"', '"') for k, v in entries.items() if k}


def english_msgids(po: Path) -> list[str]:
    return [msgid for msgid in po_entries(po) if msgid]


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_compiled_catalogues_match_their_sources(domain):
    folder = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
    source = po_entries(folder / f"{domain}.po")
    with open(folder / f"{domain}.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert source
    for msgid, msgstr in source.items():
        got = compiled.ngettext(msgid, msgid, 1) if "%d" in msgid else compiled.gettext(msgid)
        assert got == msgstr, f"{domain}.mo is older than {domain}.po: run msgfmt ({msgid!r})"


def test_every_string_of_the_admin_templates_translates_to_chinese():
    english = DJANGO / "contrib" / "admin" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    with translation.override("zh-hans"):
        untranslated = [
            msgid
            for msgid in english_msgids(english)
            if "%(" not in msgid and translation.gettext(msgid) == msgid
        ]
    assert not untranslated, untranslated


def admin_js_messages() -> set[str]:
    messages = set()
    for path in ADMIN_JS.rglob("*.js"):
        if "vendor" in path.parts:
            continue
        for _, text in JS_MESSAGE.findall(path.read_text(encoding="utf-8")):
            messages.add(text.replace("\\'", "'").replace('\\"', '"'))
    return messages


@pytest.mark.django_db
def test_the_admin_javascript_catalogue_translates_every_widget_string(client, world):
    """/admin/jsi18n/ is what the selector of 技能 ("Choose all %s") and the calendar read."""
    factories.login_staff(client, world.county_staff)
    response = client.get("/admin/jsi18n/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 200
    body = response.content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", body, re.S).group(1))
    messages = admin_js_messages()
    assert "Choose all %s" in messages  # the scan finds the selector's strings
    missing = sorted(m for m in messages if m not in catalog)
    assert not missing, missing
    assert catalog["Choose all %s"] == "全选%s"
