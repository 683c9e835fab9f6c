"""Writes of the activities app (DESIGN.md: services own the transaction and the rules)."""

from .attendance import (
    attendance_confirm_study,
    attendance_reply,
    attendance_reply_for_member,
    participation_record,
)
from .lifecycle import (
    ActivityInput,
    activity_cancel,
    activity_clean,
    activity_create,
    activity_mark_held,
    activity_publish,
    activity_update,
)
from .materials import material_add, material_delete
from .reminders import activity_reminder_send, activity_reminders_due, activity_reminders_send

__all__ = [
    "ActivityInput",
    "activity_cancel",
    "activity_clean",
    "activity_create",
    "activity_mark_held",
    "activity_publish",
    "activity_reminder_send",
    "activity_reminders_due",
    "activity_reminders_send",
    "activity_update",
    "attendance_confirm_study",
    "attendance_reply",
    "attendance_reply_for_member",
    "material_add",
    "material_delete",
    "participation_record",
]
