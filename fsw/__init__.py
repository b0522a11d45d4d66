"""Perijove flight software: a Juno-like camera and heater behind a CCSDS-like link."""
