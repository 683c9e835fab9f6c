"""The forum in the admin: threads, posts and reports, scoped to the staff user's
organisations. Changes go through the services (actions), never around them."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.safestring import mark_safe

from members.admin.base import ScopedAdminMixin
from sanyuan.errors import ServiceError
from sanyuan.net import client_ip
from sanyuan.sanitize import clean_html, html_to_text

from . import permissions, services
from .models import Post, PostReport, Thread

ADMIN_REASON = "管理后台批量操作"


def _run(modeladmin, request, queryset, call, done: str) -> None:
    ok, failed = 0, []
    for obj in queryset:
        try:
            call(obj)
            ok += 1
        except (ServiceError, PermissionDenied, Http404) as exc:
            failed.append(f"{obj}：{getattr(exc, 'message', exc)}")
    if ok:
        modeladmin.message_user(request, f"{done} {ok} 条。", messages.SUCCESS)
    for line in failed[:10]:
        modeladmin.message_user(request, line, messages.WARNING)


def _thread_action(action: str, label: str):
    def run(modeladmin, request, queryset):
        _run(
            modeladmin,
            request,
            queryset.select_related("organization"),
            lambda thread: services.thread_moderate(
                user=request.user,
                thread=thread,
                action=action,
                reason=ADMIN_REASON,
                ip=client_ip(request),
            ),
            f"已{label}",
        )

    run.__name__ = f"thread_{action}"
    return admin.action(description=label)(run)


class ReadOnlyFieldsMixin:
    """Content changes only through the site and its services; the admin shows and acts."""

    def has_add_permission(self, request):
        return False

    # The account behind a post says nothing more than its author's name (a member's name,
    # or the organisation for an official reply), which is shown.
    HIDDEN = ("author",)

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in self.model._meta.fields if f.name not in self.HIDDEN]
        return self.person_names(names)


@admin.register(Thread)
class ThreadAdmin(ReadOnlyFieldsMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "author_name",
        "organization",
        "reply_count",
        "answered",
        "flags",
        "last_posted_at",
    ]
    list_filter = ["board", "kind", "is_pinned", "is_locked", "is_hidden", "is_typical"]
    search_fields = ["title", "author_name"]
    list_select_related = ["organization"]
    list_per_page = 50
    show_full_result_count = False

    class Media:
        css = {"all": ["css/forum-admin.css"]}

    actions = [
        _thread_action("pin", "置顶"),
        _thread_action("unpin", "取消置顶"),
        _thread_action("lock", "锁定"),
        _thread_action("unlock", "解除锁定"),
        _thread_action("hide", "隐藏"),
        _thread_action("unhide", "取消隐藏"),
        _thread_action("typical", "标为典型问题"),
        _thread_action("untypical", "取消典型问题"),
    ]

    def scope_queryset(self, request, qs):
        return permissions.filter_thread_scope(request.user, qs)

    @admin.display(description="党组织已答复", boolean=True)
    def answered(self, obj):
        return obj.is_answered if obj.is_answerable else None

    @admin.display(description="状态")
    def flags(self, obj):
        labels = [
            ("置顶", obj.is_pinned),
            ("锁定", obj.is_locked),
            ("隐藏", obj.is_hidden),
            ("典型问题", obj.is_typical),
            ("已分享", obj.is_shared),
        ]
        return "、".join(label for label, on in labels if on) or "—"


@admin.register(Post)
class PostAdmin(ReadOnlyFieldsMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "thread",
        "author_name",
        "organization",
        "excerpt",
        "created_at",
        "edit_count",
        "is_deleted",
        "is_hidden",
    ]
    list_filter = ["is_hidden", "is_deleted", "is_opening"]
    search_fields = ["author_name", "thread__title"]
    list_select_related = ["thread", "organization"]
    list_per_page = 50
    show_full_result_count = False
    exclude = ["search_text"]

    class Media:
        css = {"all": ["css/forum-admin.css"]}

    actions = ["hide_posts", "unhide_posts"]

    def scope_queryset(self, request, qs):
        return permissions.filter_thread_scope(request.user, qs, prefix="thread__")

    @admin.display(description="内容")
    def excerpt(self, obj):
        return html_to_text(obj.body_html)[:60]

    def get_readonly_fields(self, request, obj=None):
        names = [
            f.name for f in self.model._meta.fields if f.name not in ("search_text", *self.HIDDEN)
        ]
        return self.person_names(["content" if n == "body_html" else n for n in names])

    @admin.display(description="内容")
    def content(self, obj):
        # Shown as the reader sees it, not as tags; cleaned again (idempotent) to be safe.
        return mark_safe(clean_html(obj.body_html))

    @admin.action(description="隐藏所选回复")
    def hide_posts(self, request, queryset):
        _run(
            self,
            request,
            queryset.select_related("thread", "thread__organization"),
            lambda post: services.post_moderate(
                user=request.user,
                post=post,
                action="hide",
                reason=ADMIN_REASON,
                ip=client_ip(request),
            ),
            "已隐藏",
        )

    @admin.action(description="取消隐藏所选回复")
    def unhide_posts(self, request, queryset):
        _run(
            self,
            request,
            queryset.select_related("thread", "thread__organization"),
            lambda post: services.post_moderate(
                user=request.user, post=post, action="unhide", ip=client_ip(request)
            ),
            "已取消隐藏",
        )


@admin.register(PostReport)
class PostReportAdmin(ReadOnlyFieldsMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["id", "thread", "post_author", "reason", "status", "created_at", "handled_at"]
    list_filter = ["status", "reason"]
    search_fields = ["thread__title", "post__author_name"]
    list_select_related = ["thread", "post"]
    list_per_page = 50
    actions = ["dismiss_reports", "resolve_and_hide"]

    def scope_queryset(self, request, qs):
        return permissions.filter_reports_visible_to(request.user, qs)

    @admin.display(description="被举报人")
    def post_author(self, obj):
        return obj.post.author_name

    @admin.action(description="不予处理")
    def dismiss_reports(self, request, queryset):
        _run(
            self,
            request,
            queryset.filter(status=PostReport.Status.OPEN).select_related("post"),
            lambda report: services.report_resolve(
                user=request.user, report=report, outcome=PostReport.Status.DISMISSED
            ),
            "已处理",
        )

    @admin.action(description="属实：隐藏被举报内容")
    def resolve_and_hide(self, request, queryset):
        _run(
            self,
            request,
            queryset.filter(status=PostReport.Status.OPEN).select_related("post", "post__thread"),
            lambda report: services.report_resolve(
                user=request.user,
                report=report,
                outcome=PostReport.Status.RESOLVED,
                resolution=f"经核实隐藏（{report.get_reason_display()}）",
                hide_post=True,
                ip=client_ip(request),
            ),
            "已处理",
        )
