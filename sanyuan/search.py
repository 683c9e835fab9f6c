"""Chinese full-text search, the way Discourse does it.

PostgreSQL's `simple` configuration would take a whole Chinese clause as one token, and the
Chinese parsers are not packaged for Debian, so words are segmented in Python (rjieba, the
Rust jieba) and stored space-separated in a text column; PostgreSQL indexes
`to_tsvector('simple', column)` with GIN. A query is segmented the same way and every word is
required. On SQLite (the embedded first look) the same words are matched with LIKE.

Models keep a `search_text` TextField; their migration calls `gin_index_operation(...)`.
"""

import re
import unicodedata

import rjieba
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.migrations import RunPython
from django.db.models import Q, QuerySet

DOMAIN_WORDS = [
    "三会一课",
    "主题党日",
    "主题教育",
    "流动党员",
    "临时党支部",
    "党内法规",
    "思想汇报",
    "学习小结",
    "学习心得",
    "回馈标兵",
    "先锋党员",
    "后援团",
    "党支部",
    "党员大会",
    "支委会",
    "党小组会",
    "党课",
    "流入地",
    "流出地",
    "三原县",
    "就业培训",
]
for _word in DOMAIN_WORDS:
    rjieba.add_word(_word, None, None)

_TOKEN_RE = re.compile(r"[\w]+", re.UNICODE)
MAX_QUERY_WORDS = 8


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "").lower()
    words = []
    for token in rjieba.cut_for_search(text):
        token = token.strip()
        if token and _TOKEN_RE.fullmatch(token):
            words.append(token)
    return words


def segment(text: str) -> str:
    """The words of `text`, space-separated, for a `search_text` column."""
    return " ".join(_words(text))


def query_words(query: str) -> list[str]:
    """The words of a search box entry (deduplicated, at most MAX_QUERY_WORDS)."""
    seen: list[str] = []
    for word in _words(query[:200]):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_QUERY_WORDS]


def filter_fulltext(qs: QuerySet, query: str, field: str = "search_text") -> QuerySet:
    """Rows whose `field` contains every word of `query`; all rows if it has none."""
    words = query_words(query)
    if not words:
        return qs.none()
    if connection.vendor == "postgresql":
        raw = " & ".join("'" + word.replace("'", "''").replace("\\", "") + "'" for word in words)
        return qs.annotate(_search=SearchVector(field, config="simple")).filter(
            _search=SearchQuery(raw, config="simple", search_type="raw")
        )
    condition = Q()
    for word in words:
        condition &= (
            Q(**{f"{field}__contains": f" {word} "})
            | Q(**{f"{field}__startswith": f"{word} "})
            | Q(**{f"{field}__endswith": f" {word}"})
            | Q(**{field: word})
        )
    return qs.filter(condition)


def gin_index_operation(
    table: str, column: str = "search_text", name: str | None = None
) -> RunPython:
    """A migration operation creating the GIN index on PostgreSQL, doing nothing elsewhere.

    The indexed expression is exactly what `SearchVector(column, config="simple")` emits, so
    the planner uses the index."""
    index = name or f"{table}_{column}_gin"

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" USING gin '
                f"(to_tsvector('simple'::regconfig, COALESCE(\"{column}\", '')))"
            )

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')

    return RunPython(forward, backward, elidable=False)
