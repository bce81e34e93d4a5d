// Optional alarm on a new critical alert (wallboard `?sound=1`), at most once per cooldown.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  wallboard: {
    alarm: function (criticalIds, params) {
      const noUpdate = window.dash_clientside.no_update;
      if (criticalIds === null || criticalIds === undefined) {
        return noUpdate;  // no data read yet
      }
      const seen = window.__wbSeenCritical || null;
      window.__wbSeenCritical = new Set(criticalIds || []);
      if (!params || !params.sound || seen === null) {
        return noUpdate;  // alerts already active when the page loaded do not ring
      }
      const fresh = (criticalIds || []).filter((id) => !seen.has(id));
      const cooldownMs = (params.sound_cooldown_s || 60) * 1000;
      const last = window.__wbLastAlarm || 0;
      if (fresh.length === 0 || Date.now() - last < cooldownMs) {
        return noUpdate;
      }
      window.__wbLastAlarm = Date.now();
      try {
        const Ctx = window.AudioContext || window.webkitAudioContext;
        const ctx = new Ctx();
        [0, 0.35].forEach(function (offset) {
          const osc = ctx.createOscillator();
          const gain = ctx.createGain();
          osc.frequency.value = 880;
          gain.gain.value = 0.25;
          osc.connect(gain);
          gain.connect(ctx.destination);
          osc.start(ctx.currentTime + offset);
          osc.stop(ctx.currentTime + offset + 0.25);
        });
      } catch (e) {
        // No audio device or autoplay blocked: the ticker still shows the alert.
      }
      return Date.now();
    },
  },
});
