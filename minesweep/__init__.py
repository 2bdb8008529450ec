"""Minesweep: find, prosecute and keep shut illegal crypto mining (打击虚拟货币"挖矿")."""

__version__ = "0.1.0"
