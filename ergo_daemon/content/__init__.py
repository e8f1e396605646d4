"""What the reminders say: the shipped catalogue, rotation, and composed notices."""
