from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class ThreadListView(LoginRequiredMixin, TemplateView):
    template_name = "forum/thread_list.html"
    extra_context = {"active_tab": "forum"}
