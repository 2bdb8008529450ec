"""Meter-data detection (电表数据检测): find crypto mining in grid interval readings.

The package is a sandwich (DESIGN §3): ``kernels`` are pure numpy functions over a dense
accounts × days × slots matrix; ``sources`` and ``dataset`` read and normalise files; ``partition``
turns one Parquet partition into per-account features; ``runners`` map that over partitions locally or
on Dask; ``scoring`` turns features into a score with reasons and estimates an inspector can check.

Time: timestamps are stored in UTC; day boundaries, hours of day and holidays use Asia/Shanghai
(UTC+8, no daylight saving since 1991). Power is kW (average demand over an interval), energy kWh.
Missing readings are NaN, never zero.
"""
