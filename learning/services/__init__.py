"""Writes of the learning library (services for articles, study records; feed sync lives in
learning.feeds)."""
