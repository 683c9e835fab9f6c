"""The printed letter, as an organisation department will hold it: Chromium prints the page
to an A4 PDF (one page, Chinese text in WenQuanYi Micro Hei, the three parts), poppler turns
it into test-artifacts/transfers/letter.png for a person to look at."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import factories
from tests.browser.mobile_data import session_cookie
from tests.browser.test_security_headers import Watch
from tests.transfers import factories as tf
from transfers import services

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "transfers"
A4_POINTS = (595, 842)  # 210 × 297 mm


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: apt-get install poppler-utils")
    return path


def _letter(world):
    from members.models import Member

    Member.objects.filter(pk=world.member_a.pk).update(
        name="欧阳建国", ethnicity="回族", party_standing="probationary", phone="13709101234"
    )
    world.member_a.refresh_from_db()
    transfer = services.transfer_prepare(
        actor=world.staff_a,
        member=world.member_a,
        to_name="中共深圳市宝安区新安街道工作委员会",
        reason="在深圳工作生活已满两年，地点固定",
    )
    services.letter_issue(
        actor=world.county_staff,
        transfer=transfer,
        number="第SX-2026-00815号",
        validity_days=30,
        dues_paid_until="2026-11",
    )
    return transfer


def test_the_letter_prints_on_one_a4_page_in_three_parts(transactional_db, live_server, browser):
    world = tf.extend_world(factories.build_world())
    transfer = _letter(world)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / "letter.pdf"
    # The session is made before Playwright starts: ORM calls inside its event loop would
    # open a connection of their own that outlives the test.
    cookie = session_cookie(world.staff_a)
    cookie["url"] = live_server.url
    del cookie["path"]
    # The worker's one Playwright (a second sync_playwright() in the same process fails).
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    try:
        context.add_cookies([cookie])
        watch = Watch(context)  # no CSP violation, console error or failed request
        page = context.new_page()
        for url in ("/staff/transfers/", f"/staff/transfers/{transfer.pk}/"):
            watch.visit(page, url)
        watch.visit(page, f"/staff/transfers/{transfer.pk}/letter/")
        page.emulate_media(media="print")
        # Nothing is cut off at the bottom of the page (the sheet clips what overflows).
        overflow = page.evaluate(
            "() => { const sheet = document.querySelector('.sheet').getBoundingClientRect();"
            " const last = document.querySelector('.part--receipt .note')"
            ".getBoundingClientRect(); return last.bottom - sheet.bottom; }"
        )
        assert overflow <= 0, f"the receipt's last line overflows the page by {overflow}px"
        page.pdf(path=str(pdf_path), format="A4", print_background=True, prefer_css_page_size=True)
    finally:
        context.close()

    info = subprocess.run(
        [_tool("pdfinfo"), str(pdf_path)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    width, height = float(size.group(1)), float(size.group(2))
    assert (round(width), round(height)) == A4_POINTS

    fonts = subprocess.run(
        [_tool("pdffonts"), str(pdf_path)], capture_output=True, text=True, check=True
    ).stdout
    assert "WenQuanYi" in fonts or "wqy" in fonts.lower(), fonts

    text = subprocess.run(
        [_tool("pdftotext"), "-layout", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    compact = "".join(text.split())
    for expected in (
        "中国共产党党员组织关系介绍信（存根）",
        "中国共产党党员组织关系介绍信回执",
        "请转接组织关系",
        "第SX-2026-00815号",
        world.member_a.id_number,
        "欧阳建国",
        "回族",
        "预备",
        "贰零贰陆年壹拾壹月",
        "有效期叁拾天",
        "三原县城关街道党工委东关社区党支部",
        "中共深圳市宝安区新安街道工作委员会",
        "（盖章）",
        "骑缝章",
        "沿此线剪开",
        "回执联由接收党员组织关系的基层党委在接收党员后一个月内邮寄或传真至党员原所在基层党委",
    ):
        assert expected in compact, expected
    # Three numbered parts.
    assert compact.count("第SX-2026-00815号") == 3

    png_base = ARTIFACTS / "letter"
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", "110", "-singlefile", str(pdf_path), str(png_base)],
        check=True,
    )
    png = png_base.with_suffix(".png")
    from PIL import Image

    with Image.open(png) as image:
        assert abs(image.height / image.width - 297 / 210) < 0.01
        # Mostly paper, but with ink on it: not a blank page, not a page of boxes.
        grey = image.convert("L")
        dark = sum(grey.histogram()[:128])
        assert 0.01 < dark / (grey.width * grey.height) < 0.2
