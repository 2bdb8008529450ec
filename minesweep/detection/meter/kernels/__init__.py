"""Pure numpy kernels: arrays in, arrays out, no I/O, no Django, no Dask.

Layout: ``profile`` bins readings onto an accounts × days × slots matrix of mean kW; ``shape`` measures
flatness and periodicity; ``steps`` finds level changes and onsets; ``features`` runs them all for one
partition. Every kernel is vectorised across accounts (axis 0).
"""
