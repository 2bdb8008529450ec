"""Department tasks (部门任务): a liaison closes their department's task with the document number and the
file that prove it; the case officers may cancel one with a reason."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from minesweep.accounts.jurisdiction import scope_of
from minesweep.accounts.roles import Role
from minesweep.cases.models import Task
from minesweep.cases.services._common import (
    Actor,
    check_file,
    record,
    require_case_officer,
    required_text,
    user_or_none,
)
from minesweep.cases.services.tracks import track_after_task
from minesweep.core.errors import DomainError, PermissionDeniedError, TransitionError


def require_task_liaison(actor: Actor, task: Task) -> None:
    """Only a liaison of the task's department whose jurisdiction holds the task (or an administrator)."""
    if not isinstance(actor, AbstractBaseUser):
        return
    scope = scope_of(actor)
    if scope is None or not scope.contains(task.division_id):
        raise PermissionDeniedError()
    if scope.role == Role.ADMINISTRATOR:
        return
    if scope.role != Role.DEPARTMENT_LIAISON or scope.department != task.department:
        raise PermissionDeniedError(
            "cases.task_other_department", "该任务不属于您的部门", "This task belongs to another department"
        )


@transaction.atomic
def task_close(
    *,
    actor: Actor,
    task: Task,
    document_number: str,
    proof: tuple[str, str, bytes] | None,
    note: str = "",
) -> Task:
    """Open → done, with the document number (文号) and the proof file (stored with its SHA-256)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    require_task_liaison(actor, task)
    if task.status != Task.Status.OPEN:
        raise TransitionError(
            "cases.task_not_open",
            f"任务状态为“{task.get_status_display()}”，不能办结",
            f"the task is '{task.status}'; cannot close it",
        )
    number = required_text(document_number, "办理文书文号", "The document number")
    if proof is None:
        raise DomainError(
            "cases.proof_required", "请上传证明办结的文件", "upload the file that proves it is done"
        )
    name, content_type, content = proof
    check_file(content, name)
    task.status = Task.Status.DONE
    task.document_number = number[:60]
    task.closure_note = (note or "").strip()
    task.proof_name = (name or "proof")[:200]
    task.proof_content_type = (content_type or "application/octet-stream")[:80]
    task.proof_content = content
    task.proof_sha256 = hashlib.sha256(content).hexdigest()
    task.closed_at = timezone.now()
    task.closed_by = user_or_none(actor)
    task.save()
    late = timezone.localdate() > task.due_on
    record(
        actor=actor,
        action="cases.task.close",
        target=task,
        case=task.case,
        before={"status": Task.Status.OPEN},
        after={"status": task.status, "document_number": task.document_number, "sha256": task.proof_sha256},
        note=f"{task.title}：{task.document_number}{'（逾期办结）' if late else ''}",
    )
    track_after_task(actor=actor, task=task)
    return task


@transaction.atomic
def task_cancel(*, actor: Actor, task: Task, reason: str) -> Task:
    """Cancel a task that no longer applies (e.g. the decision was revoked on review); case officers only."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    require_case_officer(actor, task.case)
    if task.status != Task.Status.OPEN:
        raise TransitionError("cases.task_not_open", "只能撤销待办任务", "only an open task can be cancelled")
    reason = required_text(reason, "撤销理由", "The reason", min_length=6)
    task.status = Task.Status.CANCELLED
    task.cancel_reason = reason
    task.closed_at = timezone.now()
    task.closed_by = user_or_none(actor)
    task.save()
    record(
        actor=actor,
        action="cases.task.cancel",
        target=task,
        case=task.case,
        before={"status": Task.Status.OPEN},
        after={"status": task.status},
        detail={"reason": reason},
        note=f"{task.title} 撤销：{reason}",
    )
    track_after_task(actor=actor, task=task)
    return task
