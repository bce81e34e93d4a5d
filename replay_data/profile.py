"""Per-queue demand models: the intraday arrival shape and the duration distributions.

Hours are local hours of day (0..24) in the configured time zone; durations are whole
seconds. The shape is double-peaked (morning ~10:00, afternoon ~14:30) and is a relative
rate 0..1 (1 = the queue's peak); the simulator scales it to what the roster can serve.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cached_property

from schemas.events import Channel


@dataclass(frozen=True)
class Lognormal:
    """A lognormal duration (seconds) given by its median and sigma, clamped to [low, high]."""

    median_s: float
    sigma: float
    low_s: int
    high_s: int

    def draw(self, rng: random.Random) -> int:
        # Resample the tails (rather than clip) so no mass piles up at the bounds.
        for _ in range(20):
            value = rng.lognormvariate(math.log(self.median_s), self.sigma)
            if self.low_s <= value <= self.high_s:
                return round(value)
        return round(min(max(self.median_s, self.low_s), self.high_s))

    @property
    def mean_s(self) -> float:
        return self.median_s * math.exp(self.sigma**2 / 2)


@dataclass(frozen=True)
class QueueModel:
    """How customers of one queue arrive and behave; hours local, durations seconds."""

    channel: Channel
    open_hour: float
    close_hour: float
    conversation: Lognormal
    acw: Lognormal
    patience: Lognormal
    night_level: float = 0.0  # relative rate outside the day peaks (24 h queues only)
    morning_peak: float = 1.0
    afternoon_peak: float = 0.85
    self_service_ratio: float = 0.0  # IVR/bot resolutions per offered contact
    transfer_to: str | None = None
    transfer_ratio: float = 0.0  # share of ended conversations transferred, 0..1
    hold_ratio: float = 0.0  # share of voice conversations with hold time, 0..1

    @property
    def handle_mean_s(self) -> float:
        return self.conversation.mean_s + self.acw.mean_s

    def _raw_shape(self, hour: float) -> float:
        morning = self.morning_peak * math.exp(-((hour - 10.0) ** 2) / (2 * 1.3**2))
        afternoon = self.afternoon_peak * math.exp(-((hour - 14.5) ** 2) / (2 * 1.6**2))
        daytime = 0.18 if 8.0 <= hour < 20.0 else 0.0
        return max(self.night_level, daytime + morning + afternoon)

    @cached_property
    def _peak(self) -> float:
        return max(self._raw_shape(minute / 60) for minute in range(24 * 60))

    def shape(self, hour: float) -> float:
        """Relative arrival rate (0..1, 1 = the day's peak) at a local hour of day."""
        if not self.open_hour <= hour < self.close_hour:
            return 0.0
        return self._raw_shape(hour) / self._peak


_VOICE_PATIENCE = Lognormal(median_s=70, sigma=0.6, low_s=8, high_s=110)
_CHAT_PATIENCE = Lognormal(median_s=150, sigma=0.5, low_s=20, high_s=280)
# During the injected overload burst customers hold on much longer than usual.
BURST_PATIENCE = Lognormal(median_s=200, sigma=0.5, low_s=30, high_s=420)

QUEUE_MODELS: dict[str, QueueModel] = {
    "claims_report": QueueModel(
        channel="voice",
        open_hour=0.0,
        close_hour=24.0,
        night_level=0.06,
        conversation=Lognormal(280, 0.45, 40, 1100),
        acw=Lognormal(40, 0.4, 5, 180),
        patience=_VOICE_PATIENCE,
        self_service_ratio=0.20,
        transfer_to="policy_service",
        transfer_ratio=0.02,
        hold_ratio=0.35,
    ),
    "policy_service": QueueModel(
        channel="voice",
        open_hour=8.0,
        close_hour=20.0,
        conversation=Lognormal(320, 0.45, 40, 1100),
        acw=Lognormal(50, 0.4, 5, 240),
        patience=_VOICE_PATIENCE,
        self_service_ratio=0.35,
        transfer_to="complaints",
        transfer_ratio=0.03,
        hold_ratio=0.30,
    ),
    "complaints": QueueModel(
        channel="voice",
        open_hour=8.0,
        close_hour=20.0,
        afternoon_peak=0.95,
        conversation=Lognormal(480, 0.4, 60, 1100),
        acw=Lognormal(110, 0.4, 10, 400),
        patience=_VOICE_PATIENCE,
        transfer_to="policy_service",
        transfer_ratio=0.02,
        hold_ratio=0.40,
    ),
    "new_policy_callback": QueueModel(
        channel="voice",
        open_hour=8.0,
        close_hour=20.0,
        conversation=Lognormal(200, 0.4, 30, 900),
        acw=Lognormal(30, 0.4, 5, 120),
        patience=_VOICE_PATIENCE,
        self_service_ratio=0.10,
        hold_ratio=0.10,
    ),
    "chat_claims": QueueModel(
        channel="chat",
        open_hour=8.0,
        close_hour=22.0,
        conversation=Lognormal(540, 0.45, 60, 1700),
        acw=Lognormal(30, 0.4, 5, 120),
        patience=_CHAT_PATIENCE,
        self_service_ratio=0.40,
        transfer_to="chat_service",
        transfer_ratio=0.03,
    ),
    "chat_service": QueueModel(
        channel="chat",
        open_hour=8.0,
        close_hour=22.0,
        afternoon_peak=0.9,
        conversation=Lognormal(420, 0.45, 60, 1700),
        acw=Lognormal(25, 0.4, 5, 120),
        patience=_CHAT_PATIENCE,
        self_service_ratio=0.50,
        transfer_to="chat_claims",
        transfer_ratio=0.02,
    ),
}


def queue_model(queue: str, channel: Channel) -> QueueModel:
    """The model of a queue; queues not in `QUEUE_MODELS` get a generic one per channel."""
    known = QUEUE_MODELS.get(queue)
    if known is not None and known.channel == channel:
        return known
    if channel == "chat":
        return QueueModel(
            channel="chat",
            open_hour=8.0,
            close_hour=22.0,
            conversation=Lognormal(480, 0.45, 60, 1700),
            acw=Lognormal(30, 0.4, 5, 120),
            patience=_CHAT_PATIENCE,
        )
    return QueueModel(
        channel="voice",
        open_hour=8.0,
        close_hour=20.0,
        conversation=Lognormal(300, 0.45, 40, 1100),
        acw=Lognormal(45, 0.4, 5, 200),
        patience=_VOICE_PATIENCE,
        hold_ratio=0.25,
    )
