"""The look at every page: the pages of the site, and checks a person would make by eye —
nothing sideways, no text cut off — plus the automated accessibility check (axe-core)."""

from pathlib import Path

from django.urls import reverse

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"

# Elements that cut their content (overflow hidden/clip) while it is wider than they are,
# or (with `vertical`) taller: text a person cannot read. Scrolling containers are fine.
CUT_OFF = """(vertical) => {
  const cut = [];
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (!el.textContent.trim() || el.closest('.visually-hidden, .act-sr-only, .forum-sr-only, .skip-link')) continue;
    const clipsX = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
    const clipsY = ['hidden', 'clip'].includes(style.overflowY);
    const wide = el.scrollWidth > el.clientWidth + 1;
    const tall = el.scrollHeight > el.clientHeight + 2;
    if ((clipsX && wide) || (vertical && clipsY && tall)) {
      cut.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')}: ${el.textContent.trim().slice(0, 30)}`);
    }
  }
  return cut;
}"""

SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => `${v.id} (${v.impact}): ${v.help} — ` +
      v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


def member_pages(w) -> list[tuple[str, str]]:
    article = reverse("learning:article", args=[w.article.pk])
    return [
        ("home", reverse("learning:home")),
        ("study", reverse("learning:study")),
        ("study-theory", reverse("learning:study") + "?category=theory"),
        ("article", article),
        ("my-study", reverse("learning:my-study")),
        ("regulations", reverse("learning:regulations")),
        ("activities", reverse("activities:list")),
        ("calendar", reverse("activities:calendar")),
        ("activity", reverse("activities:detail", args=[w.activity.pk])),
        ("activity-past", reverse("activities:detail", args=[w.past.pk])),
        ("forum", reverse("forum:threads")),
        ("forum-reflections", reverse("forum:threads") + "?board=reflections"),
        ("thread", reverse("forum:thread", args=[w.thread.pk])),
        ("thread-new", reverse("forum:thread-create")),
        ("forum-search", reverse("forum:search") + "?q=组织关系"),
        ("me", reverse("members:me")),
        ("my-archive", reverse("members:my-archive")),
        ("change-request", reverse("members:change-request-create")),
        ("my-history", reverse("members:my-history")),
        ("notices", reverse("members:notices")),
        ("notice-settings", reverse("members:notice-preferences")),
        ("my-devices", reverse("members:my-devices")),
        ("password-change", reverse("members:password-change")),
        ("logout-confirm", reverse("members:logout")),
        ("family-support", reverse("hometown:my-cases")),
        ("support-group", reverse("hometown:my-support-group")),
    ]


def visitor_pages() -> list[tuple[str, str]]:
    return [
        ("login", reverse("members:login")),
        ("login-staff", reverse("members:login") + "?as=staff"),
        ("activate", reverse("members:activate")),
        ("reset", reverse("members:reset")),
        ("privacy", reverse("members:privacy")),
        ("home-visitor", reverse("learning:home")),
        ("offline", reverse("pwa-offline")),
    ]


def remembered_phone_pages() -> list[tuple[str, str]]:
    """Pages as a visitor on a phone that remembers its member (记住我): the login page
    greets them by name and masked ID number and asks only for the password."""
    return [("login-remembered", reverse("members:login"))]


def staff_pages(w) -> list[tuple[str, str]]:
    return [
        ("staff-home", reverse("members:staff-home")),
        ("staff-members", reverse("members:staff-members")),
        ("staff-member", reverse("members:staff-member", args=[w.member.pk])),
        ("staff-roster", reverse("members:staff-roster-upload")),
        ("staff-change-requests", reverse("members:staff-change-requests")),
        (
            "staff-change-request",
            reverse("members:staff-change-request", args=[w.change_request.pk]),
        ),
        ("staff-contacts", reverse("members:staff-contacts-overdue")),
        ("staff-study", reverse("learning:staff-study")),
        ("staff-article", reverse("learning:staff-article-study", args=[w.article.pk])),
        ("staff-activities", reverse("activities:staff-list")),
        ("staff-activity-new", reverse("activities:staff-create")),
        ("staff-activity", reverse("activities:staff-detail", args=[w.activity.pk])),
        ("staff-attendance", reverse("activities:staff-attendance", args=[w.activity.pk])),
        ("staff-cadence", reverse("activities:staff-cadence")),
        ("staff-forum", reverse("forum:staff-queue")),
        ("staff-forum-reports", reverse("forum:staff-reports")),
        ("staff-forum-reflections", reverse("forum:staff-reflections")),
    ]


def look(page, path, *, vertical=False) -> list[str]:
    """Open `path`; what a person would call broken on it."""
    problems = []
    response = page.goto(path)
    if response is None or response.status >= 400:
        return [f"{path}: HTTP {response.status if response else '—'}"]
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{path}: scrolls sideways by {overflow}px")
    problems += [f"{path}: cut off: {item}" for item in page.evaluate(CUT_OFF, vertical)]
    return problems


def axe_violations(page) -> list[str]:
    assert AXE.exists(), f"{AXE} is missing: run `make browser-deps` (npm ci in tests/browser)"
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(SERIOUS)
