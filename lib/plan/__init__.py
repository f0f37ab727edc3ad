"""Planning: capacity and load, the delivery promise, and order review."""
