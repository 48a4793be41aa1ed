"""Deliberation: comments, supports, following projects, notifications and moderation."""
