"""The live layer (DESIGN §7): one WebSocket endpoint, a registry of topics that each feature app
fills with its own (`events.register_topic`), presence, events published after commit, and the
on-commit status hook (`status`) through which lower apps announce changes without importing
the app that computes statuses. It imports no feature app."""
