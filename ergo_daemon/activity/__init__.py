"""Activity sources (idle time and lock), one module each; ``ergo_daemon.backends`` picks one."""
