"""Hash-chained audit trail (审计日志) of every change and every read of sensitive fields."""
