"""Component ids of every page, in one place (pattern-matching ids are dicts built here)."""

from __future__ import annotations

# App shell
SHELL = "shell"

# Watchdog (every page; see dashboard.watchdog and assets/watchdog.js)
WD_BANNER = "wd-banner"
WD_CONFIG = "wd-config"
WD_BEAT = "wd-beat"
WD_SINK = "wd-sink"

# Wallboard
WB_ROOT = "wb-root"
WB_INTERVAL = "wb-interval"
WB_PARAMS = "wb-params"
WB_LAST_OK = "wb-last-ok"
WB_CLOCK = "wb-clock"
WB_FRESHNESS = "wb-freshness"
WB_TICKER = "wb-ticker"
WB_GRID = "wb-agent-grid"
WB_GRID_PAGE = "wb-agent-grid-page"
WB_TILES = "wb-tiles"
WB_CRITICAL = "wb-critical-alerts"
WB_SOUND_DUMMY = "wb-sound-dummy"
WB_STAFF_INTERVAL = "wb-staffing-interval"
WB_STAFF_GAP = "wb-staffing-gap"
WB_STAFF_GAP_VALUE = "wb-staffing-gap-value"
WB_STAFF_GAP_SOURCE = "wb-staffing-gap-source"
WB_HEADLINE = "wb-headline"
WB_WAITING = "wb-waiting"
WB_OLDEST = "wb-oldest"
WB_AGENT_SUMMARY = "wb-agent-summary"
WB_AS_OF = "wb-as-of"
TILE = "wb-tile"  # one row of the wallboard's queue board
TILE_VALUE = "wb-tile-value"
FLOOR = "@all"  # the `queue` key of the floor-summary tile (not a valid queue name)

# Queue page
Q_INTERVAL = "q-interval"
Q_PARAMS = "q-params"
Q_CURSOR = "q-history-cursor"
Q_KPIS = "q-kpis"
Q_CHART = "q-chart"
Q_TABLE = "q-interval-table"
Q_AGENTS = "q-agents"
Q_DAYS_CHOICE = "q-days-choice"
Q_DAYS_NOTE = "q-days-note"
Q_DAYS_BODY = "q-days-body"
Q_DAYS_CHART = "q-days-chart"
Q_DAYS_TABLE = "q-days-table"
Q_PROFILE_CHART = "q-profile-chart"
Q_STAFF_INTERVAL = "q-staffing-interval"
Q_STAFF_NOTE = "q-staffing-note"
Q_STAFF_BODY = "q-staffing-body"

# Team page
T_INTERVAL = "t-interval"
T_PARAMS = "t-params"
T_TABLE = "t-agents"
T_SUMMARY = "t-summary"
T_ADH_INTERVAL = "t-adherence-interval"
T_ADH_TABLE = "t-adherence"
T_ADH_NOTE = "t-adherence-note"

# Agent page
A_INTERVAL = "a-interval"
A_PARAMS = "a-params"
A_STATE = "a-state"
A_KPIS = "a-kpis"
A_TIMELINE = "a-timeline"
A_ANOMALIES = "a-anomalies"

# Alerts page
AL_INTERVAL = "al-interval"
AL_PARAMS = "al-params"
AL_KIND = "al-filter-kind"
AL_QUEUE = "al-filter-queue"
AL_TEAM = "al-filter-team"
AL_ACTIVE = "al-active"
AL_HISTORY = "al-history"
AL_ACK_BY = "al-ack-by"
AL_ACK_NOTE = "al-ack-note"
AL_ACK_BUTTON = "al-ack-button"
AL_ACK_RESULT = "al-ack-result"

# Agent's own view
ME_INTERVAL = "me-interval"
ME_PARAMS = "me-params"
ME_TABLE = "me-table"
ME_ANOMALIES = "me-anomalies"
ME_STATE = "me-state"
ME_WEEK = "me-week"
ME_WEEK_NOTE = "me-week-note"


def tile(queue: str) -> dict[str, str]:
    return {"type": TILE, "queue": queue}


def tile_value(queue: str, field: str) -> dict[str, str]:
    return {"type": TILE_VALUE, "queue": queue, "field": field}



def watch(kind: str, page: str) -> str:
    """A page's watchdog store: `kind` is WD_CONFIG, WD_BEAT or WD_SINK (plain string ids,
    so each page's tick callback writes its own beat store)."""
    return f"{page}-{kind}"
