from django.urls import path

from . import api

urlpatterns = [
    path("articles/", api.ArticleListApi.as_view(), name="article-list"),
    path("articles/<int:pk>/", api.ArticleDetailApi.as_view(), name="article-detail"),
    path("articles/<int:pk>/study/", api.ArticleStudyApi.as_view(), name="article-study"),
    path("articles/<int:pk>/saved/", api.SavedArticleApi.as_view(), name="article-saved"),
    path("saved-articles/", api.SavedArticleListApi.as_view(), name="saved-article-list"),
    path(
        "articles/<int:pk>/study-figures/",
        api.ArticleStudyFiguresApi.as_view(),
        name="article-study-figures",
    ),
    path(
        "articles/<int:pk>/cover/<str:size>/",
        api.ArticleCoverApi.as_view(),
        name="article-cover",
    ),
    path(
        "articles/<int:pk>/attachments/<int:attachment_pk>/",
        api.ArticleAttachmentApi.as_view(),
        name="article-attachment",
    ),
    path("study-records/", api.StudyHistoryApi.as_view(), name="study-record-list"),
    path("study-records/summary/", api.StudySummaryApi.as_view(), name="study-summary"),
]
