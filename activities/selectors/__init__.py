"""Reads of the activities app, always through permissions."""

from .activities import (
    PAST,
    UPCOMING,
    KeysetPage,
    activity_get,
    activity_get_for_manage,
    activity_list,
    activity_page,
    material_get,
    month_calendar,
    my_attendance,
    with_materials,
)
from .cadence import cadence_report
from .sheets import SHOW_CHOICES, attendance_counts, attendance_export_rows, attendance_sheet

__all__ = [
    "PAST",
    "SHOW_CHOICES",
    "UPCOMING",
    "KeysetPage",
    "activity_get",
    "activity_get_for_manage",
    "activity_list",
    "activity_page",
    "attendance_counts",
    "attendance_export_rows",
    "attendance_sheet",
    "cadence_report",
    "material_get",
    "month_calendar",
    "my_attendance",
    "with_materials",
]
