"""Alert notifications: read `wb:alerts:history`, route, format per vendor and deliver.

Modules: `keys` (Redis keys), `clock`, `credentials` (URLs and secrets), `routing`
(routes and quiet hours), `messages` (vendor-neutral content), `signing`, `formatters`
(vendor payloads), `transport` (HTTP POST and response checks), `ratelimit`, `delivery`
(per-channel sender workers with retries), `notifier` (the loop run by
`wallboard alerts run`).
"""
