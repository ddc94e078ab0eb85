"""The Module Manager's search fields (docs/modules-api.md). Database filters narrow the queryset;
`status` and `lock_owner` are computed, so the view applies them to the computed rows."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from apps.core.exceptions import ServiceError
from apps.modules.models import Module
from apps.modules.status import OUT_OF_DATE, UP_TO_DATE


def _strict_boolean(**kwargs: Any) -> django_filters.TypedChoiceFilter:
    """`true` or `false`; anything else is a 400 (BooleanFilter would quietly ignore it)."""
    return django_filters.TypedChoiceFilter(choices=[("true", "true"), ("false", "false")],
                                            coerce=lambda value: value == "true", **kwargs)


class ModuleFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", max_length=200)
    composite = _strict_boolean(method="filter_composite")
    final = _strict_boolean(field_name="is_final")
    tag = django_filters.CharFilter(method="filter_tag", max_length=60)
    project = django_filters.NumberFilter(field_name="project_id")
    module_type = django_filters.NumberFilter(field_name="type_version__module_type_id")
    type_version = django_filters.NumberFilter(field_name="type_version_id")
    creator = django_filters.CharFilter(field_name="creator__username", max_length=150)
    modified_after = django_filters.IsoDateTimeFilter(field_name="last_modified", lookup_expr="gte")
    modified_before = django_filters.IsoDateTimeFilter(field_name="last_modified", lookup_expr="lte")
    status = django_filters.ChoiceFilter(choices=[(UP_TO_DATE, UP_TO_DATE), (OUT_OF_DATE, OUT_OF_DATE)],
                                         method="computed_later")
    lock_owner = django_filters.CharFilter(method="computed_later", max_length=150)

    class Meta:
        model = Module
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Module], name: str, value: str) -> QuerySet[Module]:
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))

    def filter_composite(self, queryset: QuerySet[Module], name: str, value: bool) -> QuerySet[Module]:
        kind = "composite" if value else "simple"
        return queryset.filter(type_version__module_type__kind=kind)

    def filter_tag(self, queryset: QuerySet[Module], name: str, value: str) -> QuerySet[Module]:
        return queryset.filter(tags__contains=[value])

    def computed_later(self, queryset: QuerySet[Module], name: str, value: Any) -> QuerySet[Module]:
        return queryset


def filter_modules(queryset: QuerySet[Module], params: Any) -> tuple[QuerySet[Module], dict[str, Any]]:
    """The filtered queryset and the computed filters still to apply ({"status"?, "lock_owner"?});
    a bad value (a date that is not one, status=Maybe) is a 400 naming the field."""
    found = ModuleFilter(params, queryset=queryset)
    if not found.is_valid():
        errors = {name: [str(e) for e in messages] for name, messages in found.errors.items()}
        first = next(iter(errors))
        raise ServiceError("invalid_filter", f"Filter {first!r}: {errors[first][0]}", details=errors)
    computed = {k: found.form.cleaned_data[k] for k in ("status", "lock_owner") if found.form.cleaned_data.get(k)}
    return found.qs, computed
