"""Leads (线索) and the case workflow (案件办理) that applies the eight measures."""
