"""What the tests share: fakes for the daemon's ports, config builders, and desktop harnesses."""
