"""The learning library (学习培训资源库): articles, their files, study records and feed sources.

An article is addressed to an audience: the public (readable without signing in), the whole
county, or the subtree of its organisation. Who may read what is decided in permissions.py.
"""

from django.db import models
from django.db.models import Q

from members.models import Member, Organization, Skill, User


class Article(models.Model):
    class Category(models.TextChoices):
        NEWS = "news", "新闻动态"
        ANNOUNCEMENT = "announcement", "通知公告"
        HIGHLIGHT = "highlight", "亮点做法"
        CURRENT_AFFAIRS = "current_affairs", "时政热点"
        THEORY = "theory", "理论知识"
        HOMETOWN = "hometown", "家乡党建"
        REGULATION = "regulation", "党内法规"
        EXEMPLAR = "exemplar", "优秀典型"
        TRAINING = "training", "就业培训"

    class Audience(models.TextChoices):
        PUBLIC = "public", "公开（无需登录）"
        COUNTY = "county", "全县党员"
        SUBTREE = "subtree", "本组织及下级"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"

    category = models.CharField("栏目", max_length=20, choices=Category.choices)
    title = models.CharField("标题", max_length=120)
    summary = models.CharField("摘要", max_length=300, blank=True)
    body = models.TextField("正文", blank=True, help_text="保存时自动清理不安全的内容。")
    video_url = models.URLField("视频链接", max_length=500, blank=True)
    source_url = models.URLField("原文链接", max_length=500, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name="发布组织",
        on_delete=models.PROTECT,
        related_name="articles",
    )
    audience = models.CharField(
        "阅读范围", max_length=10, choices=Audience.choices, default=Audience.SUBTREE
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    scheduled_at = models.DateTimeField(
        "定时发布时间", null=True, blank=True, help_text="草稿到时自动发布。"
    )
    pinned = models.BooleanField("置顶", default=False)
    required = models.BooleanField("必学", default=False)

    # Cover image: the re-encoded original and three widths for srcset.
    cover = models.FileField("封面图片", upload_to="learning/covers/%Y/%m/", blank=True)
    cover_320 = models.FileField(upload_to="learning/covers/%Y/%m/", blank=True, editable=False)
    cover_640 = models.FileField(upload_to="learning/covers/%Y/%m/", blank=True, editable=False)
    cover_960 = models.FileField(upload_to="learning/covers/%Y/%m/", blank=True, editable=False)
    cover_width = models.PositiveIntegerField(default=0, editable=False)
    cover_height = models.PositiveIntegerField(default=0, editable=False)
    cover_content_type = models.CharField(max_length=40, blank=True, editable=False)

    # 党内法规
    issuing_body = models.CharField("发文机关", max_length=100, blank=True)
    document_number = models.CharField("发文字号", max_length=60, blank=True)
    effective_on = models.DateField("施行日期", null=True, blank=True)

    # 就业培训: members with any of these skills or in any of these destination provinces.
    target_skills = models.ManyToManyField(
        Skill, verbose_name="目标技能", blank=True, related_name="training_articles"
    )
    # GB/T 2260 province codes, comma-separated ("440000,320000").
    target_provinces = models.CharField("目标流入省份", max_length=300, blank=True)

    feed_source = models.ForeignKey(
        "FeedSource",
        verbose_name="同步来源",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    feed_entry_id = models.CharField("来源条目标识", max_length=300, blank=True)

    # Short names and other names members search by (党章 for 中国共产党章程); well-known
    # ones are added by learning.services.articles.KNOWN_SHORT_NAMES.
    short_names = models.CharField(
        "简称或别名",
        max_length=200,
        blank=True,
        help_text="党员搜索时常用的叫法，多个用逗号或顿号隔开，如“党章”。",
    )
    search_text = models.TextField(editable=False, blank=True, default="")
    created_by = models.ForeignKey(
        User,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "学习资料"
        verbose_name_plural = "学习资料"
        ordering = ["-published_at", "-id"]
        indexes = [
            # Keyset lists: published articles of a category, newest first.
            models.Index(
                fields=["status", "category", "-published_at", "-id"],
                name="article_status_cat_pub_idx",
            ),
            models.Index(fields=["status", "-published_at", "-id"], name="article_status_pub_idx"),
            models.Index(
                fields=["scheduled_at"],
                name="article_due_idx",
                condition=Q(status="draft", scheduled_at__isnull=False),
            ),
            models.Index(fields=["organization", "-id"], name="article_org_idx"),
            # 首页's "required reading" and the pinned strip: few rows, found without a scan.
            models.Index(
                fields=["-published_at", "-id"],
                name="article_required_idx",
                condition=Q(status="published", required=True),
            ),
            models.Index(
                fields=["-published_at", "-id"],
                name="article_pinned_idx",
                condition=Q(status="published", pinned=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["feed_source", "feed_entry_id"],
                condition=Q(feed_source__isnull=False),
                name="article_feed_entry_unique",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def province_codes(self) -> list[str]:
        return [code for code in self.target_provinces.split(",") if code]

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def cover_srcset_widths(self) -> list[int]:
        return [w for w in (320, 640, 960) if getattr(self, f"cover_{w}")]


class Regulation(Article):
    """党内法规 as their own library in the admin (the same rows, category `regulation`)."""

    class Meta:
        proxy = True
        verbose_name = "党内法规"
        verbose_name_plural = "党内法规"


class ArticleAttachment(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="attachments", verbose_name="学习资料"
    )
    file = models.FileField("文件", upload_to="learning/attachments/%Y/%m/")
    original_name = models.CharField("文件名", max_length=100)
    content_type = models.CharField("文件类型", max_length=120, editable=False)
    size = models.PositiveIntegerField("大小（字节）", default=0, editable=False)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["id"]

    def __str__(self):
        return self.original_name


class StudyRecord(models.Model):
    """What one member did with one article: opened, time spent while the page was visible,
    finished. One row per member and article."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="study_records", verbose_name="党员"
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="study_records", verbose_name="学习资料"
    )
    opened_at = models.DateTimeField("首次打开", auto_now_add=True)
    seconds = models.PositiveIntegerField("学习时长（秒）", default=0)
    finished_at = models.DateTimeField("学完时间", null=True, blank=True)
    last_reported_at = models.DateTimeField("最近学习", auto_now_add=True)

    class Meta:
        verbose_name = "学习记录"
        verbose_name_plural = "学习记录"
        ordering = ["-last_reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "article"], name="study_member_article")
        ]
        indexes = [
            models.Index(fields=["article", "member"], name="study_article_idx"),
            models.Index(
                fields=["member", "-last_reported_at", "-id"], name="study_member_recent_idx"
            ),
        ]

    def __str__(self):
        return f"{self.member_id} · {self.article_id}"


class SavedArticle(models.Model):
    """收藏: an article a member keeps to read later; the phone keeps it for offline reading."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="saved_articles", verbose_name="党员"
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="saved_by", verbose_name="学习资料"
    )
    created_at = models.DateTimeField("收藏时间", auto_now_add=True)

    class Meta:
        verbose_name = "收藏"
        verbose_name_plural = "收藏"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "article"], name="saved_member_article")
        ]
        indexes = [
            models.Index(fields=["member", "-created_at", "-id"], name="saved_member_recent_idx")
        ]

    def __str__(self):
        return f"{self.member_id} · {self.article_id}"


class FeedSource(models.Model):
    """A source of the county public account's articles, polled by Celery beat."""

    class Kind(models.TextChoices):
        RSS = "rss", "RSS / Atom 订阅"
        WECHAT = "wechat", "微信公众号接口"

    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.RSS)
    url = models.URLField(
        "地址",
        max_length=500,
        blank=True,
        help_text="RSS/Atom 订阅地址；微信公众号接口无需填写（AppID 和密钥在服务器环境变量中）。",
    )
    category = models.CharField(
        "导入栏目", max_length=20, choices=Article.Category.choices, default=Article.Category.NEWS
    )
    organization = models.ForeignKey(
        Organization, verbose_name="发布组织", on_delete=models.PROTECT, related_name="+"
    )
    audience = models.CharField(
        "阅读范围",
        max_length=10,
        choices=Article.Audience.choices,
        default=Article.Audience.PUBLIC,
    )
    publish_immediately = models.BooleanField(
        "直接发布", default=False, help_text="不勾选则导入为草稿，由工作人员审核后发布。"
    )
    enabled = models.BooleanField("启用", default=True)
    poll_minutes = models.PositiveIntegerField("同步间隔（分钟）", default=30)
    next_poll_at = models.DateTimeField("下次同步", null=True, blank=True)
    last_run_at = models.DateTimeField("最近同步", null=True, blank=True)
    last_success_at = models.DateTimeField("最近成功", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    failure_count = models.PositiveIntegerField("连续失败次数", default=0)
    last_imported = models.PositiveIntegerField("最近导入条数", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "公众号同步来源"
        verbose_name_plural = "公众号同步来源"
        ordering = ["name"]

    def __str__(self):
        return self.name
