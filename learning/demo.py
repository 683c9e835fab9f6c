"""Demo data for the learning library: ~40 articles across every category (pinned
announcements, party regulations, training offers with skills), covers, a feed source, and
study records of the demo members. Deterministic for a given seed."""

import io
import random
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from members.models import Member, Organization, Skill
from members.services.archive import member_engagement_touch

from .models import Article, FeedSource, StudyRecord
from .services.articles import ArticleInput, article_create, article_set_cover

C = Article.Category
A = Article.Audience

SKILLS = [
    ("电焊", "制造加工"),
    ("电工", "制造加工"),
    ("数控机床", "制造加工"),
    ("驾驶", "交通运输"),
    ("厨师", "生活服务"),
    ("家政", "生活服务"),
    ("养殖", "农业"),
    ("种植", "农业"),
    ("建筑施工", "建筑"),
    ("电子商务", "商贸"),
    ("维修", "生活服务"),
]
DESTINATIONS = ["440000", "440000", "320000", "330000", "310000", "110000", "510000", "620000"]


def _paragraphs(*texts: str) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


# (category, title, summary, body paragraphs, options)
ARTICLES = [
    (
        C.ANNOUNCEMENT,
        "关于开展2026年度流动党员信息集中核查工作的通知",
        "请各基层党（工）委于12月20日前完成辖区流动党员信息核查，党员本人可在“我的档案”中提交修改申请。",
        [
            "为进一步摸清流动党员底数，做到“四清楚”，县委组织部决定在全县开展流动党员信息集中核查。",
            "一、核查内容：党员基本信息、流出时间和地点、流入地党组织、联系方式、从事职业及技能。",
            "二、时间安排：12月1日至12月20日。请各基层党（工）委逐人核对，发现信息有误的，指导党员通过“流动e家”提交修改申请和依据。",
            "三、工作要求：严禁以任何形式泄露党员个人信息，核查结果于12月25日前报县委组织部组织科。",
        ],
        {"pinned": True, "required": True},
    ),
    (
        C.ANNOUNCEMENT,
        "关于春节期间返乡流动党员参加主题党日活动的通知",
        "春节期间返乡的流动党员，请就近参加村（社区）党支部组织的主题党日活动。",
        [
            "春节将至，大批在外务工的流动党员将陆续返乡。各村（社区）党支部要提前摸排返乡党员名单，于腊月二十六至正月初八期间组织一次主题党日活动。",
            "活动内容包括：学习党的二十届四中全会精神、通报村级发展情况、听取返乡党员意见建议、开展志愿服务。",
            "不能返乡的党员，可通过流入地临时党支部或网络临时党支部参加线上学习。",
        ],
        {"pinned": True},
    ),
    (
        C.ANNOUNCEMENT,
        "“流动e家”平台上线运行的公告",
        "流动党员可用姓名和身份证号激活电子档案，在手机上学习、参加活动、反映诉求。",
        [
            "为服务在外流动党员，县委组织部建设的“同心三原 流动e家”平台正式上线运行。",
            "流动党员首次使用时，输入姓名、身份证号码和短信验证码即可激活本人电子档案；手机号码已更换的，请联系所在党支部由工作人员签发验证码。",
            "平台设有学习、组织活动、党员论坛等栏目，欢迎广大流动党员登录使用。",
        ],
        {"pinned": True, "audience": A.PUBLIC},
    ),
    (
        C.ANNOUNCEMENT,
        "关于按时足额交纳党费的提醒",
        "请流动党员通过线上渠道按月交纳党费，有困难的及时向所在党支部说明。",
        [
            "按时交纳党费是党员的基本义务。在外流动党员可通过所在党支部提供的线上渠道按月交纳。",
            "工资收入发生变化的，请及时通过平台提交修改申请，党支部将据此核定交纳标准。",
        ],
        {},
    ),
    (
        C.ANNOUNCEMENT,
        "城关街道党工委关于召开流动党员线上座谈会的通知",
        "定于本月第三个周六晚8点召开线上座谈会，听取在外党员对家乡发展的意见建议。",
        [
            "为加强与在外流动党员的联系，城关街道党工委定于本月第三个周六晚8点召开线上座谈会。",
            "请各社区党支部通知本支部流动党员准时参加，会议链接将通过平台消息发送。",
        ],
        {"organization": "610422-01", "audience": A.SUBTREE},
    ),
    (
        C.NEWS,
        "县委组织部赴深圳看望慰问三原籍流动党员",
        "慰问组召开座谈会，为在深三原籍党员送去家乡的问候。",
        [
            "近日，县委组织部慰问组赴深圳市宝安区，看望慰问在深务工的三原籍流动党员。",
            "座谈会上，大家畅谈在外工作生活情况，为家乡发展建言献策。慰问组详细介绍了家乡近年来的发展变化和“流动e家”平台的使用方法。",
            "慰问组表示，将持续加强与流入地党组织的协作，让在外党员“离乡不离党、流动不失联”。",
        ],
        {"cover": (183, 20, 27), "audience": A.PUBLIC},
    ),
    (
        C.NEWS,
        "三原县在深圳成立流动党员临时党支部",
        "在深务工的42名三原籍党员编入临时党支部，就近参加组织生活。",
        [
            "经县委组织部批准，三原县驻深圳流动党员临时党支部日前成立，42名在深务工的三原籍党员编入支部。",
            "临时党支部将定期组织学习、开展志愿服务，并协助家乡党组织做好流动党员的联系服务工作。",
        ],
        {"cover": (200, 120, 40), "audience": A.PUBLIC},
    ),
    (
        C.NEWS,
        "全县流动党员工作推进会召开",
        "会议总结前一阶段工作，部署信息核查、线上学习和返乡创业服务等重点任务。",
        [
            "11月18日，全县流动党员工作推进会召开。会议总结了今年以来流动党员教育管理工作，部署了下一阶段重点任务。",
            "会议要求，各基层党（工）委要把流动党员工作纳入党建工作责任制，做到底数清、情况明、服务实。",
        ],
        {"cover": (90, 30, 30)},
    ),
    (
        C.NEWS,
        "陵前镇组织返乡党员参观乡村振兴示范点",
        "返乡党员实地参观合作社和产业园，纷纷表示要为家乡发展出一份力。",
        [
            "国庆期间，陵前镇党委组织返乡流动党员参观了镇上的乡村振兴示范点。",
            "党员们先后来到葡萄种植合作社、农产品电商服务中心，详细了解产业发展情况。",
        ],
        {"organization": "610422-07", "audience": A.SUBTREE, "cover": (60, 120, 60)},
    ),
    (
        C.NEWS,
        "我县流动党员积极参与流入地社区志愿服务",
        "在苏州、杭州等地的三原籍党员主动亮明身份，参与社区治理。",
        [
            "在江苏苏州、浙江杭州等地务工的三原籍流动党员，主动到居住地社区报到，亮明党员身份。",
            "他们积极参加社区防汛、文明劝导等志愿服务，受到流入地党组织好评。",
        ],
        {},
    ),
    (
        C.HIGHLIGHT,
        "陂西镇：“一人一档”让流动党员管理有抓手",
        "陂西镇为每名流动党员建立电子档案，每月联系一次，实现动态管理。",
        [
            "陂西镇党委以电子档案为抓手，为全镇136名流动党员逐人建档，记录流出地点、从事职业、联系方式等信息。",
            "镇党委明确每名支部委员联系5至8名流动党员，每月至少联系一次，联系情况录入平台。",
            "今年以来，该镇流动党员参加线上学习率达到95%以上。",
        ],
        {"cover": (140, 30, 60)},
    ),
    (
        C.HIGHLIGHT,
        "独李镇：网络临时党支部让组织生活“不断线”",
        "独李镇依托网络临时党支部，每月开展线上主题党日。",
        [
            "针对流动党员分布散、集中难的实际，独李镇建立网络临时党支部，每月固定开展一次线上主题党日。",
            "支部通过平台发布学习资料、记录学习情况，确保每名流动党员都能按时参加组织生活。",
        ],
        {},
    ),
    (
        C.HIGHLIGHT,
        "鲁桥镇：建立返乡流动党员“回流”服务站",
        "服务站为返乡党员提供组织关系接转、就业创业指导等一站式服务。",
        [
            "鲁桥镇在镇党群服务中心设立返乡流动党员服务站，提供组织关系接转、政策咨询、就业创业指导等服务。",
            "服务站运行以来，已帮助20余名返乡党员实现就地就业或创业。",
        ],
        {"cover": (30, 80, 140)},
    ),
    (
        C.CURRENT_AFFAIRS,
        "深入学习贯彻党的二十届四中全会精神",
        "全会审议通过了关于制定国民经济和社会发展第十五个五年规划的建议。",
        [
            "党的二十届四中全会在北京举行。全会听取和讨论了关于制定国民经济和社会发展第十五个五年规划的建议的说明。",
            "各级党组织要把学习贯彻全会精神作为当前和今后一个时期的重要政治任务，流动党员要结合自身实际认真学习。",
        ],
        {"required": True, "audience": A.PUBLIC},
    ),
    (
        C.CURRENT_AFFAIRS,
        "一图读懂2026年稳就业政策措施",
        "国家出台多项稳就业政策，重点支持农民工、高校毕业生等群体就业。",
        [
            "今年以来，国家出台了一系列稳就业政策措施，加大对农民工等重点群体的就业支持力度。",
            "在外务工党员可关注流入地人社部门发布的职业技能培训补贴、创业担保贷款等政策。",
        ],
        {},
    ),
    (
        C.CURRENT_AFFAIRS,
        "关注农民工工资支付保障新规",
        "新规进一步明确工程建设领域工资专用账户和总包代发制度。",
        [
            "保障农民工工资支付事关广大务工人员切身利益。新规明确了工资专用账户、总包单位代发工资等制度。",
            "遇到欠薪问题，可拨打12333或通过“流动e家”论坛反映诉求，党组织将协调帮助解决。",
        ],
        {},
    ),
    (
        C.THEORY,
        "党员的八项义务和八项权利",
        "党章规定了党员必须履行的义务和享有的权利，流动党员同样适用。",
        [
            "党章第三条规定了党员必须履行的八项义务，第四条规定了党员享有的八项权利。",
            "流动党员无论走到哪里，都要牢记党员身份，自觉履行党员义务，正确行使党员权利。",
            "<strong>义务之一：</strong>认真学习马克思列宁主义、毛泽东思想、邓小平理论、“三个代表”重要思想、科学发展观、习近平新时代中国特色社会主义思想。",
        ],
        {"required": True},
    ),
    (
        C.THEORY,
        "什么是“三会一课”制度",
        "“三会一课”是党的组织生活的基本制度，流动党员可以线上参加。",
        [
            "“三会一课”是指定期召开支部党员大会、支部委员会、党小组会，按时上好党课。",
            "支部党员大会一般每季度召开一次，支部委员会一般每月召开一次，党小组会一般每月召开一次，党课一般每季度至少一次。",
        ],
        {"audience": A.PUBLIC},
    ),
    (
        C.THEORY,
        "流动党员如何参加组织生活",
        "流动党员可在流入地党组织、临时党支部或通过网络参加组织生活。",
        [
            "流动党员外出前，应向所在党支部报告外出去向和联系方式，领取《流动党员活动证》。",
            "到达流入地后，应主动与流入地党组织联系，持证参加组织生活；暂不具备条件的，可参加网络临时党支部活动。",
        ],
        {},
    ),
    (
        C.THEORY,
        "党史上的今天：遵义会议",
        "遵义会议是党的历史上一个生死攸关的转折点。",
        [
            "1935年1月，中共中央政治局在贵州遵义召开扩大会议，史称遵义会议。",
            "遵义会议在最危急的关头挽救了党、挽救了红军、挽救了中国革命，是党的历史上一个生死攸关的转折点。",
        ],
        {},
    ),
    (
        C.HOMETOWN,
        "三原县2026年重点项目建设进展顺利",
        "全县42个重点项目完成投资超过年度计划，产业园区建设提速。",
        [
            "今年以来，全县42个重点项目建设进展顺利，累计完成投资超过年度计划。",
            "三原高新区新入驻企业15家，带动就业2000余人，为返乡创业就业提供了更多机会。",
        ],
        {"cover": (120, 90, 30), "audience": A.PUBLIC},
    ),
    (
        C.HOMETOWN,
        "家乡的变化：清峪河畔建起生态公园",
        "清峪河生态公园建成开放，成为群众休闲的好去处。",
        [
            "经过两年建设，清峪河生态公园正式建成开放，沿河步道、健身广场、湿地景观一应俱全。",
            "在外的乡亲们，欢迎回家看看！",
        ],
        {"audience": A.PUBLIC},
    ),
    (
        C.HOMETOWN,
        "后援团在行动：在外党员为家乡捐建图书室",
        "“家乡后援团”成员筹资为三所村小捐建图书室。",
        [
            "由在外流动党员自发组成的“家乡后援团”，今年筹资为三所村小学捐建了图书室，捐赠图书3000余册。",
            "后援团负责人表示，虽然身在外地，但始终心系家乡，愿为家乡教育事业尽一份力。",
        ],
        {},
    ),
    (
        C.EXEMPLAR,
        "先锋党员王建军：在深圳工地上亮身份、作表率",
        "王建军在工地组建党员突击队，带领工友完成抢险任务。",
        [
            "王建军是大程镇流动党员，在深圳一家建筑公司担任施工班组长。",
            "今年汛期，工地突发险情，他第一时间组织工地上的党员组成突击队，连夜完成排水抢险任务。",
            "他说：“在外面干活，更不能忘了自己是一名党员。”",
        ],
        {"cover": (170, 60, 20), "audience": A.PUBLIC},
    ),
    (
        C.EXEMPLAR,
        "回馈标兵李秀兰：返乡创业带富乡亲",
        "在外务工十年后，李秀兰返乡创办电商合作社，带动30余户增收。",
        [
            "李秀兰曾在杭州从事电商运营工作十年。三年前，她返回家乡创办农产品电商合作社。",
            "合作社通过网络销售家乡的苹果、葡萄等农产品，带动30余户村民年均增收万余元。",
        ],
        {"cover": (200, 80, 90)},
    ),
    (
        C.EXEMPLAR,
        "优秀典型案例：流入地与流出地党组织协同管理",
        "三原县与深圳市宝安区建立党建协作机制，实现流动党员“双向管理”。",
        [
            "三原县与深圳市宝安区签订党建协作协议，建立流动党员信息共享、活动共办、困难共帮机制。",
            "协作机制运行一年来，在宝安的三原籍党员参加组织生活率明显提高。",
        ],
        {},
    ),
    (
        C.TRAINING,
        "西安技师学院电焊工（中级）免费培训班招生",
        "面向有电焊基础的流动党员，培训合格颁发职业技能等级证书。",
        [
            "西安技师学院将于下月开办电焊工（中级）培训班，学制30天，培训费用由就业补助资金承担。",
            "培训内容：焊接安全、手工电弧焊、二氧化碳气体保护焊实操。培训合格者颁发职业技能等级证书，并推荐就业。",
            "报名方式：联系所在党支部或拨打县人社局就业服务中心电话。",
        ],
        {"skills": ["电焊"], "provinces": []},
    ),
    (
        C.TRAINING,
        "广东省2026年低压电工作业证复审培训",
        "在粤务工、持有低压电工证的党员请关注复审时间。",
        [
            "广东省应急管理部门将于近期组织低压电工作业证复审培训，持证人员须在证件到期前完成复审。",
            "在粤务工的三原籍党员可就近报名，培训费用可申请补贴。",
        ],
        {"skills": ["电工"], "provinces": ["440000"]},
    ),
    (
        C.TRAINING,
        "家政服务员（育婴方向）技能提升培训",
        "面向从事家政服务的流动党员，提供育婴员职业技能培训。",
        [
            "县妇联联合县人社局开办家政服务员（育婴方向）技能提升培训班，共60课时。",
            "培训结束后统一组织职业技能鉴定，合格者可推荐到北京、上海等地家政企业就业。",
        ],
        {"skills": ["家政"], "provinces": ["110000", "310000"]},
    ),
    (
        C.TRAINING,
        "农村电商带头人培训班开班",
        "面向有意返乡发展电商的流动党员，提供直播带货、网店运营培训。",
        [
            "县商务局举办农村电商带头人培训班，内容包括网店运营、直播带货、农产品品牌打造等。",
            "欢迎有意返乡创业的流动党员报名参加。",
        ],
        {"skills": ["电子商务", "种植"], "provinces": []},
    ),
    (
        C.TRAINING,
        "江苏省驾驶员从业资格培训信息",
        "在苏务工、从事道路运输的党员可参加从业资格培训。",
        [
            "江苏省道路运输从业人员从业资格培训按月开班，在苏从事货运、客运的驾驶员可就近报名。",
        ],
        {"skills": ["驾驶"], "provinces": ["320000"]},
    ),
]

REGULATIONS = [
    (
        "中国共产党章程",
        "中国共产党全国代表大会",
        "",
        date(2022, 10, 22),
        "中国共产党第二十次全国代表大会部分修改，2022年10月22日通过。",
    ),
    (
        "中国共产党纪律处分条例",
        "中共中央",
        "中发〔2023〕19号",
        date(2024, 1, 1),
        "2023年12月8日中共中央政治局会议审议批准，2023年12月19日中共中央发布。",
    ),
    (
        "中国共产党支部工作条例（试行）",
        "中共中央",
        "中发〔2018〕29号",
        date(2018, 10, 28),
        "党支部是党的基础组织，是党在社会基层组织中的战斗堡垒。",
    ),
    (
        "中国共产党党员教育管理工作条例",
        "中共中央",
        "中发〔2019〕20号",
        date(2019, 5, 6),
        "流动党员的教育管理，由流出地党组织和流入地党组织共同负责，以流入地党组织为主。",
    ),
    (
        "中国共产党组织工作条例",
        "中共中央",
        "中发〔2021〕12号",
        date(2021, 5, 22),
        "组织工作是党的建设的重要组成部分。",
    ),
    (
        "关于加强新时代流动党员教育管理工作的意见",
        "中共中央组织部",
        "组通字〔2023〕35号",
        date(2023, 9, 1),
        "对流动党员的组织关系、教育培训、组织生活、服务关爱作出规定。",
    ),
    (
        "中国共产党党内法规制定条例",
        "中共中央",
        "中发〔2019〕33号",
        date(2019, 8, 30),
        "规范党内法规制定工作，提高党内法规质量。",
    ),
    (
        "陕西省流动党员管理服务办法（试行）",
        "中共陕西省委组织部",
        "陕组通字〔2024〕8号",
        date(2024, 3, 1),
        "进一步规范全省流动党员管理服务工作。",
    ),
]


def _cover(color: tuple[int, int, int], rng: random.Random) -> SimpleUploadedFile:
    """A simple banner (gradient with circles): no font needed, real pixels for thumbnails."""
    width, height = 1280, 720
    image = Image.new("RGB", (width, height), color)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = int(60 * y / height)
        draw.line([(0, y), (width, y)], fill=tuple(max(c - shade, 0) for c in color))
    for _ in range(6):
        x, y, r = rng.randint(0, width), rng.randint(0, height), rng.randint(60, 260)
        draw.ellipse([x - r, y - r, x + r, y + r], outline=(255, 220, 150), width=6)
    draw.rectangle([80, 520, 700, 560], fill=(255, 215, 120))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile("cover.jpg", out.getvalue(), content_type="image/jpeg")


def _skills() -> dict[str, Skill]:
    skills = {}
    for name, category in SKILLS:
        skill, _ = Skill.objects.get_or_create(name=name, defaults={"category": category})
        skills[name] = skill
    return skills


def _give_members_skills(rng: random.Random, skills: dict[str, Skill]) -> int:
    """Members without skills or destination get some, so that training offers reach someone."""
    through = Member.skills.through
    with_skills = set(through.objects.values_list("member_id", flat=True))
    links, updated = [], 0
    names = list(skills)
    for member in Member.objects.only("id", "destination_province").order_by("id"):
        if member.pk not in with_skills and rng.random() < 0.6:
            for name in rng.sample(names, rng.choice((1, 1, 2))):
                links.append(through(member_id=member.pk, skill_id=skills[name].pk))
        if not member.destination_province:
            Member.objects.filter(pk=member.pk).update(
                destination_province=rng.choice(DESTINATIONS)
            )
            updated += 1
    through.objects.bulk_create(links, ignore_conflicts=True, batch_size=1000)
    return len(links)


@transaction.atomic
def seed(*, rng: random.Random, members: int) -> list[str]:
    if Article.objects.exists():
        return ["学习资料已存在，跳过"]
    county = Organization.objects.filter(kind=Organization.Kind.COUNTY).order_by("path").first()
    if county is None:
        return ["没有县级党组织，跳过"]
    skills = _skills()
    linked = _give_members_skills(rng, skills)
    now = timezone.now()
    created: list[Article] = []
    total = len(ARTICLES) + len(REGULATIONS)
    for index, (category, title, summary, paragraphs, options) in enumerate(ARTICLES):
        organization = county
        if options.get("organization"):
            organization = (
                Organization.objects.filter(code=options["organization"]).first() or county
            )
        article = article_create(
            actor=None,
            data=ArticleInput(
                title=title,
                category=category,
                organization=organization,
                audience=options.get("audience", A.COUNTY),
                summary=summary,
                body=_paragraphs(*paragraphs),
                pinned=options.get("pinned", False),
                required=options.get("required", False),
                target_skills=tuple(skills[name] for name in options.get("skills", ())),
                target_provinces=tuple(options.get("provinces", ())),
            ),
            published_at=now - timedelta(days=(total - index) * 2, hours=rng.randint(0, 10)),
        )
        if options.get("cover"):
            article_set_cover(actor=None, article=article, upload=_cover(options["cover"], rng))
        created.append(article)
    for index, (title, body_name, number, effective, text) in enumerate(REGULATIONS):
        created.append(
            article_create(
                actor=None,
                data=ArticleInput(
                    title=title,
                    category=C.REGULATION,
                    organization=county,
                    audience=A.PUBLIC,
                    body=_paragraphs(text, "（全文请见附件或原文链接。）"),
                    issuing_body=body_name,
                    document_number=number,
                    effective_on=effective,
                    required=index == 0,
                ),
                published_at=now - timedelta(days=60 + index),
            )
        )
    # One scheduled announcement and one draft, so that staff see both states.
    scheduled = article_create(
        actor=None,
        data=ArticleInput(
            title="关于组织收看“学习身边榜样”专题节目的通知",
            category=C.ANNOUNCEMENT,
            organization=county,
            audience=A.COUNTY,
            body=_paragraphs("请各党支部组织党员按时收看专题节目，并在平台上交流学习体会。"),
        ),
    )
    Article.objects.filter(pk=scheduled.pk).update(scheduled_at=now + timedelta(days=2))
    article_create(
        actor=None,
        data=ArticleInput(
            title="（草稿）2027年流动党员集中培训计划",
            category=C.TRAINING,
            organization=county,
            audience=A.COUNTY,
            body=_paragraphs("培训计划正在征求意见。"),
        ),
    )
    FeedSource.objects.get_or_create(
        name="三原县党建（公众号）",
        defaults={
            "kind": FeedSource.Kind.WECHAT,
            "organization": county,
            "category": C.NEWS,
            "audience": A.PUBLIC,
            "enabled": False,
        },
    )
    records = _seed_study(rng, created)
    return [
        f"学习资料 {Article.objects.count()} 篇（其中党内法规 {len(REGULATIONS)} 篇），"
        f"技能 {len(skills)} 项（为档案补充技能 {linked} 项次），学习记录 {records} 条",
    ]


def _seed_study(rng: random.Random, articles: list[Article]) -> int:
    from members.demo import ACTIVE_MEMBER
    from members.identity import normalize_id_number
    from sanyuan.crypto import keyed_hash

    now = timezone.now()
    digest = keyed_hash(normalize_id_number(ACTIVE_MEMBER.id_number), purpose="id_number")
    active_id = Member.objects.filter(id_number_hash=digest).values_list("pk", flat=True).first()
    ids = list(Member.objects.order_by("id").values_list("pk", flat=True))
    reader_ids = rng.sample(ids, min(300, len(ids)))
    if active_id is not None:
        reader_ids = [active_id] + [pk for pk in reader_ids if pk != active_id]
    rows: list[StudyRecord] = []
    opened_dates = []
    touched: dict[int, object] = {}
    for member_id in reader_ids:
        count = 6 if member_id == active_id else rng.randint(1, 5)
        for article in rng.sample(articles, min(count, len(articles))):
            opened = max(article.published_at, now - timedelta(days=30)) + timedelta(
                hours=rng.randint(1, 200)
            )
            opened = min(opened, now - timedelta(minutes=5))
            finished = rng.random() < 0.6
            record = StudyRecord(
                member_id=member_id,
                article=article,
                seconds=rng.randint(30, 900),
                finished_at=opened + timedelta(minutes=rng.randint(2, 15)) if finished else None,
            )
            rows.append(record)
            opened_dates.append(opened)
            touched[member_id] = max(touched.get(member_id, opened), opened)
    StudyRecord.objects.bulk_create(rows, batch_size=1000)
    # auto_now_add stamped "now" on insert; put back the spread-out dates.
    for record, opened in zip(rows, opened_dates, strict=True):
        record.opened_at = opened
        record.last_reported_at = record.finished_at or opened
    StudyRecord.objects.bulk_update(rows, ["opened_at", "last_reported_at"], batch_size=1000)
    for member_id, when in touched.items():
        member_engagement_touch(member_id=member_id, studied_at=when)
    return len(rows)
