"""The simulated world behind the sim hardware backend: the camera's thermal node and the anneal
law, the detector and its radiation damage, the scene it looks at. Flight never imports it: it
commands and measures through fsw.hw, whose sim backend is built from these parts."""
