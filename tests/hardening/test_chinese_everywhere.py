"""A county staff member reading in zh-hans walks every staff page and every admin page they
may open (changelist, add and change view of each registered model) on the demo county, and
reads only Chinese: no Latin word outside the allow-list of product names and acronyms
(tests/visible_text.py), no six-digit region code where the region's name belongs, and no
member tab bar on any page a staff member reaches."""

import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from members.models import Member, Organization, Region, User
from tests import factories
from tests.visible_text import foreign_words, region_codes, visible_texts

pytestmark = pytest.mark.django_db

# Staff URLs with an object id: how the walk finds one (the newest in the county).
OBJECT_PAGES = {
    "members:staff-roster": "members.RosterImport",
    "members:staff-member": "members.Member",
    "members:staff-change-request": "members.ChangeRequest",
    "learning:staff-article-study": "learning.Article:published",
    "activities:staff-detail": "activities.Activity",
    "activities:staff-edit": "activities.Activity:published",
    "activities:staff-attendance": "activities.Activity:published",
    "members:staff-export": "members.ExportJob",
    "transfers:staff-detail": "transfers.Transfer",
    "appraisals:staff-detail": "appraisals.Appraisal",
    "appraisals:staff-paper-tally": "appraisals.Appraisal",
    "dues:staff-member": "dues.DuesAccount",
    "dues:staff-receipt": "dues.DuesReceipt",
    "hometown:staff-case": "hometown.SupportCase",
    "hometown:staff-campaign": "hometown.Campaign",
}
# Object pages named by another field than the id.
OBJECT_KEYS = {"hometown:staff-campaign": "year"}
# Staff URLs that are not pages: exports (checked by their own tests) and POST-only actions.
NOT_PAGES = {
    "members:staff-members-export",
    "members:staff-dashboard-export",
    "learning:staff-article-study-export",
    "activities:staff-attendance-export",
    "activities:staff-publish",
    "activities:staff-held",
    "activities:staff-cancel",
    "activities:staff-material-add",
    "activities:staff-material-delete",
    "activities:staff-attendance-reply",
    "forum:staff-report-resolve",
    "members:staff-export-download",
    # Forms opened from a member's page with ?member=… (their own tests walk them).
    "transfers:staff-request",
    "transfers:staff-prepare",
    # The printed letter and receipt: walked as a PDF page by tests/transfers/test_letter_pdf.py.
    "transfers:staff-letter",
    "transfers:staff-receipt",
    # The round's Excel export (tests/appraisals/test_pages.py reads it).
    "appraisals:staff-export",
    "hometown:staff-export",
    # POST only: the 输入报到码 form is on the hosting page, which is walked.
    "members:staff-hosting-code",
}
# Pages staff share with members and reach from the staff pages (answering in the forum,
# the inbox behind the bell, an article they published).
SHARED_PAGES = {
    "members:notices": None,
    "forum:threads": None,
    "forum:thread": "forum.Thread",
    "learning:article": "learning.Article:published",
}


def _routes(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(
                pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern)


def staff_page_names() -> dict[str, str | None]:
    """Every staff page by URL name → the model whose id it takes (None: no id)."""
    pages = {}
    for name, route in _routes(get_resolver().url_patterns):
        if not route.startswith("staff/") or name in NOT_PAGES:
            continue
        if "<" in route:
            assert name in OBJECT_PAGES, f"{name} ({route}): add it to OBJECT_PAGES or NOT_PAGES"
            pages[name] = OBJECT_PAGES[name]
        else:
            pages[name] = None
    return pages


def _newest(label: str, user):
    """The newest row of `app.Model`, or of those with a status (`app.Model:status`)."""
    from django.apps import apps

    label, _, status = label.partition(":")
    qs = apps.get_model(label)._default_manager.order_by("-pk")
    return (qs.filter(status=status) if status else qs).first()


def _objects_the_demo_lacks(staff) -> None:
    """A roster dry run with a bad row and a staff-issued code, so that their pages show."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from members.services.accounts import one_time_code_issue
    from members.services.imports import roster_upload

    member = Member.objects.filter(user__isnull=True).order_by("pk").first()
    rows = "姓名,身份证号码,手机号码,党组织代码\r\n赵新民,610422199001011234,1380000,610422-01\r\n"
    roster_upload(
        actor=staff,
        uploaded_file=SimpleUploadedFile("花名册.csv", rows.encode("utf-8-sig"), "text/csv"),
    )
    one_time_code_issue(staff=staff, member=member, reason="手机号已停用", ip="10.0.0.1")
    from datetime import timedelta

    from django.utils import timezone

    from members.models import ExportJob

    _dues(staff)
    ExportJob.objects.create(
        kind="members.archive",
        title="流动党员名册",
        requested_by=staff,
        status=ExportJob.Status.DONE,
        rows=2400,
        expires_at=timezone.now() + timedelta(days=1),
    )


def _dues(staff) -> None:
    """A dues account with a declared base and an offline payment (the demo has no dues)."""
    from django.utils import timezone

    from dues import services as dues

    member = Member.objects.filter(user__isnull=False).order_by("pk").first()
    dues.account_set(actor=staff, member=member, dues_category="wage")
    dues.base_set(actor=staff, member=member, year=timezone.localdate().year, base_fen=420_000)
    dues.payment_record(
        actor=staff, member=member, months=2, method="cash", paid_on=timezone.localdate()
    )


@pytest.fixture
def county():
    call_command("seed_demo", "--members", "40", "--seed", "11")
    staff = User.objects.get(username="county_admin")
    _objects_the_demo_lacks(staff)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    factories.login_staff(client, staff)
    from dues.models import DuesReceipt
    from transfers.models import IntroductionLetter

    identifiers = {
        *Organization.objects.values_list("code", flat=True),
        *User.objects.filter(is_staff=True).values_list("username", flat=True),
        # Letter numbers come from the provincial platform (e.g. SX2026-6104220003).
        *IntroductionLetter.objects.values_list("number", flat=True),
        # Dues receipt numbers (DF + date + a random part) identify a payment.
        *DuesReceipt.objects.values_list("number", flat=True),
    }
    codes = set(Region.objects.values_list("code", flat=True))
    assert len(codes) > 3000, "the region table (migration 0005) is empty"
    return staff, client, identifiers, codes


ADMIN_OBJECT_LINK = re.compile(r'href="(/admin/[a-z_]+/[a-z_]+/\d+/change/)"')


def _read(client, url, identifiers, codes, links=None) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    if links is not None:
        links.update((link, url) for link in ADMIN_OBJECT_LINK.findall(html))
    texts = visible_texts(html)
    problems = []
    for word, where in foreign_words(texts, identifiers).items():
        problems.append(f"{url}: “{word}” in “{where}”")
    for code, where in region_codes(texts, codes, identifiers).items():
        problems.append(f"{url}: region code {code} in “{where}”")
    if 'class="tabbar"' in html:
        problems.append(f"{url}: the member tab bar")
    return problems


def _arrival_query() -> str:
    """The arrival page is reached by scanning a member's QR card."""
    from members.services.hosting import hosting_qr_token

    return "?token=" + hosting_qr_token(member=Member.objects.order_by("pk").first())


def _member_query() -> str:
    """Opening a family support case starts from a member's page."""
    return f"?member={Member.objects.order_by('pk').first().pk}"


# Pages that need a query string to show their content.
def _dues_ledger_query() -> str:
    """A branch's dues ledger is opened for one organisation."""
    member = Member.objects.filter(dues_account__isnull=False).order_by("pk").first()
    return f"?organization={member.organization_id}"


PAGE_QUERIES = {
    "members:staff-hosting-arrive": _arrival_query,
    "dues:staff-ledger": _dues_ledger_query,
    "hometown:staff-case-open": _member_query,
}


def _page_urls(pages: dict, staff) -> list[str]:
    urls = []
    for name, label in pages.items():
        if label is None:
            query = PAGE_QUERIES[name]() if name in PAGE_QUERIES else ""
            urls.append(reverse(name) + query)
        else:
            obj = _newest(label, staff)
            assert obj is not None, f"the demo county has no {label} for {name}"
            urls.append(reverse(name, args=[getattr(obj, OBJECT_KEYS.get(name, "pk"))]))
    return urls


def test_every_staff_page_reads_in_chinese(county):
    staff, client, identifiers, codes = county
    problems = []
    for url in _page_urls({**staff_page_names(), **SHARED_PAGES}, staff):
        problems += _read(client, url, identifiers, codes)
    assert not problems, "\n".join(problems)


def admin_urls(user) -> list[str]:
    """Changelist, add view and the change view of the newest row of every registered model
    the user may open."""
    request = RequestFactory().get("/admin/")
    request.user = user
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_module_permission(request):
            continue
        if not model_admin.has_view_or_change_permission(request):
            continue
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        obj = model_admin.get_queryset(request).order_by("-pk").first()
        if obj is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
            urls.append(reverse("admin:{}_{}_history".format(*info), args=[obj.pk]))
        urls.append(reverse("admin:app_list", args=[model._meta.app_label]))
    return list(dict.fromkeys(urls))


def test_every_admin_page_the_county_staff_may_open_reads_in_chinese(county):
    """…and every link to another record they find there opens (an author's link went to
    the account page, which answers 403 to staff)."""
    staff, client, identifiers, codes = county
    problems, links = [], {}
    for url in admin_urls(staff):
        on_record = url.endswith("/change/")  # a record's page links to related records
        problems += _read(client, url, identifiers, codes, links if on_record else None)
    assert links, "the walk found no links between records"
    for link, page in links.items():
        status = client.get(link).status_code
        if status != 200:
            problems.append(f"{page}: the link {link} answers {status}")
    assert not problems, "\n".join(problems)


def test_the_walk_finds_english_and_region_codes():
    """The reader itself: a page with an English label and a code where a name belongs."""
    html = (
        '<p title="Choose all">技能</p><button>保存</button><script>var x = "Hidden";</script>'
        "<td>440300</td><td>导出Excel</td><td>610422********001X</td>"
    )
    texts = visible_texts(html)
    assert set(foreign_words(texts)) == {"Choose", "all"}
    assert set(region_codes(texts, {"440300", "610422"})) == {"440300"}
