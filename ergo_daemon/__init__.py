"""ergo-daemon: break, stretch, posture, hydration and eye-rest reminders timed by real activity."""

__version__ = "0.1.0"
