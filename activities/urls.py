from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    # Members (活动)
    path("activities/", views.ActivityListView.as_view(), name="list"),
    path("activities/calendar/", views.ActivityCalendarView.as_view(), name="calendar"),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="detail"),
    path("activities/<int:pk>/reply/", views.ActivityReplyView.as_view(), name="reply"),
    path("activities/<int:pk>/study/", views.ActivityStudyView.as_view(), name="study"),
    path(
        "activities/materials/<int:pk>/file/",
        views.MaterialFileView.as_view(),
        name="material-file",
    ),
    # Staff
    path("staff/activities/", views.StaffActivityListView.as_view(), name="staff-list"),
    path("staff/activities/new/", views.StaffActivityCreateView.as_view(), name="staff-create"),
    path("staff/activities/cadence/", views.StaffCadenceView.as_view(), name="staff-cadence"),
    path(
        "staff/activities/<int:pk>/", views.StaffActivityDetailView.as_view(), name="staff-detail"
    ),
    path(
        "staff/activities/<int:pk>/edit/", views.StaffActivityEditView.as_view(), name="staff-edit"
    ),
    path(
        "staff/activities/<int:pk>/publish/",
        views.StaffActivityPublishView.as_view(),
        name="staff-publish",
    ),
    path(
        "staff/activities/<int:pk>/held/", views.StaffActivityHeldView.as_view(), name="staff-held"
    ),
    path(
        "staff/activities/<int:pk>/cancel/",
        views.StaffActivityCancelView.as_view(),
        name="staff-cancel",
    ),
    path(
        "staff/activities/<int:pk>/materials/",
        views.StaffMaterialAddView.as_view(),
        name="staff-material-add",
    ),
    path(
        "staff/activities/materials/<int:pk>/delete/",
        views.StaffMaterialDeleteView.as_view(),
        name="staff-material-delete",
    ),
    path(
        "staff/activities/<int:pk>/attendance/",
        views.StaffAttendanceSheetView.as_view(),
        name="staff-attendance",
    ),
    path(
        "staff/activities/<int:pk>/attendance/reply/",
        views.StaffAttendanceReplyView.as_view(),
        name="staff-attendance-reply",
    ),
    path(
        "staff/activities/<int:pk>/attendance.xlsx",
        views.StaffAttendanceExportView.as_view(),
        name="staff-attendance-export",
    ),
]
