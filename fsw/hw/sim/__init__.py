"""The simulated world, the sim hardware backend: the camera's thermal node and the anneal law
(thermal), the detector and its radiation damage (detector, radiation), the scene it looks at
(scene), the camera head built from them (camera), and the backend with its injectable faults
(backend). Flight never imports it: it commands and measures through fsw.hw's interface.
"""
