"""Writes to institutions and listings. Views, the API and admin actions call these."""
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Institution, InstitutionMembership


class PlacementsError(Exception):
    """A refused change, with a message fit to show the user."""


def membership_add(*, institution: Institution, email: str, added_by) -> InstitutionMembership:
    """Make the account with this e-mail a coordinator of the institution.

    Only an admin or a coordinator of that institution may do it; the person must have
    signed up first, so that nobody is enrolled under an address they do not control.
    """
    if not (added_by.is_admin or institution.id in added_by.coordinator_institution_ids):
        raise PlacementsError(_("Only this institution's coordinators or an admin can add coordinators."))
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise PlacementsError(
            _("No account uses %(email)s. Ask them to sign up first, then add them here.") % {"email": email}
        )
    if not user.is_active:
        raise PlacementsError(_("That account is deactivated."))
    try:
        with transaction.atomic():
            return InstitutionMembership.objects.create(user=user, institution=institution, added_by=added_by)
    except IntegrityError:
        raise PlacementsError(_("%(email)s is already a coordinator here.") % {"email": user.email}) from None
