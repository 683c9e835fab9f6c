from django.views.generic import TemplateView


class HomeView(TemplateView):
    """首页. Public: anyone may open it; members see their own strip."""

    template_name = "learning/home.html"
    extra_context = {"active_tab": "home"}


class StudyView(TemplateView):
    template_name = "learning/study.html"
    extra_context = {"active_tab": "study"}
