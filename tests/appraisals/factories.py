"""The appraisals world: world (tests.factories.build_world) plus, in branch A1 beside member
A (张三, full member with an account): a second full member with an account, a probationary
member with an account and a full member without an account (votes on paper)."""

from datetime import timedelta

from django.utils import timezone

from appraisals import services
from tests import factories


def extend_world(w):
    w.voter2 = factories.activated_member(w.branch_a1, name="赵六")
    w.probationary = factories.activated_member(
        w.branch_a1, name="钱七", party_standing="probationary"
    )
    w.paper = factories.MemberFactory(organization=w.branch_a1, name="孙八")
    return w


def dates(**overrides) -> dict:
    """A round whose self-assessment and ballot are open today."""
    today = timezone.localdate()
    values = {
        "self_assessment_ends_on": today + timedelta(days=3),
        "ballot_starts_on": today,
        "ballot_ends_on": today + timedelta(days=5),
        "decision_ends_on": today + timedelta(days=20),
    }
    values.update(overrides)
    return values


def open_round(w, organization=None, actor=None, year=None, **overrides):
    return services.appraisal_open(
        actor=actor or w.county_staff,
        organization=organization or w.branch_a1,
        year=year or timezone.localdate().year,
        **dates(**overrides),
    )


def ballot_for(appraisal, voter, rating="qualified", special=None) -> list[dict]:
    """A full ballot: every other participant rated `rating`, except those in `special`
    (member pk → rating)."""
    others = appraisal.participants.exclude(member_id=voter.pk).values_list("member_id", flat=True)
    special = special or {}
    return [{"member": pk, "rating": special.get(pk, rating)} for pk in others]
