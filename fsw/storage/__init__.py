"""Persistence that survives kill -9: atomic, checksummed files; corrupt ones are quarantined."""

from .atomic import AtomicStore, CorruptFile
from .state import StateFile

__all__ = ["AtomicStore", "CorruptFile", "StateFile"]
