"""Files: the on-board CFDP entity."""
