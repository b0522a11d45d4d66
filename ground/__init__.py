"""Perijove ground station: commanding, telemetry, archive, images and procedures."""
