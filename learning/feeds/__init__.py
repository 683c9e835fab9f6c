"""Syncing the county public account (三原县党建) into the learning library."""
