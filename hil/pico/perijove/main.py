# The Pico runs main.py at power-up: the flight program (hil/pico/README.md).
import app

app.run()
