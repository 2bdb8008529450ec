"""Cross-cutting plumbing: errors, privacy middleware, operator commands (serve, demo, check)."""
