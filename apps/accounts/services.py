from django.db import transaction

from apps.accounts.models import Membership, Project, User
from apps.accounts.roles import Role
from apps.core.exceptions import ServiceError


def user_create(*, username: str, password: str, full_name: str = "", role: str = Role.VIEWER) -> User:
    if User.objects.filter(username=username).exists():
        raise ServiceError("duplicate_username", f"A user named {username!r} already exists.", status=409)
    user = User(username=username, full_name=full_name, role=role, is_staff=role == Role.ADMIN)
    user.set_password(password)
    user.save()
    return user


def project_create(*, name: str, description: str = "") -> Project:
    if Project.objects.filter(name=name).exists():
        raise ServiceError("duplicate_name", f"A project named {name!r} already exists.", status=409)
    return Project.objects.create(name=name, description=description)


def project_update(*, project: Project, fields: dict[str, object]) -> Project:
    with transaction.atomic():
        name = fields.get("name")
        if name is not None and Project.objects.exclude(pk=project.pk).filter(name=name).exists():
            raise ServiceError("duplicate_name", f"A project named {name!r} already exists.", status=409)
        for field, value in fields.items():
            setattr(project, field, value)
        project.revision += 1
        project.save()
    return project


def membership_set(*, project: Project, user: User, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})
    return membership
