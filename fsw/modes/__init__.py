"""Modes and fault protection: nominal, safe, arming of hazardous commands."""
