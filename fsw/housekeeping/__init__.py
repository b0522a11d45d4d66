"""PUS-3 housekeeping: periodic and one-shot parameter reports."""
