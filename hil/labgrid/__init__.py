"""The HIL suite on a labgrid farm: places reserved and released (place.py), a place's board as a
target (target.py), the avr-sim board served for an exporter (avr_board.py), a whole farm on one
machine (local_farm.py), and the exporter and environment configurations (*.yaml)."""
