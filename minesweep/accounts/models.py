"""A staff member's role, department and jurisdiction (辖区). Users without a profile can do nothing."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from minesweep.accounts.roles import DEPARTMENTS, ROLE_NAMES, Role
from minesweep.registry.models import Division


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(
        max_length=24, choices=[(r.value, f"{zh} / {en}") for r, (zh, en) in ROLE_NAMES.items()]
    )
    department = models.CharField(
        max_length=40, blank=True, choices=[(code, f"{zh} / {en}") for code, (zh, en) in DEPARTMENTS.items()]
    )
    jurisdiction = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="staff")
    display_name = models.CharField(max_length=60)
    legal_reviewer = models.BooleanField(
        default=False, help_text="holds the legal-review post (法制审核人员, 行政处罚法第五十八条)"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role=Role.DEPARTMENT_LIAISON.value) | ~models.Q(department=""),
                name="liaison_has_department",
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.role}, {self.jurisdiction_id})"
