"""Decoupled fan-out only: a deactivated account loses its API tokens at once, however it
was deactivated (admin, service, shell)."""

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
