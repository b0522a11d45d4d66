"""The camera heater, the thermal model and annealing."""
