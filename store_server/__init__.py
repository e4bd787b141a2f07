"""The store server: services on the store's box beside the broker (the recorder)."""
