"""The actor registry: one actor per armed group or force, with every spelling users type."""
