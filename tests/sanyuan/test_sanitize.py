import pytest

from sanyuan.sanitize import clean_html, html_to_text, plain_text_to_html

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">点我</a>',
    '<a href="JaVaScRiPt:alert(1)">点我</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">点我</a>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    "<math><mtext><script>alert(1)</script></mtext></math>",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onclick="alert(1)">段落</p>',
    "<<script>script>alert(1)<</script>/script>",
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<object data=x></object><embed src=x>",
    '<form action="https://evil.example"><input name=x></form>',
]


@pytest.mark.parametrize("payload", XSS)
def test_the_usual_payloads_lose_everything_that_can_run(payload):
    cleaned = clean_html(payload).lower()
    for bad in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "data:",
        "<svg",
        "<iframe",
        "<object",
        "<embed",
        "style=",
        "<form",
        "<input",
    ):
        assert bad not in cleaned, (payload, cleaned)


def test_rich_text_keeps_its_structure():
    source = (
        "<h2>标题</h2><p>段落<strong>加粗</strong></p><ul><li>一</li></ul>"
        '<table><tr><td colspan="2">表格</td></tr></table>'
        '<p><a href="https://www.gov.cn/">链接</a><img src="/files/a.jpg" alt="图"></p>'
    )
    cleaned = clean_html(source)
    for kept in (
        "<h2>",
        "<strong>",
        "<ul>",
        "<li>",
        "<table>",
        'colspan="2"',
        'href="https://www.gov.cn/"',
        'src="/files/a.jpg"',
        'rel="noopener noreferrer nofollow"',
    ):
        assert kept in cleaned
    assert clean_html(cleaned) == cleaned


def test_plain_text_is_escaped_and_links_become_clickable():
    out = plain_text_to_html("你好 <b>不加粗</b>\n见 https://www.gov.cn/zhengce 。\n\n第二段")
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert '<a href="https://www.gov.cn/zhengce"' in out
    assert out.count("<p>") == 2


def test_html_to_text_drops_tags_and_scripts():
    assert html_to_text("<p>学习<script>x()</script><b>党章</b></p>") == "学习党章"


TYPED = "第一段：外出务工要记得按时参加组织生活。\n\n第二段：请各位党员\n按时交纳党费。"


def test_rich_text_keeps_the_paragraphs_typed_as_plain_text():
    from sanyuan.sanitize import rich_text

    html = rich_text(TYPED.replace("\n", "\r\n"))
    assert html == (
        "<p>第一段：外出务工要记得按时参加组织生活。</p><p>第二段：请各位党员<br>按时交纳党费。</p>"
    )
    assert rich_text(html) == html  # idempotent
    assert rich_text("a < b\n\nc") == "<p>a &lt; b</p><p>c</p>"  # plain text is escaped


def test_rich_text_gives_inline_html_paragraphs_and_leaves_block_html_alone():
    from sanyuan.sanitize import rich_text

    inline = rich_text("<strong>通知</strong>\n\n正文<script>alert(1)</script>")
    assert inline == "<p><strong>通知</strong></p><p>正文</p>"
    block = "<p>甲</p>\n\n<p>乙</p>"
    assert rich_text(block) == clean_html(block)


@pytest.mark.parametrize("payload", XSS)
def test_rich_text_is_as_safe_as_clean_html(payload):
    from sanyuan.sanitize import rich_text

    cleaned = rich_text(payload).lower()
    assert "<script" not in cleaned and "javascript:" not in cleaned and "onerror" not in cleaned
