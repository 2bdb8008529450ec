"""Registry of regulated subjects (监管对象登记): entities, sites, power accounts, IP allocations, projects."""
