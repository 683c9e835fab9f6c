from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class ActivityListView(LoginRequiredMixin, TemplateView):
    template_name = "activities/activity_list.html"
    extra_context = {"active_tab": "activities"}
