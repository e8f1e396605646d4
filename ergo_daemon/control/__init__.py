"""The local control channel between ``ergo-daemon`` commands and the running daemon."""
