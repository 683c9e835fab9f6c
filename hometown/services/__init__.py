"""Writes of hometown ties; each service checks its own permission and audits."""

from .cases import (
    support_case_ask,
    support_case_open,
    support_case_step_add,
    support_cases_remind_stale,
)
from .exports import hometown_figures_export
from .group import (
    campaign_publish,
    contribution_decide,
    contribution_record,
    pacesetter_name,
    support_group_join,
    support_group_leave,
)

__all__ = [
    "campaign_publish",
    "contribution_decide",
    "contribution_record",
    "hometown_figures_export",
    "pacesetter_name",
    "support_case_ask",
    "support_case_open",
    "support_case_step_add",
    "support_cases_remind_stale",
    "support_group_join",
    "support_group_leave",
]
