"""Module actions beyond create/read/update (issue 6): edit lock, finalize, copy, removal,
compare and bring-up-to-date. Mixed into ModuleViewSet; each action validates, calls a service,
serializes."""

from apps.locks.views import EditLockMixin


class ModuleActionsMixin(EditLockMixin):
    lock_kind = "module"
