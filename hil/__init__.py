"""Hardware-in-the-loop bench: one test suite, run against a loopback, a pty, an emulated
Arduino (simavr) or a real board (`pytest hil --target loop|pty|avr-sim|serial`)."""
