"""Decoupled fan-out only: saving or deleting an article drops the cached home sections."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Article


@receiver([post_save, post_delete], sender=Article)
def home_sections_stale(sender, **kwargs):
    try:
        cache.incr("learning:home-version")
    except ValueError:  # not set yet (or the cache was cleared): any new value will do
        cache.set("learning:home-version", 2, timeout=None)
