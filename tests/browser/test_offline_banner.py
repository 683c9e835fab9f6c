"""The line at the top announces only what was kept on the phone offline (issue 20, item 4):
study time sent online also goes through the outbox, and used to claim "离线时的 1 条记录已发送"
after almost every article read with a network. Chromium at 360×640; screenshots in
test-artifacts/screenshots/netbar-*.png."""

import pytest
from django.urls import reverse

from learning.models import StudyRecord
from tests.browser import mobile_data
from tests.browser.test_mobile_offline import CACHED, OUTBOX, _wait, _wait_db, _worker_ready

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 360, "height": 640}
NETBAR = "[data-netbar]"


def seconds_read(w) -> int:
    return StudyRecord.objects.get(member=w.member, article=w.article).seconds


def test_reading_online_never_claims_an_offline_record(context_for, screenshot):
    w = mobile_data.build()
    page = context_for(w.member.user, viewport=SMALL_PHONE).new_page()
    before = seconds_read(w)
    page.goto(reverse("learning:article", args=[w.article.pk]))
    page.wait_for_timeout(2500)  # reading
    page.goto(reverse("learning:home"))  # leaving the article queues the time read
    _wait_db(lambda: seconds_read(w) > before)
    _wait(page, f"() => ({OUTBOX})().length === 0")
    page.wait_for_load_state("load")
    bar = page.locator(NETBAR)
    assert bar.is_hidden(), bar.text_content()
    assert page.get_by_text("离线时的").count() == 0
    screenshot(page, "netbar-01-online-read-no-banner")


def test_time_read_offline_is_announced_once_sent(context_for, screenshot):
    w = mobile_data.build()
    context = context_for(w.member.user, viewport=SMALL_PHONE)
    page = context.new_page()
    article_url = reverse("learning:article", args=[w.article.pk])
    page.goto(article_url)
    _worker_ready(page)
    page.reload()
    _wait(page, CACHED, article_url)
    _wait(page, CACHED, reverse("learning:home"))
    before = seconds_read(w)

    context.set_offline(True)
    page.goto(article_url)
    page.wait_for_timeout(2500)  # reading, without a network
    page.goto(reverse("learning:home"))
    assert len(_wait(page, OUTBOX)) == 1
    assert "有 1 条记录待发送" in page.locator(NETBAR).text_content()

    context.set_offline(False)
    page.get_by_text("离线时的 1 条记录已发送。").wait_for()
    _wait_db(lambda: seconds_read(w) > before)
    screenshot(page, "netbar-02-offline-read-sent")
