"""The JunoCam-like camera: power, configuration, capture, image store, radiation damage."""
