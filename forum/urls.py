from django.urls import path

from . import views

app_name = "forum"

urlpatterns = [path("forum/", views.ThreadListView.as_view(), name="threads")]
