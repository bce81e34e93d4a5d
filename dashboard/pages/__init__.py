"""One module per page; each has `register(app)` (register_page + its callbacks)."""
