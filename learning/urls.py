from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("study/", views.StudyView.as_view(), name="study"),
]
