"""Resolved per-queue and per-team settings, cached (building them per event is too slow)."""

from __future__ import annotations

from schemas.config import QueueRules, Settings, TeamRules
from schemas.events import Channel


class RulesCache:
    """`Settings.queue_rules` / `team_rules` looked up once per queue/channel and team."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._queues: dict[tuple[str, str], QueueRules] = {}
        self._teams: dict[str, TeamRules] = {}

    def queue(self, queue: str, channel: Channel) -> QueueRules:
        key = (queue, channel)
        rules = self._queues.get(key)
        if rules is None:
            rules = self._queues[key] = self.settings.queue_rules(queue, channel)
        return rules

    def queue_own(self, queue: str) -> QueueRules:
        """Rules of a queue for its configured channel (voice when unconfigured)."""
        override = self.settings.queues.get(queue)
        channel: Channel = (override.channel if override else None) or "voice"
        return self.queue(queue, channel)

    def team(self, team: str | None) -> TeamRules:
        name = team or ""
        rules = self._teams.get(name)
        if rules is None:
            rules = self._teams[name] = self.settings.team_rules(name)
        return rules
