"""Forum pages (论坛) for members and staff: board tabs, thread lists, thread page with the reply
box, new thread, edit, report, search, typical issues. Thin: parse, call, render."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from members import permissions as member_permissions
from members.views.access import SignedInPageMixin
from sanyuan.errors import ServiceError
from sanyuan.forms import add_service_error
from sanyuan.inputs import parse_int
from sanyuan.keyset import encode
from sanyuan.net import client_ip
from sanyuan.sanitize import html_to_text

from .. import forms, permissions, selectors, services
from ..files import image_response
from ..models import Board, Thread
from ..services.moderation import THREAD_ACTION_LABELS

PAGE_SIZE = 20


class ForumAccessMixin(SignedInPageMixin):
    """Signed-in members and staff; an account of neither kind gets 403."""


def _board(request) -> str:
    board = request.GET.get("board", Board.FORUM)
    return board if board in Board.values else Board.FORUM


class ThreadListView(ForumAccessMixin, View):
    """论坛: board tabs (党员论坛 | 学习心得), kind filter, newest activity first."""

    def get(self, request):
        board = _board(request)
        kind = request.GET.get("kind", "")
        if kind not in Thread.KINDS_BY_BOARD[board]:
            kind = ""
        staff = permissions.is_staff(request.user)
        view = request.GET.get("view", "")
        if board == Board.REFLECTIONS and view not in ("mine", "shared", "all"):
            view = "all" if staff else "mine"
        try:
            page = selectors.thread_list(
                user=request.user,
                board=board,
                kind=kind or None,
                mine=view == "mine",
                shared=view == "shared",
                cursor=request.GET.get("cursor"),
                page_size=PAGE_SIZE,
            )
        except ServiceError:
            return redirect(f"{reverse('forum:threads')}?board={board}")
        return render(
            request,
            "forum/thread_list.html",
            {
                "active_tab": "forum",
                "board": board,
                "boards": Board.choices,
                "kinds": [(k, Thread.Kind(k).label) for k in Thread.KINDS_BY_BOARD[board]],
                "kind": kind,
                "view": view,
                "is_staff": staff,
                "page": page,
                "pager_query": urlencode({"board": board, "kind": kind, "view": view}) + "&",
            },
        )


class ThreadCreateView(ForumAccessMixin, View):
    template_name = "forum/thread_form.html"

    def _form(self, request, board, data=None, files=None):
        organizations = (
            permissions.speaking_organizations(request.user)
            if member_permissions.member_of(request.user) is None
            else ()
        )
        initial = {"kind": request.GET.get("kind")} if data is None else None
        return forms.ThreadForm(
            data, files, board=board, organizations=organizations, initial=initial
        )

    def _render(self, request, form, board, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "board": board,
                "board_label": Board(board).label,
                "active_tab": "forum",
            },
            status=status,
        )

    def get(self, request):
        board = _board(request)
        if board == Board.REFLECTIONS and member_permissions.member_of(request.user) is None:
            messages.info(request, "学习心得由党员本人发布。")
            return redirect(f"{reverse('forum:threads')}?board={board}")
        return self._render(request, self._form(request, board), board)

    def post(self, request):
        board = request.POST.get("board")
        board = board if board in Board.values else Board.FORUM
        form = self._form(request, board, request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, board, status=400)
        data = form.cleaned_data
        try:
            thread = services.thread_create(
                user=request.user,
                board=board,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                images=data["images"],
                shared=data.get("shared", False),
                organization=data.get("organization"),
            )
        except ServiceError as exc:
            return self._render(request, form, board, status=add_service_error(form, exc))
        messages.success(request, "发布成功。")
        return redirect(thread.get_absolute_url())


class ThreadDetailView(ForumAccessMixin, View):
    """The thread page: posts in keyset pages, the reply box, and the staff tools."""

    template_name = "forum/thread_detail.html"

    def _reply_form(self, request, thread, data=None, files=None):
        organizations = permissions.official_organizations(request.user, thread)
        personal = not (thread.board == Board.REFLECTIONS and organizations)
        initial = None
        if data is None and parse_int(request.GET.get("quote")) is not None:
            initial = {"quote": parse_int(request.GET["quote"])}
        return forms.ReplyForm(
            data, files, organizations=organizations, personal_allowed=personal, initial=initial
        )

    def _render(self, request, thread, reply_form, status=200):
        params = request.GET
        from_post = params.get("post", "")
        cursor = params.get("cursor")
        if params.get("last") == "1" and not cursor:
            cursor = encode("p", (thread.last_post_id + 1,))
        try:
            page = selectors.post_page(
                user=request.user,
                thread=thread,
                cursor=cursor,
                from_post=parse_int(from_post),
                page_size=PAGE_SIZE,
            )
        except ServiceError:
            return redirect(thread.get_absolute_url())
        if page.results and status == 200:
            services.thread_mark_read(user=request.user, thread=thread, post_id=page.results[-1].pk)
            services.thread_notices_read(
                user=request.user, thread=thread, post_ids={post.pk for post in page.results}
            )
        quote = None
        quote_id = reply_form["quote"].value()
        if quote_id:
            quote = next((p for p in page.results if str(p.pk) == str(quote_id)), None)
        user = request.user
        return render(
            request,
            self.template_name,
            {
                "active_tab": "forum",
                "thread": thread,
                "page": page,
                "form": reply_form,
                "quote": quote,
                "can_reply": permissions.can_reply(user, thread)
                and (not thread.is_locked or permissions.in_thread_scope(user, thread)),
                "can_moderate": permissions.can_moderate_thread(user, thread),
                "can_share": permissions.can_share_thread(user, thread),
                "can_mark_read": permissions.can_mark_reflection_read(user, thread),
                "actions": THREAD_ACTION_LABELS,
            },
            status=status,
        )

    def get(self, request, pk):
        thread = selectors.thread_get(user=request.user, pk=pk)
        return self._render(request, thread, self._reply_form(request, thread))

    def post(self, request, pk):
        thread = selectors.thread_get(user=request.user, pk=pk)
        form = self._reply_form(request, thread, request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, thread, form, status=400)
        data = form.cleaned_data
        try:
            post = services.post_create(
                user=request.user,
                thread=thread,
                body=data["body"],
                images=data["images"],
                quote=data.get("quote"),
                organization=data.get("organization"),
            )
        except ServiceError as exc:
            return self._render(request, thread, form, status=add_service_error(form, exc))
        messages.success(request, "回复成功。")
        return redirect(f"{thread.get_absolute_url()}?last=1#post-{post.pk}")


class PostEditView(ForumAccessMixin, View):
    template_name = "forum/post_edit.html"

    def _render(self, request, post, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "post": post,
                "form": form,
                "edit_minutes": settings.FORUM_EDIT_WINDOW_SECONDS // 60,
                "active_tab": "forum",
            },
            status=status,
        )

    def _check(self, request, pk):
        post = selectors.post_get(user=request.user, pk=pk)
        if not permissions.is_post_author(request.user, post):
            raise PermissionDenied
        return post

    def get(self, request, pk):
        post = self._check(request, pk)
        if not permissions.can_edit_post(request.user, post):
            messages.error(request, "已超过编辑时限，或该内容已删除、被隐藏。")
            return redirect(post.get_absolute_url())
        initial = {"body": html_to_text(post.body_html), "title": post.thread.title}
        form = forms.PostEditForm(initial=initial, opening=post.is_opening)
        return self._render(request, post, form)

    def post(self, request, pk):
        post = self._check(request, pk)
        form = forms.PostEditForm(request.POST, opening=post.is_opening)
        if not form.is_valid():
            return self._render(request, post, form, status=400)
        try:
            services.post_edit(
                user=request.user,
                post=post,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title"),
            )
        except ServiceError as exc:
            return self._render(request, post, form, status=add_service_error(form, exc))
        messages.success(request, "修改已保存。")
        return redirect(post.get_absolute_url())


class PostDeleteView(ForumAccessMixin, View):
    def post(self, request, pk):
        post = selectors.post_get(user=request.user, pk=pk)
        try:
            services.post_delete(user=request.user, post=post)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "回复已删除。")
        return redirect(post.get_absolute_url())


class PostReportView(ForumAccessMixin, View):
    template_name = "forum/post_report.html"

    def _render(self, request, post, form, status=200):
        selectors.posts_decorate(request.user, post.thread, [post])
        return render(
            request,
            self.template_name,
            {"post": post, "form": form, "active_tab": "forum"},
            status=status,
        )

    def get(self, request, pk):
        post = selectors.post_get(user=request.user, pk=pk)
        if not permissions.can_report_post(request.user, post):
            raise PermissionDenied
        return self._render(request, post, forms.ReportForm())

    def post(self, request, pk):
        post = selectors.post_get(user=request.user, pk=pk)
        form = forms.ReportForm(request.POST)
        if not form.is_valid():
            return self._render(request, post, form, status=400)
        try:
            services.post_report(
                user=request.user, post=post, ip=client_ip(request), **form.cleaned_data
            )
        except ServiceError as exc:
            return self._render(request, post, form, status=add_service_error(form, exc))
        messages.success(request, "举报已提交，党组织工作人员会尽快处理。")
        return redirect(post.get_absolute_url())


class ThreadModerateView(ForumAccessMixin, View):
    def post(self, request, pk):
        thread = selectors.thread_get(user=request.user, pk=pk)
        action = request.POST.get("action", "")
        try:
            services.thread_moderate(
                user=request.user,
                thread=thread,
                action=action,
                reason=request.POST.get("reason", ""),
                ip=client_ip(request),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已{THREAD_ACTION_LABELS[action]}。")
        return redirect(thread.get_absolute_url())


class PostModerateView(ForumAccessMixin, View):
    def post(self, request, pk):
        post = selectors.post_get(user=request.user, pk=pk)
        try:
            services.post_moderate(
                user=request.user,
                post=post,
                action=request.POST.get("action", ""),
                reason=request.POST.get("reason", ""),
                ip=client_ip(request),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已更新该回复的显示状态。")
        return redirect(post.get_absolute_url())


class ThreadShareView(ForumAccessMixin, View):
    def post(self, request, pk):
        thread = selectors.thread_get(user=request.user, pk=pk)
        shared = request.POST.get("shared") == "1"
        services.thread_share_set(user=request.user, thread=thread, shared=shared)
        messages.success(request, "已公开分享。" if shared else "已取消分享，仅您和党组织可见。")
        return redirect(thread.get_absolute_url())


class ReflectionReadView(ForumAccessMixin, View):
    def post(self, request, pk):
        thread = selectors.thread_get(user=request.user, pk=pk)
        services.reflection_mark_read(user=request.user, thread=thread)
        messages.success(request, "已标记为已阅。")
        target = request.POST.get("next", "")
        if target == "staff":
            return redirect("forum:staff-reflections")
        return redirect(thread.get_absolute_url())


class SearchView(ForumAccessMixin, View):
    def get(self, request):
        query = request.GET.get("q", "").strip()[:100]
        page = None
        if query:
            try:
                page = selectors.post_search(
                    user=request.user,
                    query=query,
                    cursor=request.GET.get("cursor"),
                    page_size=PAGE_SIZE,
                )
            except ServiceError:
                return redirect(f"{reverse('forum:search')}?{urlencode({'q': query})}")
        return render(
            request,
            "forum/search.html",
            {
                "query": query,
                "page": page,
                "pager_query": urlencode({"q": query}) + "&",
                "active_tab": "forum",
            },
        )


class TypicalView(ForumAccessMixin, View):
    def get(self, request):
        try:
            page = selectors.typical_list(
                user=request.user, cursor=request.GET.get("cursor"), page_size=PAGE_SIZE
            )
        except ServiceError:
            return redirect("forum:typical")
        return render(request, "forum/typical.html", {"page": page, "active_tab": "forum"})


class ImageView(ForumAccessMixin, View):
    def get(self, request, pk):
        image = selectors.image_get(user=request.user, pk=pk)
        return image_response(image, thumb=request.GET.get("size") == "thumb")
