"""Role checks for API views: the same `user_has_role` the pages' decorators use."""

from rest_framework.permissions import BasePermission

from accounts.roles import Role, user_has_role


class IsApplicant(BasePermission):
    message = "This endpoint is for applicants."

    def has_permission(self, request, view) -> bool:
        return user_has_role(request.user, Role.APPLICANT)


class IsCoordinator(BasePermission):
    message = "This endpoint is for coordinators."

    def has_permission(self, request, view) -> bool:
        return user_has_role(request.user, Role.COORDINATOR)
