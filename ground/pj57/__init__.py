"""The PJ57 mission: the flyby procedure, its report and the demo that flies it against fsw.

It uses the ground library (ground.procedures, ground.images, ...); the library never imports it.
"""
