"""Writes of the appraisals app: each service checks its own permission, locks the round's
row and audits what staff do (never a ballot)."""

from .ballot import ballot_cast, self_assessment_save
from .decisions import paper_tally_record, rating_approve, rating_record, rating_reject
from .exports import appraisal_export
from .rounds import appraisal_finish, appraisal_open, ballot_close, reminders_send

__all__ = [
    "appraisal_export",
    "appraisal_finish",
    "appraisal_open",
    "ballot_cast",
    "ballot_close",
    "paper_tally_record",
    "rating_approve",
    "rating_record",
    "rating_reject",
    "reminders_send",
    "self_assessment_save",
]
