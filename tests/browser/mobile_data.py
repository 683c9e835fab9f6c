"""A member's world with something on every page: articles (with covers), upcoming and past
activities with materials, forum threads with replies, notices, a change request. Used by
the mobile tests (offline, 大字模式, weight budget, accessibility, the look at every page)."""

from types import SimpleNamespace

from django.test import Client

from activities.services.materials import material_add
from forum.models import Board, Thread
from learning.services.articles import article_set_cover
from learning.services.saved import article_save
from learning.services.study import study_record_touch
from members.services.changes import change_request_submit
from members.services.devices import device_remember
from members.services.notices import Audience, notice_publish
from tests import factories
from tests.activities import factories as af
from tests.forum import factories as ff
from tests.learning import factories as lf

BODY = "".join(
    f"<h3>第{n}部分</h3><p>流动党员离乡不离党、流动不失联。"
    + "认真学习党章党规，自觉参加组织生活，按时交纳党费。" * 6
    + "</p>"
    for n in range(1, 4)
)


def build() -> SimpleNamespace:
    w = factories.build_world()
    member = w.member_a
    w.member = member
    w.county_staff_user = w.county_staff
    w.pinned = lf.article(
        w.county,
        audience=lf.A.COUNTY,
        category="announcement",
        title="关于开展流动党员信息集中核查工作的通知",
        pinned=True,
        required=True,
        summary="请各位流动党员于月底前登录流动e家核对个人档案信息。",
    )
    w.news = lf.article(
        w.county,
        audience=lf.A.PUBLIC,
        title="县委组织部赴深圳看望慰问三原籍流动党员",
        summary="送去家乡的问候，听取在外党员的意见建议。",
    )
    article_set_cover(actor=None, article=w.news, upload=lf.jpeg(color=(183, 20, 27)))
    lf.article(w.committee_a, category="highlight", title="城关街道：“一人一档”让管理有抓手")
    lf.article(
        w.county, audience=lf.A.COUNTY, category="exemplar", title="先锋党员：在工地上亮身份"
    )
    w.article = lf.article(
        w.county,
        audience=lf.A.COUNTY,
        category="theory",
        title="党员的八项义务和八项权利",
        body=BODY,
        summary="党章规定的党员义务和权利，逐条讲解。",
    )
    article_set_cover(actor=None, article=w.article, upload=lf.jpeg(color=(200, 120, 40)))
    study_record_touch(member=member, article=w.article)
    article_save(member=member, article=w.article)

    w.activity = af.activity(
        w.branch_a1,
        kind=af.K.THEME_DAY,
        title="十二月主题党日：重温入党誓词",
        agenda="一、重温入党誓词\n二、学习党章第一章\n三、交流在外务工体会",
        host_name="王建国",
    )
    w.material = material_add(
        user=w.staff_a,
        activity=w.activity,
        kind="study_material",
        title="党章第一章学习提纲",
        upload=af.pdf_upload("党章第一章学习提纲.pdf"),
    )
    material_add(
        user=w.staff_a,
        activity=w.activity,
        kind="document",
        title="关于加强流动党员管理的通知",
        body="<p>各支部要建立流动党员联系台账，每季度至少联系一次。</p>",
    )
    w.past = af.past(w.branch_a1, kind=af.K.GENERAL_MEETING, title="十月支部党员大会")
    material_add(
        user=w.staff_a,
        activity=w.past,
        kind="minutes",
        title="十月支部党员大会会议纪要",
        body="<p>会议传达学习了上级文件精神，讨论了流动党员管理办法。</p>",
    )

    w.thread = ff.thread(
        member.user,
        title="请问在外地怎么转组织关系？",
        body="我在深圳打工三年了，想把组织关系转到这边的流动党员党支部，需要准备什么材料？",
    )
    ff.reply(w.staff_a, w.thread, body="您好，请先联系流入地党组织开具接收函。")
    ff.thread(
        member.user,
        board=Board.REFLECTIONS,
        kind=Thread.Kind.STUDY_SUMMARY,
        title="十一月学习小结",
        body="本月学习了党章和八项规定，结合工作谈谈体会。",
    )

    notice_publish(
        audience=Audience.user(member.user),
        kind="activity",
        title="十二月主题党日将于三天后举行",
        body="请准时参加，不能参加的请在流动e家请假。",
        link=f"/activities/{w.activity.pk}/",
    )
    notice_publish(
        audience=Audience.user(member.user),
        kind="system",
        title="欢迎使用流动e家",
        body="离乡不离党，流动不失流。学习、活动、交流都在这里。",
    )
    # 记住我 on the member's phone: 登录设备 lists it, the login page greets the member.
    w.device_token = device_remember(
        user=member.user, user_agent="Mozilla/5.0 (Linux; Android 13; HUAWEI NOH-AN00)"
    )
    w.change_request = change_request_submit(
        member=w.member_b,
        changes={"employer": "深圳市宝安区某建筑公司"},
        reason="换了工作单位，申请更新档案。",
    )
    return w


def session_cookie(user) -> dict:
    """A signed-in session for `user` as a Playwright cookie (skips the login form)."""
    from tests.factories import login_staff

    client = Client()
    if user.is_staff:
        login_staff(
            client, user, backend=None
        )  # county staff: a session verified by a second factor
    else:
        client.force_login(user)
    value = client.cookies["sessionid"].value
    return {"name": "sessionid", "value": value, "path": "/", "httpOnly": True}


def sign_in(context, base_url: str, user) -> None:
    """As after the login form: the session, and the CSRF cookie the form had set (without
    it, the first page's forms and the service worker's fetch-ahead would each set a new
    one, and a form sent afterwards could carry the other's token)."""
    from django.conf import settings
    from django.utils.crypto import get_random_string

    cookie = session_cookie(user)
    cookie["url"] = base_url
    del cookie["path"]
    csrf = {"name": settings.CSRF_COOKIE_NAME, "value": get_random_string(32), "url": base_url}
    context.add_cookies([cookie, csrf])


def remember_phone(context, base_url: str, token: str) -> None:
    """The HttpOnly cookie 记住我 leaves on a phone (members.services.devices)."""
    from django.conf import settings

    context.add_cookies(
        [
            {
                "name": settings.MEMBER_REMEMBER_COOKIE,
                "value": token,
                "url": base_url,
                "httpOnly": True,
            }
        ]
    )
