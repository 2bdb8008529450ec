"""Policy layer (政策规则层): the regulator's rules as data (YAML packs) plus pure functions.

Nothing in this package except ``management/`` imports Django.
"""
