"""What a person reads on a page, and the Latin words and region codes in it.

Used by the walk of every staff and admin page (tests/hardening/test_chinese_everywhere.py)
and by the browser test of the admin's JavaScript widgets: text nodes outside scripts and
styles, and the attributes people read (title, placeholder, aria-label, alt, the value of a
button). A Latin word is allowed only if it names a product, a format or an acronym staff
know (ALLOWED_WORDS); identifiers that are not words (URLs, masked ID numbers, organisation
codes, staff login names) are removed first by the caller's `identifiers`.
"""

import re
from html.parser import HTMLParser

# Product names, file formats, acronyms and keyboard keys a county office reads as they are.
ALLOWED_WORDS = frozenset(
    {
        "e",  # 流动e家, the product's name
        "API",
        "OpenAPI",
        "Excel",
        "Word",
        "PowerPoint",
        "PDF",
        "CSV",
        "xlsx",
        "csv",
        "JPG",
        "PNG",
        "WebP",
        "QR",
        "ID",
        "IP",
        "RSS",
        "Atom",
        "AppID",
        "Google",
        "Authenticator",
        "MB",
        "KB",
        "UTF",  # UTF-8, GB18030: the encodings a spreadsheet is saved in
        "GB",
        "Control",
        "Command",
        "Mac",
    }
)
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
SKIPPED_ELEMENTS = ("script", "style", "template", "noscript")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z]*")
SIX_DIGITS = re.compile(r"(?<![0-9*])[0-9]{6}(?![0-9*])")
URL = re.compile(r"(?:https?://|/)[\w\-./?=&%#:+~]*")
MASKED_ID_NUMBER = re.compile(r"[0-9]{6}\*{8}[0-9]{3}[0-9Xx]")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping = 0
        self._textarea = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self._skipping += 1
        if tag == "textarea":
            # What a textarea holds is the record's own text being edited, not the page's.
            self._textarea += 1
        values = dict(attrs)
        for name in READ_ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name])
        button = tag == "input" and values.get("type") in ("submit", "button", "reset")
        if button and values.get("value"):
            self.texts.append(values["value"])

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS and self._skipping:
            self._skipping -= 1
        if tag == "textarea" and self._textarea:
            self._textarea -= 1

    def handle_data(self, data):
        if not self._skipping and not self._textarea and data.strip():
            self.texts.append(data.strip())


def visible_texts(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.texts


def scrub(text: str, identifiers=()) -> str:
    """`text` without the identifiers that are not words: URLs and paths, masked ID numbers
    and the given identifiers (organisation codes, staff login names), longest first."""
    text = MASKED_ID_NUMBER.sub(" ", text)
    for identifier in sorted(identifiers, key=len, reverse=True):
        if identifier:  # case-insensitively: CSS may show a login name in capitals
            text = re.sub(re.escape(identifier), " ", text, flags=re.IGNORECASE)
    return URL.sub(" ", text)


def foreign_words(texts, identifiers=()) -> dict[str, str]:
    """Latin words outside the allow-list → the text they were found in (first one)."""
    found: dict[str, str] = {}
    for text in texts:
        for word in LATIN_WORD.findall(scrub(text, identifiers)):
            if word not in ALLOWED_WORDS:
                found.setdefault(word, text[:80])
    return found


def region_codes(texts, codes: set[str], identifiers=()) -> dict[str, str]:
    """Six-digit administrative division codes shown where their name belongs."""
    found: dict[str, str] = {}
    for text in texts:
        for number in SIX_DIGITS.findall(scrub(text, identifiers)):
            if number in codes:
                found.setdefault(number, text[:80])
    return found
