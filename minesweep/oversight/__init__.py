"""Oversight (督查): dashboards, statistics, the weekly project register, exports."""
