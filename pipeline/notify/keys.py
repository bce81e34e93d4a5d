"""Redis keys of the notifier, beside the project's keys (`<prefix>:notify:...`)."""

from __future__ import annotations

from pipeline.redis_keys import RedisKeys

FAILED_MAXLEN = 100_000


class NotifyKeys(RedisKeys):
    """Adds the notifier's keys to `RedisKeys`.

    - `<prefix>:notify:cursor` string: id of the last `alerts:history` entry fully handled.
    - `<prefix>:notify:delivered:<channel>:<transition>:<alert id>` string: sent mark
      (wall-clock RFC 3339), TTL `delivered_ttl_s`.
    - `<prefix>:notify:failed` stream: fields channel, alert_id, transition, reason,
      attempts, failed_at, alert; `MAXLEN ~ 100000`.
    """

    def notify_cursor(self) -> str:
        return self._k("notify", "cursor")

    def notify_delivered(self, channel: str, transition: str, alert_id: str) -> str:
        return self._k("notify", "delivered", channel, transition, alert_id)

    def notify_failed(self) -> str:
        return self._k("notify", "failed")
