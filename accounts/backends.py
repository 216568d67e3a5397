"""Program admins run the Django admin by their role, not by per-model permission rows."""

from accounts.models import Role


class ProgramAdminBackend:
    """Grants every Django model permission to active program admins (who are staff). Authenticates no one."""

    def authenticate(self, request, **credentials):
        return None

    def _is_program_admin(self, user_obj):
        return user_obj.is_active and user_obj.is_staff and getattr(user_obj, "role", None) == Role.PROGRAM_ADMIN

    def has_perm(self, user_obj, perm, obj=None):
        return self._is_program_admin(user_obj)

    def has_module_perms(self, user_obj, app_label):
        return self._is_program_admin(user_obj)
