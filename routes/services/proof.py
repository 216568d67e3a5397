"""Proof of delivery: which proof a stop's delivery needs (the program's `ProofRule` rows read against the
stop's packages), the check that refuses a delivery without it, and the proof rows that record it."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.files import IMAGE_TYPES, validate_upload
from routes.models import Package, ProofKind, ProofRule, ProofStatus, RouteStop, StopProof


@dataclass(frozen=True)
class ProofNeeds:
    photo: bool = False
    signature: bool = False
    pin: bool = False
    age_check: bool = False
    rules: tuple = field(default_factory=tuple)

    def kinds(self) -> list[str]:
        return [k for k in (ProofKind.PHOTO, ProofKind.SIGNATURE, ProofKind.PIN, ProofKind.AGE_CHECK)
                if getattr(self, k)]

    def as_dict(self) -> dict:
        return {"photo": self.photo, "signature": self.signature, "pin": self.pin, "age_check": self.age_check,
                "rules": list(self.rules)}


@dataclass
class ProofGiven:
    photo: object = None  # an upload
    signature: object = None  # an upload (PNG drawn on the screen)
    pin: str = ""
    age_checked: bool = False


def _flags(packages) -> set[str]:
    flags = {ProofRule.AppliesTo.ALL}
    for p in packages:
        if p.signature_required:
            flags.add(ProofRule.AppliesTo.SIGNATURE)
        if p.age_check_required:
            flags.add(ProofRule.AppliesTo.AGE)
        if p.delivery_pin:
            flags.add(ProofRule.AppliesTo.PIN)
    return flags


def proof_needs(*, packages, rules=None) -> ProofNeeds:
    """What a delivery of these packages must carry under the active rules (pass `rules` to read them once
    for a whole route)."""
    rules = list(ProofRule.objects.filter(active=True)) if rules is None else rules
    flags = _flags(packages)
    hit = [r for r in rules if r.active and r.applies_to in flags]
    return ProofNeeds(photo=any(r.photo for r in hit), signature=any(r.signature for r in hit),
                      pin=any(r.pin for r in hit), age_check=any(r.age_check for r in hit),
                      rules=tuple(r.name for r in hit))


def proof_needs_for_stop(stop: RouteStop) -> ProofNeeds:
    return proof_needs(packages=list(Package.objects.filter(stop=stop)))


def proof_check(*, stop: RouteStop, needs: ProofNeeds, given: ProofGiven) -> None:
    """Refuse, in one sentence naming all that is missing, a delivery without the proof its rules demand."""
    missing, fields = [], {}
    if needs.photo and given.photo is None:
        missing.append(_("a photo"))
        fields["photo"] = [_("A photo is required for this stop.")]
    if needs.signature and given.signature is None:
        missing.append(_("the recipient's signature"))
        fields["signature"] = [_("A signature is required for this stop.")]
    if needs.pin and not given.pin.strip():
        missing.append(_("the recipient's PIN"))
        fields["pin"] = [_("The PIN is required for this stop.")]
    if needs.age_check and not given.age_checked:
        missing.append(_("an age check (ID seen)"))
        fields["age_checked"] = [_("Check the recipient's ID.")]
    if missing:
        raise ValidationFailed(_("Stop %(n)s cannot be completed without %(what)s.")
                               % {"n": stop.sequence, "what": ", ".join(missing)}, code="proof_missing", fields=fields)
    if needs.pin:
        pins = {p for p in Package.objects.filter(stop=stop).exclude(delivery_pin="")
                .values_list("delivery_pin", flat=True)}
        if given.pin.strip() not in pins:
            raise ValidationFailed(_("The PIN does not match the one the recipient was given (stop %(n)s).")
                                   % {"n": stop.sequence}, code="pin_mismatch", fields={"pin": [_("Wrong PIN.")]})
    for name in ("photo", "signature"):
        upload = getattr(given, name)
        if upload is not None:
            validate_upload(upload, allowed=IMAGE_TYPES, field=name)


def proofs_save(*, stop: RouteStop, needs: ProofNeeds, given: ProofGiven, by=None, client_id=None) -> list[StopProof]:
    rows = []
    actor = by if by is not None and by.is_authenticated else None
    for kind, upload in ((ProofKind.PHOTO, given.photo), (ProofKind.SIGNATURE, given.signature)):
        if upload is not None:
            row = StopProof(stop=stop, kind=kind, required=getattr(needs, kind), taken_by=actor, client_id=client_id)
            row.file.save(upload.name or f"{kind}.jpg", upload, save=False)
            rows.append(row)
    if needs.pin and given.pin.strip():  # checked against the packages' PIN by proof_check
        rows.append(StopProof(stop=stop, kind=ProofKind.PIN, required=needs.pin, detail=_("PIN matched"),
                              taken_by=actor, client_id=client_id))
    if given.age_checked:
        rows.append(StopProof(stop=stop, kind=ProofKind.AGE_CHECK, required=needs.age_check,
                              detail=_("ID seen: recipient of age"), taken_by=actor, client_id=client_id))
    return StopProof.objects.bulk_create(rows)


def proofs_void(*, stop: RouteStop) -> int:
    return StopProof.objects.filter(stop=stop, status=ProofStatus.RECORDED).update(status=ProofStatus.VOID)


def stop_proof_reject(*, proof: StopProof, by, note: str) -> StopProof:
    """An admin finds a proof wanting (a blurred photo, a scribble for a signature): it stays, marked rejected,
    and the stop no longer counts as compliant (POD compliance)."""
    if not note.strip():
        raise ValidationFailed(_("Say why the proof is rejected."), code="reason_required",
                               fields={"note": [_("A reason is required.")]})
    with transaction.atomic():
        row = StopProof.objects.select_for_update().get(pk=proof.pk)
        if row.status == ProofStatus.VOID:
            raise ValidationFailed(_("This proof was undone with its outcome; nothing to reject."), code="proof_void")
        row.status, row.reviewed_by, row.reviewed_at = ProofStatus.REJECTED, by, timezone.now()
        row.review_note = note.strip()[:300]
        row.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return row
