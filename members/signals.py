"""Decoupled fan-out only: a deactivated account loses its API tokens at once, however it
was deactivated (admin, service, shell)."""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save, pre_save
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
def start_idle_clock(sender, request, user, **kwargs):
    """A new session starts its idle clock at login (members.middleware.SessionIdleMiddleware)."""
    import time

    from django.conf import settings

    from .middleware import SEEN_KEY

    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = int(time.time())
        request.session.set_expiry(
            settings.STAFF_SESSION_IDLE_SECONDS if user.is_staff else settings.SESSION_IDLE_SECONDS
        )
