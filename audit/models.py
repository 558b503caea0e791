from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import AuditEventQuerySet, AuditLogIsAppendOnly


class AuditEvent(models.Model):
    """One thing someone did: a login, a document viewed, a status moved, an admin change.

    Append-only: the model refuses updates and deletes, and on PostgreSQL triggers refuse them and
    TRUNCATE in the database too; the runtime role is granted only INSERT and SELECT on the table
    (docs/audit.md). The actor is kept as a plain id plus a label, with no
    foreign-key constraint, so deleting an account neither cascades into its history nor has to
    rewrite it.
    """

    when = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    # Role and institution as they were when the event happened: a coordinator who later leaves the
    # institution still read that passport on its behalf.
    actor_role = models.CharField(_("role"), max_length=32, blank=True)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    # Whose personal data the event touched, when it was someone's: what the applicant's "Who has
    # seen my documents" and the admins' "subject" filter read. No constraint, like the actor.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("subject"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-when", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["subject", "-when"], name="audit_subject_when_idx"),
        ]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")
