"""One adapter interface, two sources of the county public account's articles.

A WeChat official account has no feed of its own: either a self-hosted bridge (RSSHub and
the like) publishes it as RSS or Atom, or the official account API lists the published
articles (app id and secret from the environment). Each adapter turns its source into a list
of `FeedEntry`; syncing (dedupe, sanitising, the transaction) is the same for both.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .fetch import FetchError, fetch

MAX_ENTRIES = 100


@dataclass
class FeedEntry:
    entry_id: str
    title: str
    link: str = ""
    summary: str = ""
    body_html: str = ""
    published_at: datetime | None = None
    author: str = ""


class FeedAdapter:
    def entries(self, source) -> list[FeedEntry]:  # pragma: no cover - interface
        raise NotImplementedError


# RSS 2.0 and Atom ------------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"


def _text(element, tag) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None and found.text else ""


def _date(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_feed(data: bytes) -> list[FeedEntry]:
    """Entries of an RSS 2.0 or Atom document (parsed with defusedxml: no entities, no DTDs)."""
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise FetchError(f"订阅内容不是有效的 RSS/Atom：{type(exc).__name__}。") from exc
    entries: list[FeedEntry] = []
    if root.tag == f"{ATOM}feed":
        for item in root.findall(f"{ATOM}entry")[:MAX_ENTRIES]:
            link = ""
            for link_el in item.findall(f"{ATOM}link"):
                if link_el.get("rel", "alternate") == "alternate":
                    link = link_el.get("href", "")
                    break
            content = item.find(f"{ATOM}content")
            entries.append(
                FeedEntry(
                    entry_id=_text(item, f"{ATOM}id") or link,
                    title=_text(item, f"{ATOM}title"),
                    link=link,
                    summary=_text(item, f"{ATOM}summary"),
                    body_html=(content.text or "") if content is not None else "",
                    published_at=_date(
                        _text(item, f"{ATOM}published") or _text(item, f"{ATOM}updated")
                    ),
                    author=_text(item, f"{ATOM}author/{ATOM}name"),
                )
            )
    elif root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            raise FetchError("RSS 缺少 channel。")
        for item in channel.findall("item")[:MAX_ENTRIES]:
            link = _text(item, "link")
            description = _text(item, "description")
            entries.append(
                FeedEntry(
                    entry_id=_text(item, "guid") or link,
                    title=_text(item, "title"),
                    link=link,
                    summary=description if _text(item, CONTENT_ENCODED) else "",
                    body_html=_text(item, CONTENT_ENCODED) or description,
                    published_at=_date(_text(item, "pubDate")),
                    author=_text(item, DC_CREATOR) or _text(item, "author"),
                )
            )
    else:
        raise FetchError("订阅内容不是 RSS 或 Atom。")
    for entry in entries:
        if not entry.entry_id or not entry.title:
            raise FetchError("订阅中有缺少标识或标题的条目。")
    return entries


class RssAdapter(FeedAdapter):
    def entries(self, source) -> list[FeedEntry]:
        return parse_feed(fetch(source.url).body)


# The WeChat official account API ----------------------------------------------------------


def _wechat_json(result) -> dict:
    try:
        data = json.loads(result.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError("微信接口返回的不是有效的 JSON。") from exc
    if not isinstance(data, dict):
        raise FetchError("微信接口返回的格式无法识别。")
    if data.get("errcode"):
        raise FetchError(f"微信接口错误 {data.get('errcode')}：{data.get('errmsg', '')}"[:300])
    return data


class WechatAdapter(FeedAdapter):
    """The official account's published articles (freepublish/batchget), newest first."""

    TOKEN_CACHE_KEY = "learning:wechat-access-token"

    def _base(self) -> str:
        return settings.LEARNING_WECHAT_API_BASE.rstrip("/")

    def access_token(self) -> str:
        token = cache.get(self.TOKEN_CACHE_KEY)
        if token:
            return token
        app_id, secret = settings.LEARNING_WECHAT_APP_ID, settings.LEARNING_WECHAT_APP_SECRET
        if not app_id or not secret:
            raise FetchError("未配置微信公众号 AppID 和密钥（环境变量）。")
        query = urlencode({"grant_type": "client_credential", "appid": app_id, "secret": secret})
        data = _wechat_json(fetch(f"{self._base()}/cgi-bin/token?{query}"))
        token = data.get("access_token")
        if not token:
            raise FetchError("微信接口未返回 access_token。")
        expires = int(data.get("expires_in", 7200))
        cache.set(self.TOKEN_CACHE_KEY, token, timeout=max(expires - 300, 60))
        return token

    def entries(self, source) -> list[FeedEntry]:
        token = self.access_token()
        payload = json.dumps({"offset": 0, "count": 20, "no_content": 0}).encode()
        result = fetch(
            f"{self._base()}/cgi-bin/freepublish/batchget?{urlencode({'access_token': token})}",
            method="POST",
            body=payload,
            headers={"Content-Type": "application/json"},
        )
        data = _wechat_json(result)
        entries: list[FeedEntry] = []
        for item in data.get("item", [])[:MAX_ENTRIES]:
            article_id = str(item.get("article_id", ""))
            news = (item.get("content") or {}).get("news_item") or []
            when = item.get("update_time") or (item.get("content") or {}).get("create_time")
            published = (
                datetime.fromtimestamp(int(when), tz=UTC) if str(when or "").isdigit() else None
            )
            for index, news_item in enumerate(news):
                if news_item.get("is_deleted"):
                    continue
                entries.append(
                    FeedEntry(
                        entry_id=f"{article_id}:{index}",
                        title=str(news_item.get("title", "")).strip(),
                        link=str(news_item.get("url", "")),
                        summary=str(news_item.get("digest", "")),
                        body_html=str(news_item.get("content", "")),
                        published_at=published,
                        author=str(news_item.get("author", "")),
                    )
                )
        for entry in entries:
            if entry.entry_id.startswith(":") or not entry.title:
                raise FetchError("微信接口返回了缺少标识或标题的文章。")
        return entries


ADAPTERS = {"rss": RssAdapter, "wechat": WechatAdapter}


def adapter_for(source) -> FeedAdapter:
    return ADAPTERS[source.kind]()
