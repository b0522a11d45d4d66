"""The ground server: the one process that owns the link (`ground serve`).

It holds everything that must outlive one client: the uplink counters (saved before anything is
radiated, so no request id repeats across clients or restarts), the command tracker, the archive
and the latest telemetry; clients (the CLI subcommands, the procedures API) attach over HTTP and
WebSocket (ground/server/api.py, documented in docs/GROUND.md).
"""
