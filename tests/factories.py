"""Factories for the registry. Organisations and staff go through the services, so tests
build data the way the product does."""

import itertools
import random
from types import SimpleNamespace

import factory
from django.utils import timezone

from members.identity import id_number_check_digit
from members.models import Member, Organization, User
from members.services import organizations
from members.services.accounts import staff_account_upsert, token_create

PASSWORD = "Correct-Horse-9"
_seq = itertools.count(1)
_rng = random.Random(42)


def valid_id_number(
    region: str = "610422", birth: str | None = None, seq: int | None = None
) -> str:
    if birth is None:
        birth = f"{_rng.randint(1960, 2000)}{_rng.randint(1, 12):02d}{_rng.randint(1, 28):02d}"
    if seq is None:
        seq = next(_seq) % 1000
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + id_number_check_digit(first17)


def organization(name=None, kind=Organization.Kind.BRANCH, parent=None, code=None):
    n = next(_seq)
    return organizations.organization_create(
        code=code or f"ORG{n:05d}", name=name or f"测试组织{n}", kind=kind, parent=parent
    )


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Iterator(["张三", "李四", "王五", "赵六", "阿依古丽·买买提", "钱七"])
    phone = factory.Sequence(lambda n: f"139{n:08d}")

    @classmethod
    def _create(cls, model_class, *args, id_number=None, **kwargs):
        member = model_class(*args, **kwargs)
        member.set_id_number(id_number or valid_id_number())
        member.save()
        return member


def activated_member(organization, password=PASSWORD, **kwargs) -> Member:
    member = MemberFactory(organization=organization, **kwargs)
    user = User.objects.create_user(username=f"member-{member.pk}", password=password)
    member.user = user
    member.activated_at = timezone.now()
    member.save(update_fields=["user", "activated_at"])
    return member


def staff(username, tier, organization, password=PASSWORD) -> User:
    return staff_account_upsert(
        username=username, password=password, tier=tier, organization=organization
    )


def token_for(user):
    return token_create(user=user)


def build_world() -> SimpleNamespace:
    K = Organization.Kind
    county = organization("三原县", K.COUNTY, code="C-COUNTY")
    committee_a = organization("城关街道党工委", K.COMMITTEE, county, code="C-A")
    branch_a1 = organization("东关社区党支部", K.BRANCH, committee_a, code="C-A-1")
    branch_a2 = organization("西关社区党支部", K.BRANCH, committee_a, code="C-A-2")
    committee_b = organization("陵前镇党委", K.COMMITTEE, county, code="C-B")
    branch_b1 = organization("陵前村党支部", K.BRANCH, committee_b, code="C-B-1")
    w = SimpleNamespace(
        county=county,
        committee_a=committee_a,
        branch_a1=branch_a1,
        branch_a2=branch_a2,
        committee_b=committee_b,
        branch_b1=branch_b1,
    )
    w.county_staff = staff("county_staff", "county", county)
    w.staff_a = staff("staff_a", "committee", committee_a)
    w.staff_b = staff("staff_b", "committee", committee_b)
    w.member_a = activated_member(branch_a1, name="张三")
    w.member_a2 = MemberFactory(organization=branch_a2, name="李四")
    w.member_b = activated_member(branch_b1, name="王五")
    return w


STAFF_BACKEND = "members.backends.StaffBackend"


def login_staff(client, user, backend=STAFF_BACKEND):
    """`client.force_login` for staff, with the session verified by a second factor where the
    account needs one (county tier), as the staff login page leaves it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from members.services.second_factor import second_factor_required

    client.force_login(user, backend=backend)
    if second_factor_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="测试", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def totp_now(device) -> str:
    """The device's current code (what the authenticator app shows)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF (pypdf) with blank pages: uploads must parse and have a page."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
