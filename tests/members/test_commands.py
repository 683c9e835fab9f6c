import pytest
from django.core.management import CommandError, call_command

from members import permissions
from members.models import Member, Organization, User
from tests import factories

pytestmark = pytest.mark.django_db


def test_add_staff_creates_then_updates_the_same_account(world):
    call_command(
        "add_staff",
        "wang",
        "--password",
        "First-Pass-123",
        "--tier",
        "committee",
        "--organization",
        "C-A",
    )
    call_command(
        "add_staff",
        "wang",
        "--password",
        "First-Pass-123",
        "--tier",
        "committee",
        "--organization",
        "C-A",
    )
    user = User.objects.get(username="wang")
    assert user.check_password("First-Pass-123") and user.is_staff
    assert [org.code for org in permissions.scope_of(user).grants] == ["C-A"]

    call_command(
        "add_staff",
        "wang",
        "--password",
        "Second-Pass-456",
        "--tier",
        "committee",
        "--organization",
        "C-B",
    )
    user = User.objects.get(username="wang")
    assert user.check_password("Second-Pass-456")
    assert [org.code for org in permissions.scope_of(user).grants] == ["C-B"]
    assert User.objects.filter(username="wang").count() == 1


def test_add_staff_county_defaults_to_the_single_county(world):
    call_command("add_staff", "zhao", "--password", "First-Pass-123", "--tier", "county")
    assert permissions.scope_of(User.objects.get(username="zhao")).tier == "county"


@pytest.mark.parametrize(
    "args",
    [
        ["--tier", "committee"],
        ["--tier", "committee", "--organization", "NOPE"],
        ["--tier", "county", "--organization", "C-A"],
        ["--tier", "committee", "--organization", "C-COUNTY"],
    ],
)
def test_add_staff_refuses_a_grant_that_does_not_fit_the_tier(world, args):
    with pytest.raises(CommandError):
        call_command("add_staff", "li", "--password", "First-Pass-123", *args)
    assert not User.objects.filter(username="li").exists()


def test_seed_demo_refuses_a_database_that_already_holds_data(world):
    with pytest.raises(CommandError, match="refuses"):
        call_command("seed_demo", "--members", "10")


def _delete_members_and_their_records():
    """Records that protect an archive from deletion (appraisals, support cases …) go first:
    deleting an archive by accident must fail, so the test clears them on purpose."""
    from django.apps import apps
    from django.db import models

    protecting = [
        model
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey)
        and field.related_model is Member
        and field.remote_field.on_delete is models.PROTECT
    ]
    for _ in range(len(protecting) + 1):
        try:
            Member.objects.all().delete()
            return
        except models.ProtectedError:
            for model in protecting:
                try:
                    model._default_manager.all().delete()
                except models.ProtectedError:
                    continue
    Member.objects.all().delete()


def test_seed_demo_builds_a_county_with_valid_archives_deterministically(db):
    call_command("seed_demo", "--members", "40", "--seed", "7")
    first = sorted(Member.objects.values_list("name", "id_number_hash"))
    assert Member.objects.count() == 40
    assert Organization.objects.filter(kind="committee").count() == 10
    assert permissions.scope_of(User.objects.get(username="county_admin")).tier == "county"
    assert permissions.scope_of(User.objects.get(username="chengguan_admin")).tier == "committee"
    _delete_members_and_their_records()
    call_command("seed_demo", "--members", "40", "--seed", "7", "--force")
    assert sorted(Member.objects.values_list("name", "id_number_hash")) == first


def test_superuser_is_not_a_tier(db):
    root = User.objects.create_superuser("root", password="Root-Pass-123")
    factories.build_world()
    assert permissions.scope_of(root).tier is None
    assert not permissions.filter_members_visible_to(root).exists()
