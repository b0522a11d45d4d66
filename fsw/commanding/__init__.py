"""The command dispatcher and PUS-1 verification."""
