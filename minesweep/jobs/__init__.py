"""Durable background jobs with progress (long detection runs leave the request cycle)."""
