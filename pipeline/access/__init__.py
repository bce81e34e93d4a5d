"""Access, privacy and audit (T/IAC 40-2021 clause 8.1): who may see what, masked
customer identifiers, screen tokens for TVs and the audit trail. See docs/access.md
in the report and docs/redis-layout.md for the keys."""
