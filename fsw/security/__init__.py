"""SDLS on the uplink, on board: ProcessSecurity before the FARM, keys and associations managed by command."""
