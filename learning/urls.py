from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("study/", views.StudyView.as_view(), name="study"),
    path("study/mine/", views.MyStudyView.as_view(), name="my-study"),
    path("study/regulations/", views.RegulationLibraryView.as_view(), name="regulations"),
    path("articles/<int:pk>/", views.ArticleView.as_view(), name="article"),
    path("articles/<int:pk>/finish/", views.ArticleFinishView.as_view(), name="article-finish"),
    path("articles/<int:pk>/save/", views.ArticleSaveView.as_view(), name="article-save"),
    path("staff/study/", views.StaffStudyView.as_view(), name="staff-study"),
    path(
        "staff/study/articles/<int:pk>/",
        views.StaffArticleStudyView.as_view(),
        name="staff-article-study",
    ),
    path(
        "staff/study/articles/<int:pk>/export.xlsx",
        views.StaffArticleStudyExportView.as_view(),
        name="staff-article-study-export",
    ),
]
