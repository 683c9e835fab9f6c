"""The forum (交流互动): two boards of threads, their posts, images, edits, read markers and
reports.

Counters (`reply_count`, `last_posted_at`, `last_post_id`) and the time to the first official
reply live on the thread and are updated in the posting transaction, so lists never count
posts. A thread belongs to an organisation (`organization`): the home organisation of the
member who opened it, or the organisation a staff user spoke for. That organisation decides
which staff see a reflection and which staff may answer officially and moderate.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models import Member, Organization


class Board(models.TextChoices):
    REFLECTIONS = "reflections", "学习心得"
    FORUM = "forum", "党员论坛"


class Thread(models.Model):
    class Kind(models.TextChoices):
        THOUGHT_REPORT = "thought_report", "思想汇报"
        STUDY_SUMMARY = "study_summary", "学习小结"
        REFLECTION = "reflection", "心得体会"
        MESSAGE = "message", "留言"
        REQUEST = "request", "诉求"
        SUGGESTION = "suggestion", "建议"

    KINDS_BY_BOARD = {
        Board.REFLECTIONS: (Kind.THOUGHT_REPORT, Kind.STUDY_SUMMARY, Kind.REFLECTION),
        Board.FORUM: (Kind.MESSAGE, Kind.REQUEST, Kind.SUGGESTION),
    }
    # Kinds that wait for an answer from the organisation (the staff queue).
    ANSWERABLE_KINDS = (Kind.REQUEST, Kind.SUGGESTION)

    board = models.CharField("版块", max_length=20, choices=Board.choices)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    title = models.CharField("标题", max_length=60)
    organization = models.ForeignKey(
        Organization,
        verbose_name="所属组织",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="发帖党员的流出地党组织，或工作人员代表的党组织",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发帖账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    author_member = models.ForeignKey(
        Member,
        verbose_name="发帖党员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_name = models.CharField("发帖人", max_length=100)
    is_official = models.BooleanField("党组织发布", default=False)
    is_shared = models.BooleanField("公开分享", default=False)
    is_pinned = models.BooleanField("置顶", default=False)
    is_locked = models.BooleanField("锁定", default=False)
    is_hidden = models.BooleanField("隐藏", default=False)
    hidden_reason = models.CharField("隐藏原因", max_length=200, blank=True)
    is_typical = models.BooleanField("典型问题", default=False)
    typical_at = models.DateTimeField("标为典型问题时间", null=True, blank=True)
    reply_count = models.PositiveIntegerField("回复数", default=0)
    last_post_id = models.BigIntegerField("最新回复编号", default=0)
    last_posted_at = models.DateTimeField("最后回复时间", default=timezone.now)
    last_poster_name = models.CharField("最后回复人", max_length=100, blank=True)
    first_official_reply_at = models.DateTimeField("首次党组织回复时间", null=True, blank=True)
    first_official_reply_seconds = models.PositiveIntegerField(
        "首次党组织回复用时（秒）", null=True, blank=True
    )
    staff_read_at = models.DateTimeField("工作人员阅读时间", null=True, blank=True)
    staff_read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="阅读人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("发布时间", default=timezone.now)

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["-is_pinned", "-last_posted_at", "-id"]
        indexes = [
            # Board lists: pinned first, then by last reply (keyset on the same columns).
            models.Index(
                fields=["board", "-is_pinned", "-last_posted_at", "-id"],
                name="forum_thread_board_idx",
            ),
            models.Index(fields=["author", "board", "-id"], name="forum_thread_author_idx"),
            # The staff queue: requests and suggestions without an official answer, oldest first.
            # The included columns let the dashboard count them per scope from the index alone
            # (45 → 17 ms at 200,000 threads).
            models.Index(
                fields=["created_at", "id"],
                include=["organization", "kind", "is_hidden"],
                name="forum_thread_unanswered_idx",
                condition=Q(board="forum", first_official_reply_at__isnull=True),
            ),
            models.Index(
                fields=["-typical_at"],
                name="forum_thread_typical_idx",
                condition=Q(is_typical=True),
            ),
            models.Index(
                fields=["created_at", "id"],
                name="forum_thread_unread_refl_idx",
                condition=Q(board="reflections", staff_read_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return f"/forum/threads/{self.pk}/"

    @property
    def is_answerable(self) -> bool:
        return self.board == Board.FORUM and self.kind in self.ANSWERABLE_KINDS

    @property
    def is_answered(self) -> bool:
        return self.first_official_reply_at is not None


class Post(models.Model):
    """One post of a thread. The opening post (`is_opening`) carries the thread's body.

    Deletion by the author is soft (`is_deleted`: shown as 该回复已删除); moderation hides
    (`is_hidden`, with a reason). Both keep the row so that quotes and reports still resolve.
    """

    # db_index=False where a composite index below starts with the column.
    thread = models.ForeignKey(
        Thread, verbose_name="主题", on_delete=models.CASCADE, related_name="posts", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发帖账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    author_member = models.ForeignKey(
        Member,
        verbose_name="发帖党员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_name = models.CharField("发帖人", max_length=100)
    organization = models.ForeignKey(
        Organization,
        verbose_name="代表党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="工作人员以党组织名义回复时填写（党组织回复）",
    )
    is_opening = models.BooleanField("主题正文", default=False)
    body_html = models.TextField("内容")
    quote = models.ForeignKey(
        "self",
        verbose_name="引用",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField("发布时间", default=timezone.now)
    edited_at = models.DateTimeField("最后编辑时间", null=True, blank=True)
    edit_count = models.PositiveSmallIntegerField("编辑次数", default=0)
    is_deleted = models.BooleanField("已删除", default=False)
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True)
    is_hidden = models.BooleanField("隐藏", default=False)
    hidden_reason = models.CharField("隐藏原因", max_length=200, blank=True)
    search_text = models.TextField("检索词", blank=True, default="", editable=False)

    class Meta:
        verbose_name = "回复"
        verbose_name_plural = "回复"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["thread", "id"], name="forum_post_thread_idx"),
            models.Index(fields=["author", "created_at"], name="forum_post_author_time_idx"),
            models.Index(
                fields=["quote"], name="forum_post_quote_idx", condition=Q(quote__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.author_name} #{self.pk}"

    def get_absolute_url(self) -> str:
        return f"/forum/threads/{self.thread_id}/?post={self.pk}#post-{self.pk}"

    @property
    def is_official(self) -> bool:
        return self.organization_id is not None


def _image_path(instance, filename):
    now = timezone.now()
    return f"forum/{now:%Y/%m}/{filename}"


class PostImage(models.Model):
    """A photo of a post, re-encoded without metadata; served only through a permission check."""

    post = models.ForeignKey(
        Post, verbose_name="回复", on_delete=models.CASCADE, related_name="images"
    )
    image = models.FileField("图片", upload_to=_image_path, max_length=200)
    thumbnail = models.FileField("缩略图", upload_to=_image_path, max_length=200)
    content_type = models.CharField("类型", max_length=30)
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "图片"
        verbose_name_plural = "图片"
        ordering = ["post_id", "position"]

    def __str__(self):
        return f"图片 {self.pk}"


class PostRevision(models.Model):
    """The body a post had before an edit (one row per edit)."""

    post = models.ForeignKey(
        Post, verbose_name="回复", on_delete=models.CASCADE, related_name="revisions"
    )
    body_html = models.TextField("修改前内容")
    title = models.CharField("修改前标题", max_length=60, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="编辑人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField("编辑时间", auto_now_add=True)

    class Meta:
        verbose_name = "编辑记录"
        verbose_name_plural = "编辑记录"
        ordering = ["-id"]

    def __str__(self):
        return f"{self.post_id} @ {self.edited_at:%Y-%m-%d %H:%M}"


class ThreadRead(models.Model):
    """How far a user has read a thread: everything up to `last_read_post_id` is read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    last_read_post_id = models.BigIntegerField(default=0)
    read_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "阅读进度"
        verbose_name_plural = "阅读进度"
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="forum_thread_read_unique")
        ]

    def __str__(self):
        return f"{self.user_id} read {self.thread_id} to {self.last_read_post_id}"


class PostReport(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "广告或刷屏"
        ABUSE = "abuse", "人身攻击或辱骂"
        PRIVACY = "privacy", "泄露个人隐私"
        ILLEGAL = "illegal", "违法违规或不当言论"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        RESOLVED = "resolved", "已处理"
        DISMISSED = "dismissed", "不予处理"

    post = models.ForeignKey(
        Post, verbose_name="被举报回复", on_delete=models.CASCADE, related_name="reports"
    )
    thread = models.ForeignKey(
        Thread, verbose_name="主题", on_delete=models.CASCADE, related_name="+"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="举报人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField("举报原因", max_length=20, choices=Reason.choices)
    note = models.CharField("补充说明", max_length=300, blank=True)
    status = models.CharField(
        "处理状态", max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField("举报时间", auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolution = models.CharField("处理意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "举报"
        verbose_name_plural = "举报"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"], name="forum_report_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=Q(status="open"),
                name="forum_report_one_open_per_reporter",
            )
        ]

    def __str__(self):
        return f"举报 #{self.pk}"
