"""HTML from users, sanitised with nh3 (ammonia) on save, so that stored HTML is safe to show.

Rich text keeps structure (headings, paragraphs, lists, tables, images, links) and drops
everything that can run: scripts, event handlers, styles, `javascript:`/`data:` URLs, SVG.
"""

import html
import re

import nh3

RICH_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "br",
    "hr",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "blockquote",
    "pre",
    "code",
    "ul",
    "ol",
    "li",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "img",
    "a",
    "figure",
    "figcaption",
    "span",
}
RICH_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Tags removed together with their content (not just unwrapped).
DROP_WITH_CONTENT = {
    "script",
    "style",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "template",
    "noscript",
}


# Bidirectional overrides and isolates turn text around on screen ("‮gpj.exe" shows as
# "exe.jpg"); zero-width spaces and the BOM hide inside words. None belongs in user text.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\ufeff")
)


def strip_invisible(value: str) -> str:
    """User text without bidi overrides/isolates, zero-width spaces and BOMs (joiners kept:
    emoji sequences need them)."""
    return value.translate(_INVISIBLE) if value else value


def clean_html(value: str) -> str:
    """Sanitised rich text. Idempotent: cleaning clean HTML changes nothing."""
    if not value:
        return ""
    return nh3.clean(
        strip_invisible(value),
        tags=RICH_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=RICH_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


_URL_RE = re.compile(r"https?://[^\s<>\"'，。；！？、）)]+")


def plain_text_to_html(value: str) -> str:
    """Plain text as safe HTML: escaped, line breaks kept, http(s) links made clickable."""
    if not value:
        return ""
    escaped = html.escape(value.strip())

    def link(match: re.Match) -> str:
        url = match.group(0)
        return f'<a href="{url}">{url}</a>'

    paragraphs = [
        "<p>" + _URL_RE.sub(link, block).replace("\n", "<br>") + "</p>"
        for block in re.split(r"\n{2,}", escaped)
        if block.strip()
    ]
    return clean_html("".join(paragraphs))


_ANY_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_BLOCK_TAG = re.compile(r"<\s*(?:p|br|div|h[1-6]|ul|ol|li|table|blockquote|pre|figure|hr)\b", re.I)


def rich_text(value: str) -> str:
    """What staff typed in a rich-text box (an article's body, an activity material),
    sanitised, with the paragraphs they typed kept: the admin's box is plain, so text typed
    there (or pasted from a document) has line breaks, not <p>, and a phone showed it as one
    block. Text without tags becomes escaped paragraphs (plain_text_to_html); HTML with only
    inline tags gets paragraphs from its blank lines; HTML with paragraphs stays as it is.
    Idempotent, like clean_html."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not _ANY_TAG.search(value):
        return plain_text_to_html(value)
    if not _BLOCK_TAG.search(value):
        value = "".join(
            "<p>" + block.strip().replace("\n", "<br>") + "</p>"
            for block in re.split(r"\n\s*\n", value.strip())
            if block.strip()
        )
    return clean_html(value)


def html_to_text(value: str) -> str:
    """The visible text of (sanitised) HTML, for summaries and search."""
    if not value:
        return ""
    text = nh3.clean(value, tags=set(), clean_content_tags=DROP_WITH_CONTENT)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()
