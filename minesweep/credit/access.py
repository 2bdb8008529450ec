"""Who may read and act on the staff credit register: one rule, used by the pages and the API alike."""

from __future__ import annotations

from minesweep.accounts.roles import Role

READERS = (Role.INVESTIGATOR, Role.LEADERSHIP, Role.DEPARTMENT_LIAISON, Role.INTAKE_OFFICER)
ACTORS = (Role.INVESTIGATOR, Role.DEPARTMENT_LIAISON)
