from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.roles import coordinator_required

from .forms import AddCoordinatorForm
from .models import Institution
from .services import PlacementsError, membership_add


@coordinator_required
def team(request: HttpRequest) -> HttpResponse:
    """The coordinators of each institution the user coordinates, and a form to add a colleague."""
    institutions = (
        Institution.objects.coordinated_by(request.user)
        .prefetch_related("memberships__user")
        .order_by("name")
    )
    return render(request, "placements/team.html", {"institutions": institutions, "blank_form": AddCoordinatorForm()})


@coordinator_required
def team_add(request: HttpRequest, institution_id: int) -> HttpResponse:
    # Ownership in the query: another institution's id is a 404, not a hint that it exists.
    institution = get_object_or_404(Institution.objects.coordinated_by(request.user), pk=institution_id)
    form = AddCoordinatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_add(institution=institution, email=form.cleaned_data["email"], added_by=request.user)
        except PlacementsError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"{membership.user.email} is now a coordinator of {institution.name}.")
            return redirect("placements:team")
    institutions = Institution.objects.coordinated_by(request.user).prefetch_related("memberships__user")
    return render(
        request,
        "placements/team.html",
        {"institutions": institutions, "form": form, "form_institution_id": institution.id, "blank_form": AddCoordinatorForm()},
        status=400 if request.method == "POST" else 200,
    )
