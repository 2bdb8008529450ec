"""Credit blacklist (失信黑名单): listing, publication, objection, repair, expiry."""
