"""Decoupled fan-out only: a deactivated account loses its API tokens at once, however it
was deactivated (admin, service, shell)."""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from knox.models import AuthToken

from .models import User


@receiver(pre_save, sender=User)
def remember_previous_active(sender, instance: User, **kwargs):
    if instance.pk:
        instance._was_active = (
            User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
        )


@receiver(post_save, sender=User)
def end_tokens_of_deactivated_user(sender, instance: User, created, **kwargs):
    if not created and getattr(instance, "_was_active", False) and not instance.is_active:
        AuthToken.objects.filter(user=instance).delete()


@receiver(user_logged_in)
def member_login_ends_lost_contact_alert(sender, request, user, **kwargs):
    """A member's own login ends a lost-contact alert (members.services.alerts)."""
    from .models import Member
    from .services.alerts import lost_contact_clear

    member_id = Member.objects.filter(user=user).values_list("pk", flat=True).first()
    if member_id is not None:
        lost_contact_clear(member_id=member_id)


@receiver([post_save, post_delete], sender="members.OrganizationUserObjectPermission")
@receiver([post_save, post_delete], sender="members.OrganizationGroupObjectPermission")
def grants_changed(sender, **kwargs):
    """Cached grant lists (members.permissions) are dropped when a grant changes."""
    from .permissions import grants_changed as drop

    drop()


@receiver(m2m_changed, sender=User.groups.through)
def group_membership_changed(sender, **kwargs):
    """Joining or leaving a group that holds grants changes the account's scope."""
    from .permissions import grants_changed as drop

    drop()
