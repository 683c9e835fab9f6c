"""The transfers world and quick ways to bring a transfer into each state, through the
services (the steps under test elsewhere are the same ones)."""

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from members.models import Organization
from tests import factories
from transfers import services
from transfers.models import IntroductionLetter, Transfer

K = Organization.Kind
_numbers = iter(range(1, 10_000))


def extend_world(w) -> SimpleNamespace:
    """`world` (county; committee A with branches A1, A2; committee B with branch B1; their
    staff; member_a in A1, member_a2 in A2 (no account), member_b in B1) plus a host
    organisation with its staff, a branch-level staff account in A1, and a second county
    whose branch is outside "the county"."""
    w.host = factories.organization("深圳市流动党员服务中心党委", K.HOST, None)
    w.host_staff = factories.staff("host_staff", "committee", w.host)
    w.branch_staff_a1 = factories.staff("branch_a1_staff", "committee", w.branch_a1)
    w.other_county = factories.organization("泾阳县", K.COUNTY, code="C-OTHER")
    w.other_committee = factories.organization("泾阳某镇党委", K.COMMITTEE, w.other_county)
    w.other_branch = factories.organization("泾阳某村党支部", K.BRANCH, w.other_committee)
    w.temp = factories.organization("深圳临时党支部", K.TEMPORARY_BRANCH, w.committee_a)
    return w


def number() -> str:
    return f"SX2026-{next(_numbers):05d}"


def requested(w, member=None, to=None, actor=None) -> Transfer:
    member = member or w.member_a
    return services.transfer_request(
        actor=actor or member.user or w.staff_a,
        member=member,
        to_organization=to or w.branch_b1,
        reason="已在陵前镇定居",
    )


def approved(w, **kwargs) -> Transfer:
    transfer = requested(w, **kwargs)
    return services.transfer_approve(actor=w.staff_a, transfer=transfer)


def home_staff(w, member):
    """The committee staff who keep `member` at home."""
    return w.staff_b if member.organization.is_descendant_of(w.committee_b) else w.staff_a


def prepared(w, member=None) -> Transfer:
    member = member or w.member_a
    return services.transfer_prepare(
        actor=home_staff(w, member),
        member=member,
        to_name="中共深圳市宝安区委组织部",
        reason="在深圳工作生活已满两年，地点固定",
    )


def last_month() -> str:
    return f"{timezone.localdate().replace(day=1) - timedelta(days=1):%Y-%m}"


def issued(w, member=None, days=30, dues=None) -> Transfer:
    transfer = prepared(w, member)
    services.letter_issue(
        actor=w.county_staff,
        transfer=transfer,
        number=number(),
        validity_days=days,
        dues_paid_until=dues or last_month(),
    )
    transfer.refresh_from_db()
    return transfer


def backdate_letter(transfer: Transfer, days: int) -> IntroductionLetter:
    """Make the letter in force as if issued `days` ago."""
    letter = transfer.letters.get(voided_at=None)
    issued_on = timezone.localdate() - timedelta(days=days)
    IntroductionLetter.objects.filter(pk=letter.pk).update(
        issued_on=issued_on, expires_on=issued_on + timedelta(days=letter.validity_days)
    )
    letter.refresh_from_db()
    return letter


def expired(w, member=None) -> Transfer:
    transfer = issued(w, member)
    backdate_letter(transfer, 40)
    services.letters_expire()
    transfer.refresh_from_db()
    return transfer


def incoming_values(w, **overrides) -> dict:
    values = {
        "organization": w.branch_a1,
        "name": "周建华",
        "id_number": factories.valid_id_number("610113", "19880512"),
        "phone": "13912345678",
        "party_standing": "full",
        "letter_number": number(),
        "from_name": "中共西安市雁塔区委组织部",
        "letter_issued_on": timezone.localdate() - timedelta(days=3),
        "validity_days": 30,
        "dues_paid_until": last_month(),
    }
    values.update(overrides)
    return values


def registered(w, **overrides) -> Transfer:
    return services.incoming_register(actor=w.staff_a, **incoming_values(w, **overrides))
