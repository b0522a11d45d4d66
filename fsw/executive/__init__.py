"""Executive: clock, rate groups, ping and time."""
