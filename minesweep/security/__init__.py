"""Secrets at rest: envelope encryption (:mod:`.envelope`) and receipt codes (:mod:`.receipts`).

Pure library code with no models: apps store the sealed bytes and key ids in their own tables.
"""
