"""Pages of the learning library: 首页, 学习 (tabs, search), an article, 我的学习, the
regulations library, and the staff's study figures with an Excel export."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from members import permissions as member_permissions
from members.views.access import MemberPageMixin, SignedInPageMixin, StaffPageMixin
from sanyuan.errors import ServiceError
from sanyuan.pwa import is_prefetch
from sanyuan.respcache import CachedPageMixin
from sanyuan.todos import member_todos

from . import exports, selectors
from .models import Article
from .regions import province_name
from .services.saved import article_save, article_unsave
from .services.study import study_record_touch

CATEGORY_TABS = [("", "全部"), *Article.Category.choices]


class HomeView(CachedPageMixin, View):
    """首页. Public: anonymous visitors see public articles; members see their own strip (kept
    per account by sanyuan.respcache until a table it was made from changes)."""

    def get(self, request):
        return render(
            request,
            "learning/home.html",
            {
                "active_tab": "home",
                "sections": selectors.home_sections(user=request.user),
                "required": selectors.required_unfinished(user=request.user, limit=3),
                "todos": member_todos(request.user) if request.user.is_authenticated else [],
            },
        )


class StudyView(View):
    """学习: category tabs, newest first in keyset pages, and search."""

    def get(self, request):
        category = request.GET.get("category", "")
        if category not in Article.Category.values:
            category = ""
        q = request.GET.get("q", "").strip()[:100]
        context = {"active_tab": "study", "tabs": CATEGORY_TABS, "category": category, "q": q}
        status = 200
        try:
            context["page"] = selectors.article_list(
                user=request.user,
                category=category or None,
                q=q,
                cursor=request.GET.get("cursor"),
                page_size=20,
            )
        except ServiceError as exc:
            context["error"] = exc.message
            status = 400
        base = {k: v for k, v in (("category", category), ("q", q)) if v}
        context["query_base"] = urlencode(base)
        return render(request, "learning/study.html", context, status=status)


class ArticleView(View):
    def get(self, request, pk):
        try:
            article = selectors.article_get(user=request.user, pk=pk)
        except Http404:
            if not request.user.is_authenticated:
                # Members follow links from their notices; the same answer whether or not
                # the article exists.
                return redirect_to_login(request.get_full_path())
            raise
        record = None
        member = member_permissions.member_of(request.user)
        if member is not None and is_prefetch(request):
            # The service worker keeping the page for offline reading: not a reading.
            record = selectors.study_record_of(user=request.user, article=article)
        elif member is not None:
            record = study_record_touch(member=member, article=article)
        return render(
            request,
            "learning/article.html",
            {
                "active_tab": "study",
                "article": article,
                "record": record,
                "provinces": [province_name(code) for code in article.province_codes],
                "finish_min_seconds": settings.LEARNING_FINISH_MIN_SECONDS,
                "saved": member is not None
                and selectors.is_saved(user=request.user, article=article),
            },
        )


class ArticleFinishView(SignedInPageMixin, View):
    """The 我已学完 button (works without JavaScript)."""

    def post(self, request, pk):
        article = selectors.article_get(user=request.user, pk=pk)
        member = member_permissions.member_of(request.user)
        if member is None:
            raise Http404
        study_record_touch(member=member, article=article, finished=True)
        messages.success(request, "已记入您的学习记录。")
        return redirect("learning:article", pk=article.pk)


class ArticleSaveView(SignedInPageMixin, View):
    """收藏 / 取消收藏 (saved=1|0); saved articles are kept on the phone for offline reading."""

    def post(self, request, pk):
        article = selectors.article_get(user=request.user, pk=pk)
        member = member_permissions.member_of(request.user)
        if member is None:
            raise Http404
        if request.POST.get("saved", "1") == "1":
            article_save(member=member, article=article)
            messages.success(request, "已收藏，没有网络时也能阅读。")
        else:
            article_unsave(member=member, article=article)
            messages.success(request, "已取消收藏。")
        return redirect("learning:article", pk=article.pk)


class MyStudyView(MemberPageMixin, View):
    """我的学习: totals, required articles still to finish, and the history."""

    staff_redirect = "learning:staff-study"

    def get(self, request):
        context = {"active_tab": "study"}
        status = 200
        try:
            context["page"] = selectors.study_history(
                user=request.user, cursor=request.GET.get("cursor"), page_size=20
            )
        except ServiceError as exc:
            context["error"] = exc.message
            status = 400
        context["summary"] = selectors.study_summary(user=request.user)
        context["required"] = selectors.required_unfinished(user=request.user, limit=10)
        context["saved"] = selectors.saved_articles(user=request.user)
        return render(request, "learning/my_study.html", context, status=status)


class RegulationLibraryView(View):
    """党内法规 library: by issuing body, newest effective date first, searchable."""

    def get(self, request):
        issuing_body = request.GET.get("issuing_body", "")[:100]
        q = request.GET.get("q", "").strip()[:100]
        qs = selectors.regulation_list(user=request.user, issuing_body=issuing_body, q=q)
        page = Paginator(qs, 20).get_page(request.GET.get("page"))
        base = {k: v for k, v in (("issuing_body", issuing_body), ("q", q)) if v}
        return render(
            request,
            "learning/regulations.html",
            {
                "active_tab": "study",
                "page": page,
                "issuing_body": issuing_body,
                "q": q,
                "bodies": selectors.regulation_issuing_bodies(user=request.user),
                "query_base": urlencode(base),
            },
        )


# Staff ------------------------------------------------------------------------------------


class StaffStudyView(StaffPageMixin, View):
    """学习情况: published articles with how many members in scope opened and finished them."""

    def get(self, request):
        category = request.GET.get("category", "")
        if category not in Article.Category.values:
            category = ""
        required_only = request.GET.get("required") == "1"
        qs = selectors.staff_article_figures(
            user=request.user, category=category or None, required_only=required_only
        )
        page = Paginator(qs, 30).get_page(request.GET.get("page"))
        base = {"category": category} if category else {}
        if required_only:
            base["required"] = "1"
        return render(
            request,
            "learning/staff_study.html",
            {
                "page": page,
                "tabs": CATEGORY_TABS,
                "category": category,
                "required_only": required_only,
                "query_base": urlencode(base),
            },
        )


class StaffArticleStudyView(StaffPageMixin, View):
    """Who in scope studied one article, and who has not opened it."""

    def get(self, request, pk):
        article = selectors.staff_article_get(user=request.user, pk=pk)
        state = request.GET.get("state", "all")
        if state not in selectors.STATES:
            state = "all"
        rows = selectors.article_study_rows(user=request.user, article=article, state=state)
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "learning/staff_article_study.html",
            {
                "article": article,
                "figures": selectors.article_figures(user=request.user, article=article),
                "page": page,
                "state": state,
                "states": [
                    ("all", "全部"),
                    ("not_opened", "未打开"),
                    ("opened", "已打开未学完"),
                    ("finished", "已学完"),
                ],
                "provinces": [province_name(code) for code in article.province_codes],
            },
        )


class StaffArticleStudyExportView(StaffPageMixin, View):
    def get(self, request, pk):
        article = selectors.staff_article_get(user=request.user, pk=pk)
        rows = selectors.article_study_rows(user=request.user, article=article)
        from members.services import export_jobs
        from members.services.audit import audit_record
        from sanyuan.net import client_ip

        if export_jobs.export_needs_job(rows):
            job = export_jobs.export_job_create(
                actor=request.user,
                kind="learning.study",
                title=f"《{article.title[:60]}》学习情况",
                params={"article": article.pk},
                ip=client_ip(request),
            )
            return redirect("members:staff-export", pk=job.pk)
        audit_record(
            actor=request.user,
            action="learning.study_export",
            target=article,
            ip=client_ip(request),
            detail={"article": article.pk},
        )
        return exports.study_rows_response(article=article, rows=rows)
