"""A statement's life after computing: issue (the week settles), dispute a line, resolve, approve.

Every move goes through the declared workflow under a row lock with a StatementTransition row; issuing a
whole week is set-based (one update, one bulk of log rows and events) because a national week has
thousands of statements."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.errors import Conflict, ValidationFailed
from core.events import event_record, events_record_bulk
from core.files import DOCUMENT_TYPES, validate_upload
from core.money import money, parse_amount
from core.servicedays import service_today
from core.workflow import transition
from performance.models import (
    STATEMENT_WORKFLOW,
    Dispute,
    LineKind,
    PerformanceSettings,
    Scorecard,
    SettlementWeek,
    Statement,
    StatementLine,
    StatementStatus,
    StatementTransition,
)

S = StatementStatus


def plan_move(statement: Statement, to: str, *, by=None, note: str = "", changes=None) -> Statement:
    return transition(instance=statement, to=to, workflow=STATEMENT_WORKFLOW, log_model=StatementTransition,
                      subject_field="statement", actor=by, note=note, changes=changes)


def week_issue(*, week_start: date, by=None) -> int:
    """Issue every draft statement of a finished week and publish its scorecards: the week is settled from
    now on (late outcomes go to the next statement). Returns how many were issued."""
    if week_start + timedelta(days=6) >= service_today():
        raise Conflict(_("This week is not over yet: statements are issued once the Saturday has passed."),
                       code="week_not_over")
    now = timezone.now()
    until = now + timedelta(days=PerformanceSettings.load().dispute_window_days)
    with transaction.atomic():
        drafts = list(Statement.objects.select_for_update().filter(week_start=week_start, status=S.DRAFT)
                      .order_by("pk"))
        if not drafts:
            return 0
        STATEMENT_WORKFLOW.check(S.DRAFT, S.ISSUED)
        ids = [s.pk for s in drafts]
        Statement.objects.filter(pk__in=ids).update(status=S.ISSUED, issued_at=now, dispute_until=until,
                                                    status_changed_at=now)
        actor = by if by is not None and by.is_authenticated else None
        StatementTransition.objects.bulk_create([StatementTransition(statement_id=i, actor=actor, from_status=S.DRAFT,
                                                                     to_status=S.ISSUED, created_at=now) for i in ids])
        cards = list(Scorecard.objects.select_for_update().filter(week_start=week_start, frozen_at__isnull=True,
                                                                  partner_id__in=[s.partner_id for s in drafts]))
        Scorecard.objects.filter(pk__in=[c.pk for c in cards]).update(status=Scorecard.Status.PUBLISHED,
                                                                      frozen_at=now)
        events = [("scorecard.published", c, {"id": c.pk, "partner_id": c.partner_id, "week_start": str(week_start),
                                              "tier": c.tier, "score": str(c.score)}, Audience.partner(c.partner_id))
                  for c in cards]
        events += [("partner_statement.issued", s, {"id": s.pk, "partner_id": s.partner_id,
                                                    "week_start": str(week_start), "total": str(s.total),
                                                    "dispute_until": until.isoformat()}, Audience.partner(s.partner_id))
                   for s in drafts]
        events_record_bulk(events)
        SettlementWeek.objects.filter(week_start=week_start).update(issued_at=now)
    return len(ids)


def statement_dispute(*, statement: Statement, line_id, reason: str, attachment=None, by=None) -> Dispute:
    """The partner disputes one line, with a reason and optionally a file, while the window is open."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why this line is wrong."), code="reason_required",
                               fields={"reason": [_("A reason is required.")]})
    if attachment is not None:
        validate_upload(attachment, allowed=DOCUMENT_TYPES, field="attachment")
    with transaction.atomic():
        row = Statement.objects.select_for_update().get(pk=statement.pk)
        if row.status not in (S.ISSUED, S.DISPUTED, S.ADJUSTED):
            raise Conflict(_("This statement cannot be disputed now (it is %(s)s).") % {
                "s": row.get_status_display().lower()}, code="not_disputable")
        if row.dispute_until is None or timezone.now() > row.dispute_until:
            raise Conflict(_("The time to dispute this statement ended on %(d)s.") % {
                "d": timezone.localtime(row.dispute_until).strftime("%b %d, %Y %H:%M") if row.dispute_until else "—"},
                code="dispute_window_closed")
        line = StatementLine.objects.filter(statement=row, pk=_int(line_id)).first()
        if line is None:
            raise ValidationFailed(_("Choose a line of this statement."), code="line_unknown",
                                   fields={"line": [_("Not a line of this statement.")]})
        if Dispute.objects.filter(line=line, status=Dispute.Status.OPEN).exists():
            raise Conflict(_("This line is already disputed; wait for the program's answer."), code="line_disputed")
        dispute = Dispute(statement=row, line=line, reason=reason[:4000],
                          raised_by=by if by is not None and by.is_authenticated else None)
        if attachment is not None:
            dispute.attachment.save(attachment.name or "evidence", attachment, save=False)
        dispute.save()
        if row.status != S.DISPUTED:
            plan_move(row, S.DISPUTED, by=by, note=_("Line disputed: %(l)s") % {"l": line.description})
    return dispute


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def dispute_resolve(*, dispute: Dispute, adjustment, note: str, by=None) -> Dispute:
    """An admin answers a dispute: an adjustment line (positive pays more, negative takes back, zero
    upholds the line), logged on the statement. The statement is `adjusted` once no dispute is open."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Write the answer the partner will read."), code="note_required",
                               fields={"note": [_("An answer is required.")]})
    amount = _signed_amount(adjustment)
    with transaction.atomic():
        row = Dispute.objects.select_for_update().select_related("line").get(pk=dispute.pk)
        statement = Statement.objects.select_for_update().get(pk=row.statement_id)
        if row.status != Dispute.Status.OPEN:
            raise Conflict(_("This dispute is already resolved."), code="dispute_resolved")
        if amount:
            position = (statement.lines.order_by("-position").values_list("position", flat=True).first() or 0) + 1
            StatementLine.objects.create(statement=statement, kind=LineKind.ADJUSTMENT, dispute=row,
                                         description=(_("Adjustment for disputed line: %(l)s") % {
                                             "l": row.line.description})[:200],
                                         quantity=1, rate=amount, amount=amount, position=position,
                                         route_id=row.line.route_id, service_date=row.line.service_date)
        total = statement.lines.aggregate(t=Sum("amount"))["t"] or Decimal(0)
        Statement.objects.filter(pk=statement.pk).update(total=money(total))
        row.status, row.resolution, row.adjustment = Dispute.Status.RESOLVED, note[:4000], amount
        row.resolved_by = by if by is not None and by.is_authenticated else None
        row.resolved_at = timezone.now()
        row.save()
        if not Dispute.objects.filter(statement=statement, status=Dispute.Status.OPEN).exists():
            plan_move(statement, S.ADJUSTED, by=by, note=_("%(amount)s: %(note)s") % {"amount": amount, "note": note})
    return row


def _signed_amount(value) -> Decimal:
    text = str(value if value is not None else "").strip()
    negative = text.startswith("-") or text.startswith("−")
    amount = parse_amount(text.lstrip("-−").strip() or "0", field="adjustment", allow_zero=True)
    return -amount if negative else amount


def statement_approve(*, statement: Statement, by=None) -> Statement:
    with transaction.atomic():
        row = Statement.objects.select_for_update().get(pk=statement.pk)
        if row.status == S.APPROVED:
            return row
        if Dispute.objects.filter(statement=row, status=Dispute.Status.OPEN).exists():
            raise Conflict(_("Resolve the open disputes first."), code="disputes_open")
        return plan_move(row, S.APPROVED, by=by, changes={"approved_at": timezone.now()})


def statement_paid_event(statement: Statement) -> None:
    event_record(type="partner_statement.paid", subject=statement,
                 payload={"id": statement.pk, "partner_id": statement.partner_id,
                          "week_start": str(statement.week_start), "amount": str(statement.total)},
                 audience=Audience.partner(statement.partner_id))
