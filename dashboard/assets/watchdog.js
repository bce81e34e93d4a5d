// The browser half of the watchdog (see dashboard/watchdog.py). Every page hands its
// config (stale limit, zone, texts) and each tick's beat to `watchdog.beat`; a 1-s timer
// here decides staleness without asking the server, so a hung or dead dashboard server,
// a dropped network or a stopped pipeline all end in the same stale banner, and runs
// the wallboard's clock.
(function () {
  const state = {
    config: null, // {stale_s, zone, lang, texts}
    lastBeatMs: null, // Date.now() when the last beat (or the page's config) arrived
    beat: null, // the last beat: {at, stale, text, stale_s, zone, replay, data_now}
  };
  const formats = {};

  function clockText(date, zone) {
    let format = formats[zone];
    if (!format) {
      try {
        format = new Intl.DateTimeFormat("en-GB", {
          timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit",
          hourCycle: "h23",
        });
      } catch (e) {
        format = new Intl.DateTimeFormat("en-GB", {
          hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
        });
      }
      formats[zone] = format;
    }
    return format.format(date);
  }

  function fill(template, time) {
    return String(template || "").replace("{time}", time);
  }

  function staleness(nowMs) {
    const config = state.config;
    const beat = state.beat;
    const limitS = (beat && beat.stale_s) || config.stale_s || 10;
    const zone = (beat && beat.zone) || config.zone;
    if (nowMs - state.lastBeatMs > limitS * 1000) {
      return { stale: true, text: fill(config.texts.no_updates,
                                        clockText(new Date(state.lastBeatMs), zone)) };
    }
    if (beat && beat.stale) {
      return { stale: true, text: beat.text };
    }
    return { stale: false, text: "" };
  }

  function tick() {
    if (!state.config || document.body === null) {
      return;
    }
    const nowMs = Date.now();
    const verdict = staleness(nowMs);
    document.body.classList.toggle("wb-stale", verdict.stale);
    const banner = document.getElementById("wd-banner");
    if (banner !== null && banner.textContent !== verdict.text) {
      banner.textContent = verdict.text;
    }
    // A page's own banner place (the wallboard's title slot) gets the same text.
    for (const inline of document.getElementsByClassName("wd-banner-inline")) {
      if (inline.textContent !== verdict.text) {
        inline.textContent = verdict.text;
      }
    }
    const clock = document.getElementById("wb-clock");
    if (clock !== null) {
      const beat = state.beat;
      const zone = (beat && beat.zone) || state.config.zone;
      let text = clockText(new Date(nowMs), zone);
      if (beat && beat.replay && beat.data_now) {
        text = fill(state.config.texts.replay_clock, clockText(new Date(beat.data_now), zone));
      }
      if (clock.textContent !== text) {
        clock.textContent = text;
      }
    }
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    watchdog: {
      beat: function (config, beat) {
        if (config && config !== state.config) {
          // A page (re)loaded: its layout came from the server just now.
          state.config = config;
          state.lastBeatMs = Date.now();
          state.beat = null;
        }
        if (beat && (state.beat === null || beat.at !== state.beat.at)) {
          state.beat = beat;
          state.lastBeatMs = Date.now();
        }
        tick();
        return window.dash_clientside.no_update;
      },
    },
  });
  window.__wbWatchdog = state; // for the browser tests
  setInterval(tick, 1000);
})();
