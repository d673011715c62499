"""Standard library only: what every Comptoir process may import, under either Python."""
