"""PUS-11 time-based schedule."""
