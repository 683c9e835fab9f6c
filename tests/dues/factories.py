"""Quick ways to give a member a dues account and a reviewed base, through the services."""

from datetime import date

from dues import services


def account(
    w,
    member=None,
    *,
    category="wage",
    base_fen=400_000,
    starts_on=None,
    year=None,
    fixed_fen=None,
    note="",
):
    """A dues account for `member` (member_a) kept by committee A's staff, with a reviewed
    base for `year` (the start's year) when the category needs one."""
    member = member or w.member_a
    staff = w.staff_b if member.organization.is_descendant_of(w.committee_b) else w.staff_a
    starts_on = starts_on or date(2026, 1, 1)
    acct = services.account_set(
        actor=staff,
        member=member,
        dues_category=category,
        fixed_fen=fixed_fen,
        decision_note=note,
        starts_on=starts_on,
    )
    if category in ("wage", "retiree"):
        services.base_set(
            actor=staff, member=member, year=year or starts_on.year, base_fen=base_fen
        )
    return acct
